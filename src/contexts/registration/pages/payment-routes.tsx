import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { CredentialLimits } from '../../../web/credential-limits.ts';
import { formText } from '../../../web/pages/form-values.ts';
import { RateLimiter, TOO_MANY_ATTEMPTS } from '../../../web/rate-limiter.ts';
import { PAGE, render } from '../../../web/pages/render.ts';
import { hasControlCharacters } from '../../shared/text-rules.ts';
import { processorUrl } from '../service/checkout.ts';
import type { ServiceContext } from '../service/context.ts';
import { DomainError, NotFoundError, PAYMENT_LINK_INVALID } from '../service/errors.ts';
import { type PaymentAnswer, answerPayment, orderOfPayment } from '../service/payments.ts';
import { orderConference } from './conference-scope.ts';
import { holdsOrder, paymentTokenOf, publicSessionId } from './order-access.ts';
import { withPosition } from './order-page.ts';
import { PAYMENT_UNKNOWN } from './outcome-pages.tsx';
import { waitForPayment } from './page-orders.ts';
import { registrationPaths } from './paths.ts';
import { PublicErrorPage } from './public-error-page.tsx';
import { sendWaitingPage } from './waiting.tsx';

/**
 * The payment's way through the simulated processor (DOMAIN 6.1): the hand-off page sends the
 * registrant to the processor with the payment's one-time token; the processor's answers come back
 * as forms posted to `/{slug}/third-party-payment/accept` and `…/reject`.
 */
export function paymentRoutes(context: ServiceContext): FastifyPluginAsync {
  const limits = new CredentialLimits(new RateLimiter(context.store));
  return async (app) => {
    app.get<{ Params: { slug: string }; Querystring: { paymentId?: string } }>('/:slug/third-party-payment', PAGE, async (request, reply) => {
      const conference = await orderConference(context.catalogue, request, reply);
      if (!conference) return reply;
      const paths = registrationPaths(conference.slug);
      const paymentId = request.query.paymentId ?? '';
      const orderId = paymentId === '' ? undefined : await orderOfPayment(context, paymentId);
      // As for every order page (order-page.ts), the path of another conference is no way in.
      if (!orderId || !holdsOrder(request, orderId) || (await context.order(orderId)).conferenceId !== conference.id) return reply.redirect(paths.locate, 303);

      const payment = await waitForPayment(context, paymentId);
      if (!payment) return sendWaitingPage(reply, conference, PAYMENT_UNKNOWN);
      const token = paymentTokenOf(request, paymentId);
      if (payment.status === 'Initiated' && token) return reply.redirect(processorUrl(paymentId, token), 303);
      // Answered already (or its token is not this session's): the order's pages say what became of it.
      if (payment.status === 'Completed' || payment.status === 'Refunded') return reply.redirect(paths.confirmation(orderId), 303);
      return reply.redirect(paths.checkout(orderId), 303);
    });

    for (const answer of ['accept', 'reject'] as const) {
      app.post<{ Params: { slug: string } }>(`/:slug/third-party-payment/${answer}`, { ...PAGE, preHandler: app.csrfProtection }, async (request, reply) => {
        const conference = await orderConference(context.catalogue, request, reply);
        if (!conference) return reply;
        const paymentId = formText(request.body, 'paymentId');
        const token = formText(request.body, 'token');
        // The token is a credential (API.md Credentials): failures count per payment.
        const target = `payment:${paymentId.toLowerCase()}`;
        const wait = await limits.retryAfter(request.ip, target);
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          return sendRefusal(reply, TOO_MANY_ATTEMPTS, 429);
        }
        try {
          // A payment id with control characters names no payment (PostgreSQL cannot even look a NUL up).
          if (hasControlCharacters(paymentId)) throw new NotFoundError(PAYMENT_LINK_INVALID);
          const answered = await answerPayment(context, paymentId, answer, token, { sessionId: publicSessionId(request) });
          return reply.redirect(withPosition(nextPage(conference.slug, answer, answered.orderId), answered.position), 303);
        } catch (error) {
          if (error instanceof NotFoundError) {
            await limits.failed(request.ip, target);
            return sendRefusal(reply, error.message, 404);
          }
          if (error instanceof DomainError) return sendRefusal(reply, error.message, 409);
          throw error;
        }
      });
    }
  };
}

/** Accepted → thank you; rejected → checkout with the notice (the order is payable until it expires). */
function nextPage(slug: string, answer: PaymentAnswer, orderId: string): string {
  const paths = registrationPaths(slug);
  return answer === 'accept' ? paths.confirmation(orderId) : paths.checkout(orderId);
}

function sendRefusal(reply: FastifyReply, message: string, status: number): FastifyReply {
  return render(reply, <PublicErrorPage title="Payment" message={message} />, status);
}

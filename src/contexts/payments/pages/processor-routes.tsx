import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { CredentialLimits } from '../../../web/credential-limits.ts';
import { toApiError } from '../../../web/errors.ts';
import { ERROR_TEXT } from '../../../web/pages/error-texts.ts';
import { PAGE, render } from '../../../web/pages/render.ts';
import { RateLimiter, TOO_MANY_ATTEMPTS } from '../../../web/rate-limiter.ts';
import { publicSessionId } from '../../registration/pages/order-access.ts';
import { registrationPaths } from '../../registration/pages/paths.ts';
import { type RegistrationServiceOptions, ServiceContext } from '../../registration/service/context.ts';
import { PAYMENT_LINK_INVALID, PAYMENT_LINK_USED } from '../../registration/service/errors.ts';
import { orderOfPayment, paymentSummary, paymentTokenCheck } from '../../registration/service/payments.ts';
import { Deadline } from '../../registration/service/waiting.ts';
import { ProcessorPage, ProcessorRefusalPage } from './processor-page.tsx';

/**
 * The simulated third-party payment processor (DOMAIN 6.1): `/payment?paymentId=…&token=…`. What it
 * shows comes from the payment, never from the query; its buttons post the one-time token to the
 * site's return addresses, which are always relative paths of this site. A token is a credential:
 * failures count against the payment's rate limit (API.md Credentials).
 */
export function processorSite(options: RegistrationServiceOptions): FastifyPluginAsync {
  const context = new ServiceContext(options);
  const limits = new CredentialLimits(new RateLimiter(options.store));
  return async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      // A request refused before the page (e.g. a NUL in the query) keeps its status and message.
      const answer = toApiError(error);
      if (answer.statusCode < 500) return render(reply, <ProcessorRefusalPage message={answer.message} />, answer.statusCode);
      request.log.error({ err: error }, 'payment processor page failed');
      return render(reply, <ProcessorRefusalPage message={ERROR_TEXT} />, 500);
    });

    app.get<{ Querystring: { paymentId?: string; token?: string } }>('/payment', PAGE, async (request, reply) => {
      const paymentId = request.query.paymentId ?? '';
      const token = request.query.token ?? '';
      const target = `payment:${paymentId.toLowerCase()}`;
      const wait = await limits.retryAfter(request.ip, target);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        return render(reply, <ProcessorRefusalPage message={TOO_MANY_ATTEMPTS} />, 429);
      }
      const check = paymentId === '' || token === '' ? 'unknown' : await paymentTokenCheck(context, paymentId, token, publicSessionId(request));
      if (check === 'unknown') {
        await limits.failed(request.ip, target);
        return render(reply, <ProcessorRefusalPage message={PAYMENT_LINK_INVALID} />, 404);
      }
      if (check === 'used') return render(reply, <ProcessorRefusalPage message={PAYMENT_LINK_USED} />, 409);

      const { payment } = await paymentSummary(context, paymentId, undefined, new Deadline(0));
      const orderId = await orderOfPayment(context, paymentId);
      const conference = orderId && (await context.catalogue.orderingConferenceById((await context.order(orderId)).conferenceId));
      if (!payment || !conference) return render(reply, <ProcessorRefusalPage message={PAYMENT_LINK_INVALID} />, 404);
      const paths = registrationPaths(conference.slug);
      return render(
        reply,
        <ProcessorPage
          csrf={reply.generateCsrf()}
          paymentId={paymentId}
          token={token}
          description={payment.description}
          amount={payment.amount}
          acceptPath={paths.paymentAccepted}
          rejectPath={paths.paymentRejected}
        />,
      );
    });
  };
}

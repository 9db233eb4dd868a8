import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { CredentialLimits } from '../../../web/credential-limits.ts';
import { formText } from '../../../web/pages/form-values.ts';
import { PAGE, render } from '../../../web/pages/render.ts';
import { RateLimiter, TOO_MANY_ATTEMPTS } from '../../../web/rate-limiter.ts';
import type { FieldErrors } from '../../shared/field-checks.ts';
import { MAX_EMAIL_LENGTH, emailKey } from '../../shared/text-rules.ts';
import type { ServiceContext } from '../service/context.ts';
import { locateOrder } from '../service/locate.ts';
import { orderConference } from './conference-scope.ts';
import { PaymentNotAppliedPage, ThankYouPage } from './confirmation-page.tsx';
import { EMAIL_REQUIRED, LOCATE_FAILED, LocatePage, ORDER_CODE_REQUIRED } from './locate-page.tsx';
import { grantOrder } from './order-access.ts';
import { OrderDetailsPage } from './order-details-page.tsx';
import { type OpenedOrder, type OrderPageRequest, openOrder } from './order-page.ts';
import { CompletedPage, ExpiredPage, REGISTRATION_UNKNOWN } from './outcome-pages.tsx';
import { type OrderSnapshot, holdOver, waitForOrder } from './page-orders.ts';
import { registrationPaths } from './paths.ts';
import { sendWaitingPage } from './waiting.tsx';

/** The rate-limit target of an e-mail entered (longer input cannot be an address: it is cut). */
const emailTarget = (email: string) => `email:${emailKey(email).slice(0, MAX_EMAIL_LENGTH + 1)}`;

/**
 * The pages after checkout (DOMAIN 6.1): thank you, expired, locate registration and order details.
 */
export function orderRoutes(context: ServiceContext): FastifyPluginAsync {
  const limits = new CredentialLimits(new RateLimiter(context.store));

  /** The order's snapshot once it is there; otherwise the waiting page is sent. */
  async function snapshotFor(reply: FastifyReply, opened: OpenedOrder, ready: (snapshot: OrderSnapshot) => boolean = () => true) {
    const { snapshot, ready: done } = await waitForOrder(context, opened.orderId, ready, opened.minPosition);
    if (!snapshot || !done) {
      sendWaitingPage(reply, opened.conference, REGISTRATION_UNKNOWN);
      return undefined;
    }
    return snapshot;
  }

  return async (app) => {
    app.get('/:slug/confirmation', PAGE, async (request, reply) => {
      const opened = await openOrder(context, request as OrderPageRequest, reply);
      if (!opened) return reply;
      const snapshot = await snapshotFor(reply, opened, checkoutSettled);
      if (!snapshot) return reply;
      const { draft, payment } = snapshot;
      const { conference } = opened;
      const paths = registrationPaths(conference.slug);
      if (draft.state === 'Confirmed') return render(reply, <ThankYouPage conference={conference} orderId={draft.orderId} accessCode={draft.accessCode} />);
      const rejection = draft.lastConfirmationRejection;
      if (rejection?.paymentId && rejection.paymentId === payment?.paymentId) {
        return render(reply, <PaymentNotAppliedPage conference={conference} orderId={draft.orderId} reason={rejection.reason} />);
      }
      if (draft.state === 'Expired' || holdOver(draft)) return reply.redirect(paths.expired(draft.orderId), 303);
      // Not confirmed and nothing under way (a rejected payment, or a zero-cost confirmation refused): back to checkout.
      return reply.redirect(paths.checkout(draft.orderId), 303);
    });

    app.get('/:slug/expired', PAGE, async (request, reply) => {
      const opened = await openOrder(context, request as OrderPageRequest, reply);
      if (!opened) return reply;
      const snapshot = await snapshotFor(reply, opened);
      if (!snapshot) return reply;
      const { draft } = snapshot;
      if (draft.state === 'Confirmed') return render(reply, <CompletedPage conference={opened.conference} />);
      if (draft.state !== 'Expired' && !holdOver(draft)) return reply.redirect(registrationPaths(opened.conference.slug).checkout(draft.orderId), 303);
      return render(reply, <ExpiredPage conference={opened.conference} released={draft.state === 'Expired'} />);
    });

    app.get<{ Params: { slug: string } }>('/:slug/order/find', PAGE, async (request, reply) => {
      const conference = await orderConference(context.catalogue, request, reply);
      if (!conference) return reply;
      return render(reply, <LocatePage conference={conference} csrf={reply.generateCsrf()} email="" />);
    });

    app.post<{ Params: { slug: string } }>('/:slug/order/find', { ...PAGE, preHandler: app.csrfProtection }, async (request, reply) => {
      const conference = await orderConference(context.catalogue, request, reply);
      if (!conference) return reply;
      const email = formText(request.body, 'email');
      const accessCode = formText(request.body, 'accessCode');
      const again = (status: number, errors: FieldErrors, message?: string) =>
        render(reply, <LocatePage conference={conference} csrf={reply.generateCsrf()} email={email} errors={errors} message={message} />, status);
      const errors: FieldErrors = {};
      if (email.trim() === '') errors.email = EMAIL_REQUIRED;
      if (accessCode.trim() === '') errors.accessCode = ORDER_CODE_REQUIRED;
      if (Object.keys(errors).length > 0) return again(422, errors);

      const target = emailTarget(email);
      const wait = await limits.retryAfter(request.ip, target);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        return again(429, {}, TOO_MANY_ATTEMPTS);
      }
      const located = await locateOrder(context, conference.slug, email, accessCode);
      if (!located) {
        await limits.failed(request.ip, target);
        return again(422, {}, LOCATE_FAILED);
      }
      grantOrder(request, located.orderId);
      return reply.redirect(registrationPaths(conference.slug).order(located.orderId), 303);
    });

    app.get('/:slug/order/:orderId', PAGE, async (request, reply) => {
      const opened = await openOrder(context, request as OrderPageRequest, reply);
      if (!opened) return reply;
      const snapshot = await snapshotFor(reply, opened);
      if (!snapshot) return reply;
      const { draft, priced } = snapshot;
      return render(
        reply,
        <OrderDetailsPage conference={opened.conference} orderId={draft.orderId} accessCode={draft.accessCode} state={draft.state} lines={priced.lines} total={priced.total} />,
      );
    });
  };
}

/**
 * The thank-you page's wait (API.md `until=confirmed`): the checkout has an outcome, i.e. nothing is
 * under way any more — no payment waiting for the processor's answer, none completed and waiting
 * for the order's confirmation.
 */
function checkoutSettled({ draft, payment }: OrderSnapshot): boolean {
  if (draft.state === 'Confirmed' || draft.state === 'Expired') return true;
  if (payment?.status === 'Initiated') return false;
  if (payment?.status === 'Completed') return draft.lastConfirmationRejection?.paymentId === payment.paymentId;
  return true;
}

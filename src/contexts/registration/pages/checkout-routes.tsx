import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { formTexts } from '../../../web/pages/form-values.ts';
import { PAGE, render } from '../../../web/pages/render.ts';
import { type FieldErrors, ValidationError } from '../../shared/field-checks.ts';
import { emailKey } from '../../shared/text-rules.ts';
import { checkPersonalInfo } from '../personal-info.ts';
import { checkout } from '../service/checkout.ts';
import type { ServiceContext } from '../service/context.ts';
import { DomainError, NotFoundError } from '../service/errors.ts';
import { CONFIRM_EMAIL_REQUIRED, CheckoutPage, EMAILS_DO_NOT_MATCH, REGISTRANT_FIELDS, type RegistrantValues } from './checkout-page.tsx';
import { publicSessionId, rememberPaymentToken } from './order-access.ts';
import { type OpenedOrder, type OrderPageRequest, openOrder, withPosition } from './order-page.ts';
import { CompletedPage, REGISTRATION_UNKNOWN } from './outcome-pages.tsx';
import { type OrderSnapshot, holdOver, holdTimes, isFinal, waitForOrder } from './page-orders.ts';
import { registrationPaths } from './paths.ts';
import { sendWaitingPage } from './waiting.tsx';

/**
 * Checkout (DOMAIN 6.1): `/{slug}/registrant?orderId=` shows the seats obtained and takes the
 * registrant; a free order is confirmed at once (→ thank you), a paid one goes to the payment
 * hand-off.
 */
export function checkoutRoutes(context: ServiceContext): FastifyPluginAsync {
  /**
   * Where the order's state sends the registrant instead of the checkout form: completed page,
   * expired page, or back to seat selection while not all seats are reserved.
   */
  function elsewhere(reply: FastifyReply, opened: OpenedOrder, { draft }: OrderSnapshot): FastifyReply | undefined {
    const paths = registrationPaths(opened.conference.slug);
    if (draft.state === 'Confirmed') return render(reply, <CompletedPage conference={opened.conference} />);
    if (isFinal(draft) || holdOver(draft)) return reply.redirect(paths.expired(draft.orderId), 303);
    if (draft.state !== 'ReservationCompleted') return reply.redirect(paths.changeSeats(draft.orderId), 303);
    return undefined;
  }

  function showCheckout(
    reply: FastifyReply,
    opened: OpenedOrder,
    { draft, priced, payment }: OrderSnapshot,
    form: { values: RegistrantValues; errors?: FieldErrors; message?: string; status?: number },
  ): FastifyReply {
    return render(
      reply,
      <CheckoutPage
        conference={opened.conference}
        csrf={reply.generateCsrf()}
        orderId={draft.orderId}
        lines={priced.lines}
        total={priced.total}
        isFreeOfCharge={priced.isFreeOfCharge}
        values={form.values}
        errors={form.errors}
        message={form.message}
        paymentRejected={payment?.status === 'Rejected'}
        countdown={{ ...holdTimes(draft), expiredHref: registrationPaths(opened.conference.slug).expired(draft.orderId) }}
      />,
      form.status ?? 200,
    );
  }

  return async (app) => {
    app.get('/:slug/registrant', PAGE, async (request, reply) => {
      const opened = await openOrder(context, request as OrderPageRequest, reply);
      if (!opened) return reply;
      // The seat selection's version: the reservation answering the request made from it must be there.
      const seen = versionParam((request as OrderPageRequest).query.version);
      const { snapshot, ready } = await waitForOrder(
        context,
        opened.orderId,
        ({ draft }) => isFinal(draft) || (draft.version > seen && draft.state !== 'PendingReservation'),
        opened.minPosition,
      );
      if (!snapshot || !ready) return sendWaitingPage(reply, opened.conference, REGISTRATION_UNKNOWN);
      const registrant = snapshot.draft.registrant;
      const values = registrant ? { ...registrant, confirmEmail: registrant.email } : { firstName: '', lastName: '', email: '', confirmEmail: '' };
      return elsewhere(reply, opened, snapshot) ?? showCheckout(reply, opened, snapshot, { values });
    });

    app.post('/:slug/registrant', { ...PAGE, preHandler: app.csrfProtection }, async (request, reply) => {
      const opened = await openOrder(context, request as OrderPageRequest, reply);
      if (!opened) return reply;
      const paths = registrationPaths(opened.conference.slug);
      const values = formTexts(request.body, REGISTRANT_FIELDS);
      const again = async (form: { errors?: FieldErrors; message?: string; status: number }) => {
        const { snapshot } = await waitForOrder(context, opened.orderId, () => true);
        if (!snapshot) return sendWaitingPage(reply, opened.conference, REGISTRATION_UNKNOWN);
        return elsewhere(reply, opened, snapshot) ?? showCheckout(reply, opened, snapshot, { values, ...form });
      };

      const errors = registrantErrors(values);
      if (Object.keys(errors).length > 0) return again({ errors, status: 422 });
      try {
        const done = await checkout(context, opened.orderId, values, { sessionId: publicSessionId(request) });
        if (!done.payment) return reply.redirect(withPosition(paths.confirmation(done.orderId), done.position), 303);
        rememberPaymentToken(request, done.payment.paymentId, done.payment.token);
        return reply.redirect(withPosition(paths.handOff(done.payment.paymentId), done.position), 303);
      } catch (error) {
        if (error instanceof ValidationError) return again({ errors: error.fields, status: 422 });
        if (error instanceof NotFoundError) return reply.redirect(paths.locate, 303);
        if (error instanceof DomainError) return again({ message: error.message, status: 409 });
        throw error;
      }
    });
  };
}

/** `?version=` of the seat selection; −1 (a new order) when absent or malformed. */
function versionParam(text: string | undefined): number {
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : -1;
}

/**
 * The registrant's details checked as the service will (names, e-mail), plus the confirmation
 * e-mail, which only the page asks for: all errors at once.
 */
function registrantErrors(values: RegistrantValues): FieldErrors {
  const checked = checkPersonalInfo(values);
  const errors: FieldErrors = checked.ok ? {} : { ...checked.errors };
  if (values.confirmEmail.trim() === '') errors.confirmEmail = CONFIRM_EMAIL_REQUIRED;
  else if (emailKey(values.confirmEmail) !== emailKey(values.email)) errors.confirmEmail = EMAILS_DO_NOT_MATCH;
  return errors;
}

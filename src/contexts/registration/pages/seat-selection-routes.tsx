import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { newId } from '../../../platform/messages/ids.ts';
import { formText } from '../../../web/pages/form-values.ts';
import { sendNotFoundPage } from '../../../web/pages/not-found.tsx';
import { PAGE, render } from '../../../web/pages/render.ts';
import { ValidationError } from '../../shared/field-checks.ts';
import type { OrderingConference } from '../catalogue/queries.ts';
import type { ServiceContext } from '../service/context.ts';
import { DomainError, NotFoundError, OrderExistsError } from '../service/errors.ts';
import { placeOrder, updateSeats } from '../service/orders.ts';
import type { SeatRequest } from '../service/seat-request.ts';
import { INVALID_CONFERENCE_CODE, orderConference, pageConference } from './conference-scope.ts';
import { grantOrder, holdsOrder } from './order-access.ts';
import type { ConferenceRef } from './order-components.tsx';
import { type OrderPageRequest, openOrder, withPosition } from './order-page.ts';
import { CompletedPage, REGISTRATION_UNKNOWN } from './outcome-pages.tsx';
import { type OrderSnapshot, holdOver, holdTimes, isFinal, waitForOrder } from './page-orders.ts';
import { registrationPaths } from './paths.ts';
import { sendWaitingPage } from './waiting.tsx';
import { PAYMENT_IN_PROGRESS, REGISTRATION_CLOSED, type SeatChoice, SeatSelectionPage, quantityField } from './seat-selection-page.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the registrant chose, per seat type id. */
type Selection = ReadonlyMap<string, number>;

/**
 * Seat selection (DOMAIN 6.1): `/{slug}/register` for a new order of a published conference, with
 * `?orderId=` to change an order this session holds. The form sends `RegisterToConference`; on
 * success the registrant goes to checkout, which waits for the reservation.
 */
export function seatSelectionRoutes(context: ServiceContext): FastifyPluginAsync {
  const { catalogue } = context;

  /** The rows of the form: availability from the catalogue, plus what the order holds. */
  async function choicesFor(conferenceId: string, snapshot: OrderSnapshot | undefined, selection?: Selection): Promise<SeatChoice[]> {
    const lines = new Map((snapshot?.draft.lines ?? []).map((line) => [line.seatType, line]));
    return (await catalogue.seatTypes(conferenceId)).map((seatType) => {
      const line = lines.get(seatType.id);
      const held = line?.reserved ?? 0;
      return {
        seatTypeId: seatType.id,
        name: seatType.name,
        description: seatType.description,
        price: seatType.price,
        available: seatType.available + held,
        selected: selection?.get(seatType.id) ?? held,
        shortfall: line !== undefined && line.requested > line.reserved,
      };
    });
  }

  /**
   * The seat selection of an existing order: a confirmed order is completed, an expired one (or one
   * past its hold) goes to the expired page; a payment in progress or an unpublished conference
   * lock the form.
   */
  async function showOrder(
    reply: FastifyReply,
    conference: OrderingConference,
    snapshot: OrderSnapshot,
    options: { errors?: string[]; selection?: Selection; status?: number } = {},
  ): Promise<FastifyReply> {
    const { draft, payment } = snapshot;
    const paths = registrationPaths(conference.slug);
    if (draft.state === 'Confirmed') return render(reply, <CompletedPage conference={conference} />);
    if (isFinal(draft) || holdOver(draft)) return reply.redirect(paths.expired(draft.orderId), 303);
    const paying = payment?.status === 'Initiated' || payment?.status === 'Completed';
    const refusal = !conference.isPublished ? REGISTRATION_CLOSED : paying ? PAYMENT_IN_PROGRESS : undefined;
    const errors = [...(options.errors ?? []), ...(refusal ? [refusal] : [])];
    return render(
      reply,
      <SeatSelectionPage
        conference={conference}
        csrf={reply.generateCsrf()}
        orderId={draft.orderId}
        orderVersion={draft.version}
        choices={await choicesFor(conference.id, snapshot, options.selection)}
        errors={[...new Set(errors)]}
        locked={refusal !== undefined}
        countdown={{ ...holdTimes(draft), expiredHref: paths.expired(draft.orderId) }}
      />,
      options.status ?? 200,
    );
  }

  async function showNewOrder(reply: FastifyReply, conference: ConferenceRef & { id: string }, orderId: string, options: { errors?: string[]; selection?: Selection; status?: number } = {}) {
    return render(
      reply,
      <SeatSelectionPage
        conference={conference}
        csrf={reply.generateCsrf()}
        orderId={orderId}
        orderVersion={-1}
        choices={await choicesFor(conference.id, undefined, options.selection)}
        errors={options.errors}
      />,
      options.status ?? 200,
    );
  }

  return async (app) => {
    app.get<{ Params: { slug: string }; Querystring: Record<string, string | undefined> }>('/:slug/register', PAGE, async (request, reply) => {
      if (request.query.orderId === undefined) {
        const conference = await pageConference(catalogue, request, reply);
        if (!conference) return reply;
        return showNewOrder(reply, conference, newId());
      }
      const opened = await openOrder(context, request as OrderPageRequest, reply);
      if (!opened) return reply;
      const { snapshot, ready } = await waitForOrder(context, opened.orderId, ({ draft }) => draft.state !== 'PendingReservation', opened.minPosition);
      if (!snapshot || !ready) return sendWaitingPage(reply, opened.conference, REGISTRATION_UNKNOWN);
      return showOrder(reply, opened.conference, snapshot);
    });

    app.post<{ Params: { slug: string } }>('/:slug/register', { ...PAGE, preHandler: app.csrfProtection }, async (request, reply) => {
      const conference = await orderConference(catalogue, request, reply);
      if (!conference) return reply;
      const paths = registrationPaths(conference.slug);
      const seatTypes = await catalogue.seatTypes(conference.id);
      const seats: SeatRequest[] = seatTypes.map((seatType) => ({ seatTypeId: seatType.id, quantity: quantityOf(formText(request.body, quantityField(seatType.id))) }));
      const selection: Selection = new Map(seats.map((seat) => [seat.seatTypeId, Math.max(seat.quantity, 0)]));
      const givenId = formText(request.body, 'orderId');
      const orderId = UUID.test(givenId) ? givenId.toLowerCase() : newId();
      const seenVersion = versionOf(formText(request.body, 'orderVersion'));
      // An order of another conference is not changed under this one's path: placing it again is refused (→ locate).
      const held = holdsOrder(request, orderId) ? await context.order(orderId) : undefined;
      const existing = held !== undefined && held.status !== 'None' && held.conferenceId === conference.id;

      try {
        if (existing) {
          const { position } = await updateSeats(context, orderId, seats);
          return reply.redirect(withPosition(`${paths.checkout(orderId)}&version=${seenVersion}`, position), 303);
        }
        const placed = await placeOrder(context, conference.slug, seats, { orderId });
        grantOrder(request, placed.orderId);
        return reply.redirect(withPosition(`${paths.checkout(placed.orderId)}&version=-1`, placed.position), 303);
      } catch (error) {
        const messages = error instanceof ValidationError ? [...new Set(Object.values(error.fields))] : undefined;
        if (error instanceof OrderExistsError) return reply.redirect(paths.locate, 303);
        if (error instanceof NotFoundError) return sendNotFoundPage(reply, INVALID_CONFERENCE_CODE);
        if (!messages && !(error instanceof DomainError)) throw error;
        const errors = messages ?? [(error as Error).message];
        const status = messages ? 422 : 409;
        if (!existing) return showNewOrder(reply, conference, orderId, { errors, selection, status });
        const { snapshot } = await waitForOrder(context, orderId, () => true);
        if (!snapshot) return sendWaitingPage(reply, conference, REGISTRATION_UNKNOWN);
        return showOrder(reply, conference, snapshot, { errors, selection, status });
      }
    });
  };
}

/** A quantity as the form sent it: blank is 0; anything but digits is refused as an invalid registration. */
function quantityOf(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return 0;
  return /^\d{1,6}$/.test(trimmed) ? Number(trimmed) : -1;
}

function versionOf(text: string): number {
  return /^\d{1,15}$/.test(text) ? Number(text) : -1;
}

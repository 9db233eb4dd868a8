import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { formText } from '../../../web/pages/form-values.ts';
import { PAGE, render } from '../../../web/pages/render.ts';
import type { PersonalInfo } from '../contract.ts';
import { type AssignedSeat, assignSeat, seatAssignments, unassignSeat } from '../service/assignments.ts';
import type { ServiceContext } from '../service/context.ts';
import { DomainError, NotFoundError } from '../service/errors.ts';
import { ATTENDEE_FIELDS, AssignSeatsPage, type SeatRow, seatField } from './assign-seats-page.tsx';
import { type OpenedOrder, type OrderPageRequest, openOrder, withPosition } from './order-page.ts';
import { REGISTRATION_UNKNOWN } from './outcome-pages.tsx';
import { registrationPaths } from './paths.ts';
import { type SeatChange, planSeatChanges } from './seat-changes.ts';
import { sendWaitingPage } from './waiting.tsx';

/**
 * Assign seats (DOMAIN 6.1): `/{slug}/order/{orderId}/seats`, one row per purchased seat of a
 * confirmed order. Saving validates every row first; only then are the seats assigned or freed.
 */
export function assignSeatsRoutes(context: ServiceContext): FastifyPluginAsync {
  /** The order's seats; for an order not confirmed the visitor is sent to its details (which say why). */
  async function seatsOf(reply: FastifyReply, opened: OpenedOrder): Promise<AssignedSeat[] | undefined> {
    try {
      const { seats, stale } = await seatAssignments(context, opened.orderId, { minPosition: opened.minPosition, waitMs: 0 });
      if (seats.length > 0 || !stale) return seats;
      sendWaitingPage(reply, opened.conference, REGISTRATION_UNKNOWN);
    } catch (error) {
      if (!(error instanceof DomainError || error instanceof NotFoundError)) throw error;
      void reply.redirect(registrationPaths(opened.conference.slug).order(opened.orderId), 303);
    }
    return undefined;
  }

  function show(reply: FastifyReply, opened: OpenedOrder, rows: SeatRow[], status = 200, message?: string) {
    return render(reply, <AssignSeatsPage conference={opened.conference} csrf={reply.generateCsrf()} orderId={opened.orderId} rows={rows} message={message} />, status);
  }

  return async (app) => {
    app.get('/:slug/order/:orderId/seats', PAGE, async (request, reply) => {
      const opened = await openOrder(context, request as OrderPageRequest, reply);
      if (!opened) return reply;
      const seats = await seatsOf(reply, opened);
      if (!seats) return reply;
      return show(reply, opened, seats.map(storedRow));
    });

    app.post('/:slug/order/:orderId/seats', { ...PAGE, preHandler: app.csrfProtection }, async (request, reply) => {
      const opened = await openOrder(context, request as OrderPageRequest, reply);
      if (!opened) return reply;
      const seats = await seatsOf(reply, opened);
      if (!seats) return reply;
      const typed = seats.map((seat) => ({
        seat,
        values: Object.fromEntries(ATTENDEE_FIELDS.map((field) => [field, formText(request.body, seatField(field, seat.position))])) as PersonalInfo,
      }));
      const plan = planSeatChanges(typed.map(({ seat, values }) => ({ position: seat.position, stored: seat.attendee, typed: values })));
      if (!plan.ok) {
        const rows = typed.map(({ seat, values }) => ({ position: seat.position, seatTypeName: seat.seatTypeName, ...values, errors: plan.errors.get(seat.position) }));
        return show(reply, opened, rows, 422);
      }
      let position = 0;
      for (const change of plan.changes) position = Math.max(position, await apply(change));
      return reply.redirect(withPosition(registrationPaths(opened.conference.slug).order(opened.orderId), position), 303);

      async function apply(change: SeatChange): Promise<number> {
        const done = change.attendee ? await assignSeat(context, opened!.orderId, change.position, change.attendee) : await unassignSeat(context, opened!.orderId, change.position);
        return done.position;
      }
    });
  };
}

/** A seat as the form first shows it: its attendee as stored. */
function storedRow(seat: AssignedSeat): SeatRow {
  const attendee = seat.attendee ?? { firstName: '', lastName: '', email: '' };
  return { position: seat.position, seatTypeName: seat.seatTypeName, ...attendee };
}

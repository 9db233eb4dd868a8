import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../../../platform/processing/handler.ts';
import { versionOf } from '../../../platform/processing/in-order.ts';
import { ensureConference } from '../catalogue/projection.ts';
import type { SeatQuantity, SeatsAvailabilityEventType } from '../contract.ts';
import type { RegistrationReadModelDb } from './schema.ts';

export const SEAT_AVAILABILITY_PROJECTION = 'seat-availability';

/**
 * The available quantity of the catalogue's seat types (DOMAIN 5.2 "Seat type"): every availability
 * event of a conference's SeatsAvailability stream carries the absolute `remaining` of the seat types
 * it changed; a seat type takes it only when the event is newer than the one it has applied (P1, P3),
 * so no ordering is needed. A seat type the catalogue does not know yet gets a placeholder row (and
 * its conference one), which its `SeatCreated` later fills in (P4).
 */
export const seatAvailabilityProjection: MessageHandler = {
  name: SEAT_AVAILABILITY_PROJECTION,
  types: ['AvailableSeatsChanged', 'SeatsReserved', 'SeatsReservationCancelled'] satisfies SeatsAvailabilityEventType[],
  sideEffects: false,
  async handle(message: LoggedMessage, context: HandlerContext) {
    const db = context.tx.db as unknown as RegistrationReadModelDb;
    const conferenceId = message.metadata.sourceId;
    const version = versionOf(message);
    const { remaining } = message.data as { remaining: SeatQuantity[] };
    if (remaining.length > 0) await ensureConference(db, conferenceId);
    for (const { seatType, quantity } of remaining) {
      const availability = { available_quantity: quantity, availability_version: version };
      await db
        .insertInto('reg_seat_types')
        .values({
          id: seatType,
          conference_id: conferenceId,
          name: null,
          description: null,
          price: null,
          quantity: null,
          seat_type_version: -1,
          created_position: null,
          ...availability,
        })
        .onConflict((oc) => oc.column('id').doUpdateSet(availability).where('reg_seat_types.availability_version', '<', version))
        .execute();
    }
    context.tx.topics.add('read_models');
  },
};

import type { Kysely } from 'kysely';
import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../../../platform/processing/handler.ts';
import type { SeatQuantity, SeatsAvailabilityEventType, SeatsReserved } from '../../registration/contract.ts';
import { eventsToApply, versionOf } from '../../../platform/processing/in-order.ts';
import type { ManagementReadModelsDatabase } from './schema.ts';

export type ReadModelDb = Kysely<ManagementReadModelsDatabase>;

/** The read-model name of API.md Operator. */
export const SEAT_SALES_PROJECTION = 'seat-sales';

/**
 * The `seat_sales` row of a seat type, created empty when missing (P4: availability or sales may
 * arrive before the seat type is known). `remaining_version` −1 means no availability yet: the
 * whole quota remains.
 */
async function ensureSeatSales(db: ReadModelDb, conferenceId: string, seatTypeId: string, at: string): Promise<void> {
  await db
    .insertInto('seat_sales')
    .values({ seat_type_id: seatTypeId, conference_id: conferenceId, sold: 0, held: 0, remaining: 0, held_version: -1, remaining_version: -1, updated_at: at })
    .onConflict((oc) => oc.column('seat_type_id').doNothing())
    .execute();
}

/** Sold seats of a confirmed order's line (Seat sales summary, DOMAIN 5.3). */
export async function addSold(db: ReadModelDb, conferenceId: string, seatTypeId: string, quantity: number, at: string): Promise<void> {
  await ensureSeatSales(db, conferenceId, seatTypeId, at);
  await db
    .updateTable('seat_sales')
    .set((eb) => ({ sold: eb('sold', '+', quantity), updated_at: at }))
    .where('seat_type_id', '=', seatTypeId)
    .execute();
}

/**
 * Held and remaining seats of the Seat sales summary (DOMAIN 5.3), from each conference's
 * SeatsAvailability stream applied in version order: held = the seats of the pending reservations
 * (`SeatsReserved` sets a reservation's holding, `SeatsReservationCommitted`/`Cancelled` end it),
 * remaining = the absolute `Remaining` of the latest availability event.
 */
export const seatSalesProjection: MessageHandler = {
  name: SEAT_SALES_PROJECTION,
  types: ['AvailableSeatsChanged', 'SeatsReserved', 'SeatsReservationCommitted', 'SeatsReservationCancelled'] satisfies SeatsAvailabilityEventType[],
  sideEffects: false,
  async handle(message: LoggedMessage, context: HandlerContext) {
    const db = context.tx.db as unknown as ReadModelDb;
    const conferenceId = message.metadata.sourceId;
    const row = await db.selectFrom('mgmt_availability').select('version').where('conference_id', '=', conferenceId).executeTakeFirst();
    const events = await eventsToApply(context, row?.version ?? -1);
    if (events.length === 0) return;
    for (const event of events) await applyAvailability(db, conferenceId, event);
    const version = versionOf(message);
    await db
      .insertInto('mgmt_availability')
      .values({ conference_id: conferenceId, version })
      .onConflict((oc) => oc.column('conference_id').doUpdateSet({ version }))
      .execute();
    context.tx.topics.add('read_models');
  },
};

async function applyAvailability(db: ReadModelDb, conferenceId: string, event: LoggedMessage): Promise<void> {
  const at = event.metadata.createdAt;
  const version = versionOf(event);
  const data = event.data as Partial<SeatsReserved> & { reservationId?: string };
  const touched = new Set<string>();
  if (data.reservationId !== undefined) {
    const held = await db
      .deleteFrom('mgmt_reservations')
      .where('conference_id', '=', conferenceId)
      .where('reservation_id', '=', data.reservationId)
      .returning('seat_type_id')
      .execute();
    for (const { seat_type_id } of held) touched.add(seat_type_id);
    const details = (event.type as SeatsAvailabilityEventType) === 'SeatsReserved' ? (data.reservationDetails ?? []).filter((seat) => seat.quantity > 0) : [];
    if (details.length > 0) {
      await db
        .insertInto('mgmt_reservations')
        .values(details.map((seat) => ({ conference_id: conferenceId, reservation_id: data.reservationId!, seat_type_id: seat.seatType, quantity: seat.quantity })))
        .execute();
    }
    for (const seat of details) touched.add(seat.seatType);
  }
  for (const seatType of touched) await recountHeld(db, conferenceId, seatType, version, at);
  for (const seat of data.remaining ?? []) await setRemaining(db, conferenceId, seat, version, at);
}

async function recountHeld(db: ReadModelDb, conferenceId: string, seatTypeId: string, version: number, at: string): Promise<void> {
  await ensureSeatSales(db, conferenceId, seatTypeId, at);
  const { held } = await db
    .selectFrom('mgmt_reservations')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('quantity'), eb.lit(0)).as('held'))
    .where('seat_type_id', '=', seatTypeId)
    .executeTakeFirstOrThrow();
  await db.updateTable('seat_sales').set({ held: Number(held), held_version: version, updated_at: at }).where('seat_type_id', '=', seatTypeId).execute();
}

async function setRemaining(db: ReadModelDb, conferenceId: string, seat: SeatQuantity, version: number, at: string): Promise<void> {
  await ensureSeatSales(db, conferenceId, seat.seatType, at);
  await db
    .updateTable('seat_sales')
    .set({ remaining: seat.quantity, remaining_version: version, updated_at: at })
    .where('seat_type_id', '=', seat.seatType)
    .execute();
}

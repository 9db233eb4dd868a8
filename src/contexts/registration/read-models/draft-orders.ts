import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { MessageHandler } from '../../../platform/processing/handler.ts';
import { versionOf } from '../../../platform/processing/in-order.ts';
import { type KeyedChange, type KeyedProjection, keyedHandler } from '../../../platform/read-models/keyed-projection.ts';
import { excludedColumns, groupBy } from '../../../platform/read-models/rows.ts';
import { emailKey } from '../../shared/text-rules.ts';
import type { MessagesOf } from '../../shared/typed-messages.ts';
import { type OrderEventType, OrderEvents, type SeatQuantity } from '../contract.ts';
import type { DraftOrder } from './queries.ts';
import { type RegistrationReadModelDb, readModelDb } from './schema.ts';

export const DRAFT_ORDERS_PROJECTION = 'draft-orders';

export const ORDER_EVENT_TYPES = Object.keys(OrderEvents) as OrderEventType[];

type OrderEvent = MessagesOf<typeof OrderEvents>;
type Line = DraftOrder['lines'][number];

/**
 * Draft orders (DOMAIN 5.2): what the registrant asked for, what is reserved, and the order's state,
 * `Expired` included. Each Order stream is applied in version order (P1, P2) and every Order event
 * advances the row's version, so an order view can be answered at a version the priced order
 * reached too.
 */
export const draftOrders: KeyedProjection<DraftOrder> = {
  name: DRAFT_ORDERS_PROJECTION,
  types: ORDER_EVENT_TYPES,
  load: (tx, orderIds) => loadDrafts(readModelDb(tx), orderIds),
  evolve: (draft, orderId, message) => evolveDraft(draft, orderId, message),
  save: (tx, changes) => saveDrafts(readModelDb(tx), changes),
};

export const draftOrdersProjection: MessageHandler = keyedHandler(draftOrders);

/** The draft order after one more event of its stream; the first must be its `OrderPlaced`. */
export function evolveDraft(draft: DraftOrder | undefined, orderId: string, message: LoggedMessage): DraftOrder {
  const event = message as unknown as OrderEvent;
  const version = versionOf(message);
  if (event.type === 'OrderPlaced') {
    const { conferenceId, seats, reservationAutoExpiration, accessCode } = event.data;
    return {
      orderId,
      conferenceId,
      state: 'PendingReservation',
      lines: requestedLines(seats),
      reservationExpiration: reservationAutoExpiration,
      placedAt: message.metadata.createdAt,
      accessCode,
      registrant: null,
      lastConfirmationRejection: null,
      version,
    };
  }
  if (!draft) throw new Error(`Order ${orderId}: ${message.type} v${version} comes before its OrderPlaced`);
  const next = { ...draft, version };
  switch (event.type) {
    case 'OrderUpdated':
      return { ...next, state: 'PendingReservation', lines: requestedLines(event.data.seats) };
    case 'OrderPartiallyReserved':
    case 'OrderReservationCompleted':
      return {
        ...next,
        state: event.type === 'OrderPartiallyReserved' ? 'PartiallyReserved' : 'ReservationCompleted',
        lines: withReserved(draft.lines, event.data.seats),
        reservationExpiration: event.data.reservationExpiration,
      };
    case 'OrderRegistrantAssigned':
      return { ...next, registrant: { ...event.data } };
    case 'OrderConfirmed':
      return { ...next, state: 'Confirmed' };
    case 'OrderExpired':
      return { ...next, state: 'Expired' };
    case 'OrderConfirmationRejected':
      return { ...next, lastConfirmationRejection: { reason: event.data.reason, paymentId: event.data.paymentId ?? null } };
    default:
      // OrderTotalsCalculated and any other Order event: only the version advances (P2).
      return next;
  }
}

const requestedLines = (seats: SeatQuantity[]): Line[] => seats.map((seat) => ({ seatType: seat.seatType, requested: seat.quantity, reserved: 0 }));

/** Reserved quantities per requested line; a reserved seat type that was not requested gets its own line. */
function withReserved(lines: Line[], reserved: SeatQuantity[]): Line[] {
  const reservedOf = (seatType: string) => reserved.filter((seat) => seat.seatType === seatType).reduce((sum, seat) => sum + seat.quantity, 0);
  const extra = reserved.filter((seat) => !lines.some((line) => line.seatType === seat.seatType));
  return [
    ...lines.map((line) => ({ ...line, reserved: reservedOf(line.seatType) })),
    ...extra.map((seat) => ({ seatType: seat.seatType, requested: 0, reserved: seat.quantity })),
  ];
}

/** The stored draft order, or undefined before its `OrderPlaced` was applied. */
export async function loadDraft(db: RegistrationReadModelDb, orderId: string): Promise<DraftOrder | undefined> {
  return (await loadDrafts(db, [orderId])).get(orderId);
}

/** The stored draft orders of these ids, by id. */
async function loadDrafts(db: RegistrationReadModelDb, orderIds: readonly string[]): Promise<Map<string, DraftOrder>> {
  const drafts = new Map<string, DraftOrder>();
  if (orderIds.length === 0) return drafts;
  const rows = await db.selectFrom('reg_draft_orders').selectAll().where('order_id', 'in', orderIds).execute();
  if (rows.length === 0) return drafts;
  const lines = await db
    .selectFrom('reg_draft_order_lines')
    .select(['order_id', 'seat_type', 'requested', 'reserved'])
    .where('order_id', 'in', rows.map((row) => row.order_id))
    .orderBy('order_id')
    .orderBy('position')
    .execute();
  const linesOf = groupBy(lines, (line) => line.order_id);
  for (const row of rows) {
    drafts.set(row.order_id, {
      orderId: row.order_id,
      conferenceId: row.conference_id,
      state: row.state as DraftOrder['state'],
      lines: (linesOf.get(row.order_id) ?? []).map((line) => ({ seatType: line.seat_type, requested: line.requested, reserved: line.reserved })),
      reservationExpiration: row.reservation_expiration,
      placedAt: row.placed_at,
      accessCode: row.access_code,
      registrant:
        row.registrant_email === null
          ? null
          : { firstName: row.registrant_first_name ?? '', lastName: row.registrant_last_name ?? '', email: row.registrant_email },
      lastConfirmationRejection: row.rejection_reason === null ? null : { reason: row.rejection_reason, paymentId: row.rejection_payment_id },
      version: row.version,
    });
  }
  return drafts;
}

/** Saves the changed orders' columns, and their lines where those changed. */
async function saveDrafts(db: RegistrationReadModelDb, changes: ReadonlyArray<KeyedChange<DraftOrder>>): Promise<void> {
  const rows = changes.map(({ state: draft }) => {
    const { registrant, lastConfirmationRejection: rejection } = draft;
    return {
      order_id: draft.orderId,
      conference_id: draft.conferenceId,
      state: draft.state,
      reservation_expiration: draft.reservationExpiration,
      placed_at: draft.placedAt,
      access_code: draft.accessCode,
      access_code_key: draft.accessCode.toUpperCase(),
      registrant_first_name: registrant?.firstName ?? null,
      registrant_last_name: registrant?.lastName ?? null,
      registrant_email: registrant?.email ?? null,
      registrant_email_key: registrant ? emailKey(registrant.email) : null,
      rejection_reason: rejection?.reason ?? null,
      rejection_payment_id: rejection?.paymentId ?? null,
      version: draft.version,
    };
  });
  await db
    .insertInto('reg_draft_orders')
    .values(rows)
    .onConflict((oc) => oc.column('order_id').doUpdateSet(excludedColumns(rows[0], 'order_id')))
    .execute();
  const relined = changes.filter(({ state, before }) => state.lines !== before?.lines);
  const replaced = relined.filter(({ before }) => before !== undefined).map(({ key }) => key);
  if (replaced.length > 0) await db.deleteFrom('reg_draft_order_lines').where('order_id', 'in', replaced).execute();
  const lines = relined.flatMap(({ key, state }) =>
    state.lines.map((line, position) => ({ order_id: key, position, seat_type: line.seatType, requested: line.requested, reserved: line.reserved })),
  );
  if (lines.length > 0) await db.insertInto('reg_draft_order_lines').values(lines).execute();
}

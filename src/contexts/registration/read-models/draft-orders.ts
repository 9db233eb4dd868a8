import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../../../platform/processing/handler.ts';
import { eventsToApply, versionOf } from '../../../platform/processing/in-order.ts';
import { emailKey } from '../../shared/text-rules.ts';
import type { MessagesOf } from '../../shared/typed-messages.ts';
import { type OrderEventType, OrderEvents, type SeatQuantity } from '../contract.ts';
import type { DraftOrder } from './queries.ts';
import type { RegistrationReadModelDb } from './schema.ts';

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
export const draftOrdersProjection: MessageHandler = {
  name: DRAFT_ORDERS_PROJECTION,
  types: ORDER_EVENT_TYPES,
  sideEffects: false,
  async handle(message: LoggedMessage, context: HandlerContext) {
    const db = context.tx.db as unknown as RegistrationReadModelDb;
    const orderId = message.metadata.sourceId;
    const stored = await loadDraft(db, orderId);
    const events = await eventsToApply(context, stored?.version ?? -1);
    if (events.length === 0) return;
    let draft = stored;
    for (const event of events) draft = evolveDraft(draft, orderId, event);
    await saveDraft(db, draft!, draft!.lines !== stored?.lines);
    context.tx.topics.add('read_models');
  },
};

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
  const row = await db.selectFrom('reg_draft_orders').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  if (!row) return undefined;
  const lines = await db
    .selectFrom('reg_draft_order_lines')
    .select(['seat_type', 'requested', 'reserved'])
    .where('order_id', '=', orderId)
    .orderBy('position')
    .execute();
  return {
    orderId,
    conferenceId: row.conference_id,
    state: row.state as DraftOrder['state'],
    lines: lines.map((line) => ({ seatType: line.seat_type, requested: line.requested, reserved: line.reserved })),
    reservationExpiration: row.reservation_expiration,
    placedAt: row.placed_at,
    accessCode: row.access_code,
    registrant:
      row.registrant_email === null
        ? null
        : { firstName: row.registrant_first_name ?? '', lastName: row.registrant_last_name ?? '', email: row.registrant_email },
    lastConfirmationRejection: row.rejection_reason === null ? null : { reason: row.rejection_reason, paymentId: row.rejection_payment_id },
    version: row.version,
  };
}

/** Saves the order's columns, and its lines when they changed. */
async function saveDraft(db: RegistrationReadModelDb, draft: DraftOrder, linesChanged: boolean): Promise<void> {
  const { orderId, registrant, lastConfirmationRejection: rejection } = draft;
  const columns = {
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
  await db
    .insertInto('reg_draft_orders')
    .values({ order_id: orderId, ...columns })
    .onConflict((oc) => oc.column('order_id').doUpdateSet(columns))
    .execute();
  if (!linesChanged) return;
  await db.deleteFrom('reg_draft_order_lines').where('order_id', '=', orderId).execute();
  if (draft.lines.length > 0) {
    await db
      .insertInto('reg_draft_order_lines')
      .values(draft.lines.map((line, position) => ({ order_id: orderId, position, seat_type: line.seatType, requested: line.requested, reserved: line.reserved })))
      .execute();
  }
}

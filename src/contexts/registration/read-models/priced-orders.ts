import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../../../platform/processing/handler.ts';
import { eventsToApply, versionOf } from '../../../platform/processing/in-order.ts';
import type { MessagesOf } from '../../shared/typed-messages.ts';
import type { OrderEvents, OrderLine, SeatAssignmentsCreated } from '../contract.ts';
import { ORDER_EVENT_TYPES } from './draft-orders.ts';
import type { PricedOrder } from './queries.ts';
import type { RegistrationReadModelDb } from './schema.ts';

export const PRICED_ORDERS_PROJECTION = 'priced-orders';

type OrderEvent = MessagesOf<typeof OrderEvents>;

/** A priced order as stored: a line's description is null when its seat type's name was unknown when priced. */
export type StoredPricedOrder = Omit<PricedOrder, 'lines'> & { lines: Array<Omit<PricedOrder['lines'][number], 'description'> & { description: string | null }> };

/**
 * Priced orders (DOMAIN 5.2): the lines and total of each order's latest `OrderTotalsCalculated`,
 * its hold end and status; an expired order keeps its row. Each Order stream is applied in version
 * order (P1, P2), every Order event advancing the version. A line's description is the seat type's
 * name in the catalogue when the line is priced. `SeatAssignmentsCreated` records the assignments
 * id without changing the version; arriving before the order, it leaves a placeholder (P4).
 */
export const pricedOrdersProjection: MessageHandler = {
  name: PRICED_ORDERS_PROJECTION,
  types: [...ORDER_EVENT_TYPES, 'SeatAssignmentsCreated'],
  sideEffects: false,
  async handle(message: LoggedMessage, context: HandlerContext) {
    const db = context.tx.db as unknown as RegistrationReadModelDb;
    if (message.type === 'SeatAssignmentsCreated') await recordAssignments(db, message.metadata.sourceId, message.data as SeatAssignmentsCreated);
    else await applyOrderEvents(db, context);
    context.tx.topics.add('read_models');
  },
};

async function applyOrderEvents(db: RegistrationReadModelDb, context: HandlerContext): Promise<void> {
  const orderId = context.message.metadata.sourceId;
  const stored = await loadPricedOrder(db, orderId);
  const events = await eventsToApply(context, stored?.version ?? -1);
  if (events.length === 0) return;
  let order = stored;
  for (const event of events) order = await evolvePriced(db, order, orderId, event);
  await savePricedOrder(db, order!, order!.lines !== stored?.lines);
}

/** The priced order after one more event of its stream; reads seat-type names for new lines. */
async function evolvePriced(db: RegistrationReadModelDb, order: StoredPricedOrder | undefined, orderId: string, message: LoggedMessage): Promise<StoredPricedOrder> {
  const event = message as unknown as OrderEvent;
  const version = versionOf(message);
  if (event.type === 'OrderPlaced') {
    return {
      orderId,
      conferenceId: event.data.conferenceId,
      lines: [],
      total: 0,
      isFreeOfCharge: false,
      reservationExpiration: event.data.reservationAutoExpiration,
      status: 'Reserved',
      assignmentsId: order?.assignmentsId ?? null,
      version,
    };
  }
  if (!order || order.version < 0) throw new Error(`Order ${orderId}: ${message.type} v${version} comes before its OrderPlaced`);
  const next = { ...order, version };
  switch (event.type) {
    case 'OrderPartiallyReserved':
    case 'OrderReservationCompleted':
      return { ...next, reservationExpiration: event.data.reservationExpiration };
    case 'OrderTotalsCalculated':
      return { ...next, lines: await describedLines(db, event.data.lines), total: event.data.total, isFreeOfCharge: event.data.isFreeOfCharge };
    case 'OrderConfirmed':
      return { ...next, status: 'Confirmed' };
    case 'OrderExpired':
      return { ...next, status: 'Expired' };
    default:
      // Every other Order event: only the version advances (P2).
      return next;
  }
}

/** Priced lines in the event's order, described by their seat type's name as the catalogue knows it now. */
async function describedLines(db: RegistrationReadModelDb, lines: OrderLine[]): Promise<StoredPricedOrder['lines']> {
  const seatTypes = [...new Set(lines.map((line) => line.seatType))];
  const names =
    seatTypes.length === 0
      ? []
      : await db.selectFrom('reg_seat_types').select(['id', 'name']).where('id', 'in', seatTypes).execute();
  return lines.map((line, position) => ({ position, ...line, description: names.find((row) => row.id === line.seatType)?.name ?? null }));
}

async function recordAssignments(db: RegistrationReadModelDb, assignmentsId: string, { orderId, conferenceId }: SeatAssignmentsCreated): Promise<void> {
  await db
    .insertInto('reg_priced_orders')
    .values({ ...placeholderColumns(conferenceId), order_id: orderId, assignments_id: assignmentsId })
    .onConflict((oc) => oc.column('order_id').doUpdateSet({ assignments_id: assignmentsId }))
    .execute();
}

/** A row that only records the assignments id of an order not applied yet (P4). */
const placeholderColumns = (conferenceId: string) => ({
  conference_id: conferenceId,
  total: 0,
  is_free_of_charge: 0,
  reservation_expiration: null,
  status: 'Reserved',
  version: -1,
});

/** The stored priced order, placeholder included (version −1). */
export async function loadPricedOrder(db: RegistrationReadModelDb, orderId: string): Promise<StoredPricedOrder | undefined> {
  const row = await db.selectFrom('reg_priced_orders').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  if (!row) return undefined;
  const lines = await db.selectFrom('reg_priced_order_lines').selectAll().where('order_id', '=', orderId).orderBy('position').execute();
  return {
    orderId,
    conferenceId: row.conference_id,
    lines: lines.map((line) => ({
      position: line.position,
      seatType: line.seat_type,
      description: line.description,
      unitPrice: line.unit_price,
      quantity: line.quantity,
      lineTotal: Number(line.line_total),
    })),
    total: Number(row.total),
    isFreeOfCharge: row.is_free_of_charge === 1,
    reservationExpiration: row.reservation_expiration,
    status: row.status as PricedOrder['status'],
    assignmentsId: row.assignments_id,
    version: row.version,
  };
}

/** Saves the order's own columns, and its lines when they changed; the assignments id is only written by `recordAssignments`. */
async function savePricedOrder(db: RegistrationReadModelDb, order: StoredPricedOrder, linesChanged: boolean): Promise<void> {
  const { orderId } = order;
  const columns = {
    conference_id: order.conferenceId,
    total: order.total,
    is_free_of_charge: order.isFreeOfCharge ? 1 : 0,
    reservation_expiration: order.reservationExpiration,
    status: order.status,
    version: order.version,
  };
  await db
    .insertInto('reg_priced_orders')
    .values({ order_id: orderId, ...columns, assignments_id: null })
    .onConflict((oc) => oc.column('order_id').doUpdateSet(columns))
    .execute();
  if (!linesChanged) return;
  await db.deleteFrom('reg_priced_order_lines').where('order_id', '=', orderId).execute();
  if (order.lines.length > 0) {
    await db
      .insertInto('reg_priced_order_lines')
      .values(
        order.lines.map((line) => ({
          order_id: orderId,
          position: line.position,
          seat_type: line.seatType,
          description: line.description,
          unit_price: line.unitPrice,
          quantity: line.quantity,
          line_total: line.lineTotal,
        })),
      )
      .execute();
  }
}

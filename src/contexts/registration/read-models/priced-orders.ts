import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { MessageHandler } from '../../../platform/processing/handler.ts';
import { versionOf } from '../../../platform/processing/in-order.ts';
import { type FoldScope, type KeyedChange, type KeyedProjection, keyedHandler } from '../../../platform/read-models/keyed-projection.ts';
import { excludedColumns, groupBy } from '../../../platform/read-models/rows.ts';
import type { MessagesOf } from '../../shared/typed-messages.ts';
import type { OrderEvents, OrderLine, SeatAssignmentsCreated } from '../contract.ts';
import { ORDER_EVENT_TYPES } from './draft-orders.ts';
import type { PricedOrder } from './queries.ts';
import { type RegistrationReadModelDb, readModelDb } from './schema.ts';

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
export const pricedOrders: KeyedProjection<StoredPricedOrder> = {
  name: PRICED_ORDERS_PROJECTION,
  types: [...ORDER_EVENT_TYPES, 'SeatAssignmentsCreated'],
  keyOf: (message) => (message.type === 'SeatAssignmentsCreated' ? (message.data as SeatAssignmentsCreated).orderId : message.metadata.sourceId),
  inStream: (message) => message.type !== 'SeatAssignmentsCreated',
  load: (tx, orderIds) => loadPricedOrders(readModelDb(tx), orderIds),
  evolve: evolvePriced,
  save: (tx, changes) => savePricedOrders(readModelDb(tx), changes),
};

export const pricedOrdersProjection: MessageHandler = keyedHandler(pricedOrders);

/** The priced order after one more message; reads seat-type names for new lines. */
async function evolvePriced(order: StoredPricedOrder | undefined, orderId: string, message: LoggedMessage, scope: FoldScope): Promise<StoredPricedOrder> {
  if (message.type === 'SeatAssignmentsCreated') {
    const { conferenceId } = message.data as SeatAssignmentsCreated;
    return { ...(order ?? placeholder(orderId, conferenceId)), assignmentsId: message.metadata.sourceId };
  }
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
      return { ...next, lines: await describedLines(scope, event.data.lines), total: event.data.total, isFreeOfCharge: event.data.isFreeOfCharge };
    case 'OrderConfirmed':
      return { ...next, status: 'Confirmed' };
    case 'OrderExpired':
      return { ...next, status: 'Expired' };
    default:
      // Every other Order event: only the version advances (P2).
      return next;
  }
}

/** A row that only records the assignments id of an order not applied yet (P4). */
const placeholder = (orderId: string, conferenceId: string): StoredPricedOrder => ({
  orderId,
  conferenceId,
  lines: [],
  total: 0,
  isFreeOfCharge: false,
  reservationExpiration: null,
  status: 'Reserved',
  assignmentsId: null,
  version: -1,
});

/**
 * Priced lines in the event's order, described by their seat type's name as the catalogue knows it
 * now (names looked up once per batch).
 */
async function describedLines(scope: FoldScope, lines: OrderLine[]): Promise<StoredPricedOrder['lines']> {
  const names = scope.memo as Map<string, string | null>;
  const unknown = [...new Set(lines.map((line) => line.seatType))].filter((id) => !names.has(id));
  if (unknown.length > 0) {
    const rows = await readModelDb(scope.tx).selectFrom('reg_seat_types').select(['id', 'name']).where('id', 'in', unknown).execute();
    for (const id of unknown) names.set(id, rows.find((row) => row.id === id)?.name ?? null);
  }
  return lines.map((line, position) => ({ position, ...line, description: names.get(line.seatType) ?? null }));
}

/** The stored priced order, placeholder included (version −1). */
export async function loadPricedOrder(db: RegistrationReadModelDb, orderId: string): Promise<StoredPricedOrder | undefined> {
  return (await loadPricedOrders(db, [orderId])).get(orderId);
}

async function loadPricedOrders(db: RegistrationReadModelDb, orderIds: readonly string[]): Promise<Map<string, StoredPricedOrder>> {
  const orders = new Map<string, StoredPricedOrder>();
  if (orderIds.length === 0) return orders;
  const rows = await db.selectFrom('reg_priced_orders').selectAll().where('order_id', 'in', orderIds).execute();
  if (rows.length === 0) return orders;
  const lines = await db
    .selectFrom('reg_priced_order_lines')
    .selectAll()
    .where('order_id', 'in', rows.map((row) => row.order_id))
    .orderBy('order_id')
    .orderBy('position')
    .execute();
  const linesOf = groupBy(lines, (line) => line.order_id);
  for (const row of rows) {
    orders.set(row.order_id, {
      orderId: row.order_id,
      conferenceId: row.conference_id,
      lines: (linesOf.get(row.order_id) ?? []).map((line) => ({
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
    });
  }
  return orders;
}

/** Saves the changed orders' columns, and their lines where those changed. */
async function savePricedOrders(db: RegistrationReadModelDb, changes: ReadonlyArray<KeyedChange<StoredPricedOrder>>): Promise<void> {
  const rows = changes.map(({ state: order }) => ({
    order_id: order.orderId,
    conference_id: order.conferenceId,
    total: order.total,
    is_free_of_charge: order.isFreeOfCharge ? 1 : 0,
    reservation_expiration: order.reservationExpiration,
    status: order.status,
    assignments_id: order.assignmentsId,
    version: order.version,
  }));
  await db
    .insertInto('reg_priced_orders')
    .values(rows)
    .onConflict((oc) => oc.column('order_id').doUpdateSet(excludedColumns(rows[0], 'order_id')))
    .execute();
  const relined = changes.filter(({ state, before }) => state.lines !== before?.lines);
  const replaced = relined.filter(({ before }) => before !== undefined).map(({ key }) => key);
  if (replaced.length > 0) await db.deleteFrom('reg_priced_order_lines').where('order_id', 'in', replaced).execute();
  const lines = relined.flatMap(({ key, state }) =>
    state.lines.map((line) => ({
      order_id: key,
      position: line.position,
      seat_type: line.seatType,
      description: line.description,
      unit_price: line.unitPrice,
      quantity: line.quantity,
      line_total: line.lineTotal,
    })),
  );
  if (lines.length > 0) await db.insertInto('reg_priced_order_lines').values(lines).execute();
}

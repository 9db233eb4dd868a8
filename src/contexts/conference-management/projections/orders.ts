import type { Insertable } from 'kysely';
import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../../../platform/processing/handler.ts';
import { eventsToApply, versionOf } from '../../../platform/processing/in-order.ts';
import type { PaymentEventType, PaymentRefunded } from '../../payments/contract.ts';
import type {
  OrderEventType,
  OrderLine,
  OrderPlaced,
  OrderTotalsCalculated,
  PersonalInfo,
  SeatAssigned,
  SeatAssignmentsCreated,
  SeatAssignmentsEventType,
  SeatQuantity,
} from '../../registration/contract.ts';
import { type ReadModelDb, addSold } from './seat-sales.ts';
import type { MgmtOrdersTable } from './schema.ts';

export const ORDERS_PROJECTION = 'management-orders';

const ORDER_TYPES = [
  'OrderPlaced',
  'OrderUpdated',
  'OrderPartiallyReserved',
  'OrderReservationCompleted',
  'OrderTotalsCalculated',
  'OrderRegistrantAssigned',
  'OrderConfirmed',
  'OrderConfirmationRejected',
  'OrderExpired',
] as const satisfies OrderEventType[];
const ASSIGNMENT_TYPES = ['SeatAssignmentsCreated', 'SeatAssigned', 'SeatUnassigned', 'SeatAssignmentUpdated'] as const satisfies SeatAssignmentsEventType[];

type OrderRow = Insertable<MgmtOrdersTable>;

/**
 * Conference Management's Orders & attendees (DOMAIN 5.3), and the sales a confirmation makes
 * (Seat sales summary "sold" and Sales over time, from the order's latest priced lines, once per
 * order since each Order stream is applied once, in version order). Order and SeatAssignments
 * streams are applied in version order (P1, P2); `PaymentRefunded` once per payment. Events about
 * an order not placed yet keep a placeholder row (P4).
 */
export const ordersProjection: MessageHandler = {
  name: ORDERS_PROJECTION,
  types: [...ORDER_TYPES, ...ASSIGNMENT_TYPES, 'PaymentRefunded' satisfies PaymentEventType],
  sideEffects: false,
  async handle(message: LoggedMessage, context: HandlerContext) {
    const db = context.tx.db as unknown as ReadModelDb;
    if (message.type === 'PaymentRefunded') await applyRefund(db, message);
    else if ((ASSIGNMENT_TYPES as readonly string[]).includes(message.type)) await applyAssignments(db, context);
    else await applyOrder(db, context);
    context.tx.topics.add('read_models');
  },
};

function placeholder(orderId: string): OrderRow {
  return {
    order_id: orderId,
    conference_id: null,
    access_code: null,
    status: 'pending',
    total: 0,
    is_free_of_charge: 0,
    seats_obtained: 0,
    lines: '[]',
    registrant_first_name: null,
    registrant_last_name: null,
    registrant_email: null,
    created_at: null,
    assignments_id: null,
    refunded_amount: 0,
    order_version: -1,
  };
}

async function orderRow(db: ReadModelDb, orderId: string): Promise<OrderRow> {
  return (await db.selectFrom('mgmt_orders').selectAll().where('order_id', '=', orderId).executeTakeFirst()) ?? placeholder(orderId);
}

async function saveOrder(db: ReadModelDb, row: OrderRow): Promise<void> {
  const { order_id: _, ...changes } = row;
  await db
    .insertInto('mgmt_orders')
    .values(row)
    .onConflict((oc) => oc.column('order_id').doUpdateSet(changes))
    .execute();
}

const seatCount = (seats: SeatQuantity[]) => seats.reduce((sum, seat) => sum + seat.quantity, 0);

async function applyOrder(db: ReadModelDb, context: HandlerContext): Promise<void> {
  const row = await orderRow(db, context.message.metadata.sourceId);
  const events = await eventsToApply(context, row.order_version);
  for (const event of events) {
    switch (event.type as OrderEventType) {
      case 'OrderPlaced': {
        const { conferenceId, accessCode } = event.data as OrderPlaced;
        Object.assign(row, { conference_id: conferenceId, access_code: accessCode, created_at: event.metadata.createdAt });
        break;
      }
      case 'OrderPartiallyReserved':
      case 'OrderReservationCompleted':
        row.seats_obtained = seatCount((event.data as { seats: SeatQuantity[] }).seats);
        break;
      case 'OrderTotalsCalculated': {
        const { total, lines, isFreeOfCharge } = event.data as OrderTotalsCalculated;
        Object.assign(row, { total, lines: JSON.stringify(lines), is_free_of_charge: isFreeOfCharge ? 1 : 0 });
        break;
      }
      case 'OrderRegistrantAssigned': {
        const { firstName, lastName, email } = event.data as PersonalInfo;
        Object.assign(row, { registrant_first_name: firstName, registrant_last_name: lastName, registrant_email: email });
        break;
      }
      case 'OrderConfirmed':
        if (row.status !== 'paid') await recordSale(db, row, event.metadata.createdAt);
        row.status = 'paid';
        break;
      case 'OrderExpired':
        row.status = 'expired';
        break;
      // OrderUpdated, OrderConfirmationRejected: only the version advances (P2).
    }
    row.order_version = versionOf(event);
  }
  if (events.length > 0) await saveOrder(db, row);
}

/** The seats a confirmation sells: the order's latest priced lines, on the UTC day of the confirmation. */
async function recordSale(db: ReadModelDb, row: OrderRow, at: string): Promise<void> {
  const conferenceId = row.conference_id;
  if (!conferenceId) throw new Error(`Order ${row.order_id} is confirmed before it was placed`);
  const day = new Date(at).toISOString().slice(0, 10);
  for (const line of JSON.parse(row.lines) as OrderLine[]) {
    if (line.quantity === 0) continue;
    await addSold(db, conferenceId, line.seatType, line.quantity, at);
    await db
      .insertInto('mgmt_sales_by_day')
      .values({ conference_id: conferenceId, seat_type_id: line.seatType, day, seats_sold: line.quantity, revenue: line.lineTotal })
      .onConflict((oc) =>
        oc.columns(['conference_id', 'seat_type_id', 'day']).doUpdateSet((eb) => ({
          seats_sold: eb('mgmt_sales_by_day.seats_sold', '+', line.quantity),
          revenue: eb('mgmt_sales_by_day.revenue', '+', line.lineTotal),
        })),
      )
      .execute();
  }
}

async function applyAssignments(db: ReadModelDb, context: HandlerContext): Promise<void> {
  const assignmentsId = context.message.metadata.sourceId;
  const applied = await db.selectFrom('mgmt_assignments').select('version').where('assignments_id', '=', assignmentsId).executeTakeFirst();
  const events = await eventsToApply(context, applied?.version ?? -1);
  if (events.length === 0) return;
  const seat = (position: number) => db.updateTable('mgmt_order_seats').where('assignments_id', '=', assignmentsId).where('position', '=', position);
  for (const event of events) {
    switch (event.type as SeatAssignmentsEventType) {
      case 'SeatAssignmentsCreated': {
        const { orderId, seats } = event.data as SeatAssignmentsCreated;
        await db.insertInto('mgmt_assignments').values({ assignments_id: assignmentsId, order_id: orderId, version: 0 }).execute();
        if (seats.length > 0) {
          await db
            .insertInto('mgmt_order_seats')
            .values(seats.map(({ position, seatType }) => ({ assignments_id: assignmentsId, position, order_id: orderId, seat_type_id: seatType })))
            .execute();
        }
        await saveOrder(db, { ...(await orderRow(db, orderId)), assignments_id: assignmentsId });
        break;
      }
      case 'SeatAssigned': {
        const { position, seatType, attendee } = event.data as SeatAssigned;
        await seat(position).set({ seat_type_id: seatType, first_name: attendee.firstName, last_name: attendee.lastName, email: attendee.email }).execute();
        break;
      }
      case 'SeatAssignmentUpdated': {
        const { position, attendee } = event.data as { position: number; attendee: PersonalInfo };
        await seat(position).set({ first_name: attendee.firstName, last_name: attendee.lastName }).execute();
        break;
      }
      case 'SeatUnassigned':
        await seat((event.data as { position: number }).position).set({ first_name: null, last_name: null, email: null }).execute();
        break;
    }
  }
  await db.updateTable('mgmt_assignments').set({ version: versionOf(context.message) }).where('assignments_id', '=', assignmentsId).execute();
}

async function applyRefund(db: ReadModelDb, message: LoggedMessage): Promise<void> {
  const { paymentSourceId, amount } = message.data as PaymentRefunded;
  const inserted = await db
    .insertInto('mgmt_refunds')
    .values({ payment_id: message.metadata.sourceId, order_id: paymentSourceId, amount })
    .onConflict((oc) => oc.column('payment_id').doNothing())
    .returning('payment_id')
    .executeTakeFirst();
  if (!inserted) return;
  const row = await orderRow(db, paymentSourceId);
  await saveOrder(db, { ...row, refunded_amount: Number(row.refunded_amount) + amount });
}

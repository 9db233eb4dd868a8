import type { Static } from 'typebox';
import type { Executor } from '../../../platform/store/dialect.ts';
import type { OrdersPage, Stats } from '../api-shapes.ts';
import type { ReadModelDb } from './seat-sales.ts';
import type { ManagementOrderStatus } from './schema.ts';

type OrdersAnswer = Static<typeof OrdersPage>;
type DaySales = Static<typeof Stats>['salesOverTime'][number];

const db = (executor: Executor) => executor as unknown as ReadModelDb;

export interface OrdersQueryOptions {
  statuses: readonly ManagementOrderStatus[];
  limit: number;
  /** The `next` of the previous page, parsed. */
  after?: Cursor;
}

export interface Cursor {
  createdAt: string;
  orderId: string;
}

/** A page cursor: the last order's creation time and id. */
const cursorOf = (createdAt: string, orderId: string) => `${createdAt}~${orderId}`;

/** Null for a cursor this query never answered. */
export function parseCursor(cursor: string): Cursor | null {
  const [createdAt, orderId, ...rest] = cursor.split('~');
  return orderId && rest.length === 0 ? { createdAt, orderId } : null;
}

/**
 * A conference's orders (Orders & attendees, DOMAIN 5.3) of the given statuses, newest first, with
 * their seats and attendees; orders that obtained no seat are not listed.
 */
export async function managementOrders(executor: Executor, conferenceId: string, options: OrdersQueryOptions): Promise<OrdersAnswer> {
  let query = db(executor)
    .selectFrom('mgmt_orders')
    .selectAll()
    .where('conference_id', '=', conferenceId)
    .where('seats_obtained', '>', 0)
    .where('status', 'in', options.statuses)
    .orderBy('created_at', 'desc')
    .orderBy('order_id', 'desc')
    .limit(options.limit + 1);
  const { after } = options;
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('order_id', '<', after.orderId)])]),
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  const seats =
    page.length === 0
      ? []
      : await db(executor)
          .selectFrom('mgmt_order_seats')
          .leftJoin('seat_types', 'seat_types.id', 'mgmt_order_seats.seat_type_id')
          .selectAll('mgmt_order_seats')
          .select('seat_types.name')
          .where('mgmt_order_seats.order_id', 'in', page.map((row) => row.order_id))
          .orderBy('mgmt_order_seats.position')
          .execute();
  const last = page.at(-1);
  return {
    orders: page.map((row) => ({
      orderId: row.order_id,
      accessCode: row.access_code ?? '',
      status: row.status,
      total: Number(row.total),
      refundedAmount: Number(row.refunded_amount),
      isFreeOfCharge: row.is_free_of_charge === 1,
      registrant:
        row.registrant_email === null
          ? null
          : { firstName: row.registrant_first_name ?? '', lastName: row.registrant_last_name ?? '', email: row.registrant_email },
      createdAt: row.created_at ?? '',
      seats: seats
        .filter((seat) => seat.order_id === row.order_id && seat.assignments_id === row.assignments_id)
        .map((seat) => ({
          position: seat.position,
          seatTypeId: seat.seat_type_id,
          seatTypeName: seat.name ?? '',
          attendee: seat.email === null ? null : { firstName: seat.first_name ?? '', lastName: seat.last_name ?? '', email: seat.email },
        })),
    })),
    next: rows.length > options.limit && last ? cursorOf(last.created_at ?? '', last.order_id) : null,
  };
}

/** A conference's sales per UTC day and seat type (Sales over time, DOMAIN 5.3), by date then seat-type order. */
export async function salesOverTime(executor: Executor, conferenceId: string): Promise<DaySales[]> {
  const rows = await db(executor)
    .selectFrom('mgmt_sales_by_day')
    .leftJoin('seat_types', 'seat_types.id', 'mgmt_sales_by_day.seat_type_id')
    .select(['mgmt_sales_by_day.day', 'mgmt_sales_by_day.seat_type_id', 'mgmt_sales_by_day.seats_sold', 'mgmt_sales_by_day.revenue', 'seat_types.name'])
    .where('mgmt_sales_by_day.conference_id', '=', conferenceId)
    .orderBy('mgmt_sales_by_day.day')
    .orderBy('seat_types.position')
    .execute();
  return rows.map((row) => ({
    date: row.day,
    seatTypeId: row.seat_type_id,
    seatTypeName: row.name ?? '',
    seatsSold: row.seats_sold,
    revenue: Number(row.revenue),
  }));
}

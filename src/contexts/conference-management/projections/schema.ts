import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../../platform/store/migrations.ts';
import type { ConferenceManagementDatabase } from '../schema.ts';

export type ManagementOrderStatus = 'pending' | 'paid' | 'expired';

/**
 * Orders & attendees (DOMAIN 5.3): one row per order. A row whose `order_version` is −1 is a
 * placeholder (P4), made by a `SeatAssignmentsCreated` or `PaymentRefunded` before the order's
 * `OrderPlaced`; it has no conference yet and is not listed.
 */
export interface MgmtOrdersTable {
  order_id: string;
  conference_id: string | null;
  access_code: string | null;
  status: ManagementOrderStatus;
  /** Cents, from the latest `OrderTotalsCalculated`. */
  total: number;
  is_free_of_charge: number;
  /** Seats of the latest reservation. */
  seats_obtained: number;
  /** JSON `OrderLine[]` of the latest `OrderTotalsCalculated`: what a confirmation sells. */
  lines: string;
  registrant_first_name: string | null;
  registrant_last_name: string | null;
  registrant_email: string | null;
  /** `OrderPlaced` timestamp. */
  created_at: string | null;
  assignments_id: string | null;
  refunded_amount: number;
  /** Order stream version applied; −1 for a placeholder. */
  order_version: number;
}

/** The seats of an order's assignments, with their attendee (null names and e-mail when unassigned). */
export interface MgmtOrderSeatsTable {
  assignments_id: string;
  position: number;
  order_id: string;
  seat_type_id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

/** SeatAssignments streams applied: their order and version. */
export interface MgmtAssignmentsTable {
  assignments_id: string;
  order_id: string;
  version: number;
}

/** Refunds applied, one per payment (P1). */
export interface MgmtRefundsTable {
  payment_id: string;
  order_id: string;
  amount: number;
}

/** SeatsAvailability streams (one per conference) applied up to `version`. */
export interface MgmtAvailabilityTable {
  conference_id: string;
  version: number;
}

/** Seats each pending reservation holds, per seat type (zero entries omitted). */
export interface MgmtReservationsTable {
  conference_id: string;
  reservation_id: string;
  seat_type_id: string;
  quantity: number;
}

/** Sales over time (DOMAIN 5.3): per conference, seat type and UTC day of the `OrderConfirmed`. */
export interface MgmtSalesByDayTable {
  conference_id: string;
  seat_type_id: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  seats_sold: number;
  /** Cents. */
  revenue: number;
}

export interface ManagementReadModelsDatabase extends ConferenceManagementDatabase {
  mgmt_orders: MgmtOrdersTable;
  mgmt_order_seats: MgmtOrderSeatsTable;
  mgmt_assignments: MgmtAssignmentsTable;
  mgmt_refunds: MgmtRefundsTable;
  mgmt_availability: MgmtAvailabilityTable;
  mgmt_reservations: MgmtReservationsTable;
  mgmt_sales_by_day: MgmtSalesByDayTable;
}

export const managementReadModelMigrations: MigrationSet = (dialect) => {
  /** Money sums may pass 2^31 cents. */
  const money = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    '0006-management-read-models': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('mgmt_orders')
          .addColumn('order_id', 'text', (c) => c.primaryKey())
          .addColumn('conference_id', 'text')
          .addColumn('access_code', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('total', money, (c) => c.notNull())
          .addColumn('is_free_of_charge', 'integer', (c) => c.notNull())
          .addColumn('seats_obtained', 'integer', (c) => c.notNull())
          .addColumn('lines', 'text', (c) => c.notNull())
          .addColumn('registrant_first_name', 'text')
          .addColumn('registrant_last_name', 'text')
          .addColumn('registrant_email', 'text')
          .addColumn('created_at', 'text')
          .addColumn('assignments_id', 'text')
          .addColumn('refunded_amount', money, (c) => c.notNull())
          .addColumn('order_version', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('mgmt_orders_listed').on('mgmt_orders').columns(['conference_id', 'created_at', 'order_id']).execute();

        await db.schema
          .createTable('mgmt_order_seats')
          .addColumn('assignments_id', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('order_id', 'text', (c) => c.notNull())
          .addColumn('seat_type_id', 'text', (c) => c.notNull())
          .addColumn('first_name', 'text')
          .addColumn('last_name', 'text')
          .addColumn('email', 'text')
          .addPrimaryKeyConstraint('mgmt_order_seats_pk', ['assignments_id', 'position'])
          .execute();
        await db.schema.createIndex('mgmt_order_seats_order').on('mgmt_order_seats').column('order_id').execute();

        await db.schema
          .createTable('mgmt_assignments')
          .addColumn('assignments_id', 'text', (c) => c.primaryKey())
          .addColumn('order_id', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('mgmt_refunds')
          .addColumn('payment_id', 'text', (c) => c.primaryKey())
          .addColumn('order_id', 'text', (c) => c.notNull())
          .addColumn('amount', 'integer', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('mgmt_availability')
          .addColumn('conference_id', 'text', (c) => c.primaryKey())
          .addColumn('version', 'integer', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('mgmt_reservations')
          .addColumn('conference_id', 'text', (c) => c.notNull())
          .addColumn('reservation_id', 'text', (c) => c.notNull())
          .addColumn('seat_type_id', 'text', (c) => c.notNull())
          .addColumn('quantity', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('mgmt_reservations_pk', ['conference_id', 'reservation_id', 'seat_type_id'])
          .execute();
        await db.schema.createIndex('mgmt_reservations_seat_type').on('mgmt_reservations').column('seat_type_id').execute();

        await db.schema
          .createTable('mgmt_sales_by_day')
          .addColumn('conference_id', 'text', (c) => c.notNull())
          .addColumn('seat_type_id', 'text', (c) => c.notNull())
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('seats_sold', 'integer', (c) => c.notNull())
          .addColumn('revenue', money, (c) => c.notNull())
          .addPrimaryKeyConstraint('mgmt_sales_by_day_pk', ['conference_id', 'seat_type_id', 'day'])
          .execute();
      },
    },
  };
};

import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../../platform/store/migrations.ts';
import type { Tx } from '../../../platform/store/store.ts';
import type { CatalogueDatabase } from '../catalogue/schema.ts';

/**
 * Draft orders (DOMAIN 5.2): one row per order, made by its `OrderPlaced` (Order streams are applied
 * in version order, so no row exists before it).
 */
export interface RegDraftOrdersTable {
  order_id: string;
  conference_id: string;
  state: string;
  /** ISO instant: the hold end. */
  reservation_expiration: string;
  /** `OrderPlaced` timestamp. */
  placed_at: string;
  access_code: string;
  /** Upper-case access code, for the case-insensitive locate query. */
  access_code_key: string;
  registrant_first_name: string | null;
  registrant_last_name: string | null;
  registrant_email: string | null;
  /** Lower-case trimmed e-mail, for the locate query; null until a registrant is assigned. */
  registrant_email_key: string | null;
  rejection_reason: string | null;
  rejection_payment_id: string | null;
  /** Order stream version applied. */
  version: number;
}

/** The lines of a draft order, in the order requested. */
export interface RegDraftOrderLinesTable {
  order_id: string;
  position: number;
  seat_type: string;
  requested: number;
  reserved: number;
}

/**
 * Priced orders (DOMAIN 5.2). A row whose `version` is −1 is a placeholder (P4): its
 * `SeatAssignmentsCreated` arrived before its `OrderPlaced`; it only keeps the assignments id.
 */
export interface RegPricedOrdersTable {
  order_id: string;
  conference_id: string;
  /** Cents. */
  total: number;
  is_free_of_charge: number;
  reservation_expiration: string | null;
  status: string;
  assignments_id: string | null;
  version: number;
}

/** The lines of the latest `OrderTotalsCalculated`, by position. */
export interface RegPricedOrderLinesTable {
  order_id: string;
  position: number;
  seat_type: string;
  /** The seat type's name when the order was priced; null when it was not known then. */
  description: string | null;
  unit_price: number;
  quantity: number;
  line_total: number;
}

/** SeatAssignments streams applied (DOMAIN 5.2 "Order seat assignments"). */
export interface RegSeatAssignmentsTable {
  assignments_id: string;
  order_id: string;
  conference_id: string;
  version: number;
}

/** The slots of an assignments stream; the attendee columns are null while a slot is unassigned. */
export interface RegAssignedSeatsTable {
  assignments_id: string;
  position: number;
  seat_type: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

/** Payments (DOMAIN 5.2), one row per payment stream, made by its `PaymentInitiated`. */
export interface RegPaymentsTable {
  payment_id: string;
  order_id: string;
  conference_id: string;
  description: string;
  /** Cents. */
  amount: number;
  status: string;
  refund_reason: string | null;
  /** `PaymentInitiated` timestamp: which payment of an order is the latest. */
  initiated_at: string;
  /** Timestamp of the latest event applied. */
  updated_at: string;
  version: number;
}

export interface RegistrationReadModelsDatabase extends CatalogueDatabase {
  reg_draft_orders: RegDraftOrdersTable;
  reg_draft_order_lines: RegDraftOrderLinesTable;
  reg_priced_orders: RegPricedOrdersTable;
  reg_priced_order_lines: RegPricedOrderLinesTable;
  reg_seat_assignments: RegSeatAssignmentsTable;
  reg_assigned_seats: RegAssignedSeatsTable;
  reg_payments: RegPaymentsTable;
}

export const registrationReadModelMigrations: MigrationSet = (dialect) => {
  /** Totals of large orders may pass 2^31 cents. */
  const money = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    '0007-registration-read-models': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('reg_draft_orders')
          .addColumn('order_id', 'text', (c) => c.primaryKey())
          .addColumn('conference_id', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('reservation_expiration', 'text', (c) => c.notNull())
          .addColumn('placed_at', 'text', (c) => c.notNull())
          .addColumn('access_code', 'text', (c) => c.notNull())
          .addColumn('access_code_key', 'text', (c) => c.notNull())
          .addColumn('registrant_first_name', 'text')
          .addColumn('registrant_last_name', 'text')
          .addColumn('registrant_email', 'text')
          .addColumn('registrant_email_key', 'text')
          .addColumn('rejection_reason', 'text')
          .addColumn('rejection_payment_id', 'text')
          .addColumn('version', 'integer', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('reg_draft_orders_locate')
          .on('reg_draft_orders')
          .columns(['conference_id', 'registrant_email_key', 'access_code_key', 'placed_at'])
          .execute();

        await db.schema
          .createTable('reg_draft_order_lines')
          .addColumn('order_id', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('seat_type', 'text', (c) => c.notNull())
          .addColumn('requested', 'integer', (c) => c.notNull())
          .addColumn('reserved', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('reg_draft_order_lines_pk', ['order_id', 'position'])
          .execute();

        await db.schema
          .createTable('reg_priced_orders')
          .addColumn('order_id', 'text', (c) => c.primaryKey())
          .addColumn('conference_id', 'text', (c) => c.notNull())
          .addColumn('total', money, (c) => c.notNull())
          .addColumn('is_free_of_charge', 'integer', (c) => c.notNull())
          .addColumn('reservation_expiration', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('assignments_id', 'text')
          .addColumn('version', 'integer', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('reg_priced_order_lines')
          .addColumn('order_id', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('seat_type', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('unit_price', 'integer', (c) => c.notNull())
          .addColumn('quantity', 'integer', (c) => c.notNull())
          .addColumn('line_total', money, (c) => c.notNull())
          .addPrimaryKeyConstraint('reg_priced_order_lines_pk', ['order_id', 'position'])
          .execute();

        await db.schema
          .createTable('reg_seat_assignments')
          .addColumn('assignments_id', 'text', (c) => c.primaryKey())
          .addColumn('order_id', 'text', (c) => c.notNull())
          .addColumn('conference_id', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('reg_seat_assignments_order').on('reg_seat_assignments').column('order_id').execute();

        await db.schema
          .createTable('reg_assigned_seats')
          .addColumn('assignments_id', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('seat_type', 'text', (c) => c.notNull())
          .addColumn('first_name', 'text')
          .addColumn('last_name', 'text')
          .addColumn('email', 'text')
          .addPrimaryKeyConstraint('reg_assigned_seats_pk', ['assignments_id', 'position'])
          .execute();

        await db.schema
          .createTable('reg_payments')
          .addColumn('payment_id', 'text', (c) => c.primaryKey())
          .addColumn('order_id', 'text', (c) => c.notNull())
          .addColumn('conference_id', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('amount', money, (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('refund_reason', 'text')
          .addColumn('initiated_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('reg_payments_latest').on('reg_payments').columns(['order_id', 'initiated_at', 'payment_id']).execute();
      },
    },
  };
};

export type RegistrationReadModelDb = Kysely<RegistrationReadModelsDatabase>;

/** A transaction's connection, typed for Registration's read-model tables. */
export function readModelDb(tx: Tx): RegistrationReadModelDb {
  return tx.db as unknown as RegistrationReadModelDb;
}

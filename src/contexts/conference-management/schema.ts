import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../platform/store/migrations.ts';

/** Conference Management's own CRUD state (DOMAIN 3.1). Booleans are 0/1 on both databases. */
export interface ConferencesTable {
  id: string;
  /** As entered; unique case-insensitively through `slug_key`. */
  slug: string;
  slug_key: string;
  /** Upper case; unique per owner e-mail. Never carried by a message. */
  access_code: string;
  owner_name: string;
  owner_email: string;
  owner_email_key: string;
  name: string;
  tagline: string | null;
  description: string;
  location: string;
  twitter_search: string | null;
  /** `YYYY-MM-DD` */
  start_date: string;
  end_date: string;
  reservation_hold_minutes: number;
  is_published: number;
  was_ever_published: number;
  /** Version of the last integration event of this conference's source (`ConferenceCreated` = 0). */
  event_version: number;
  created_at: string;
  updated_at: string;
}

export interface SeatTypesTable {
  id: string;
  conference_id: string;
  /** Creation order within the conference. */
  position: number;
  name: string;
  description: string;
  quantity: number;
  /** Cents. */
  price: number;
  /** Version of the last integration event of this seat type's source; −1 before its `SeatCreated`. */
  event_version: number;
  created_at: string;
  updated_at: string;
}

/**
 * The Seat sales summary read model (DOMAIN 5.3), filled from Registration's events. No row yet
 * means nothing sold or held and the whole quota remaining.
 */
export interface SeatSalesTable {
  seat_type_id: string;
  conference_id: string;
  /** Seats of confirmed orders. */
  sold: number;
  /** Seats in pending reservations. */
  held: number;
  /** From availability; may be negative. */
  remaining: number;
  /** SeatsAvailability stream version last applied to `held`. */
  held_version: number;
  /** SeatsAvailability stream version last applied to `remaining`. */
  remaining_version: number;
  updated_at: string;
}

export interface ConferenceManagementDatabase {
  conferences: ConferencesTable;
  seat_types: SeatTypesTable;
  seat_sales: SeatSalesTable;
}

export const conferenceManagementMigrations: MigrationSet = () => ({
  '0003-conference-management': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('conferences')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('slug_key', 'text', (c) => c.notNull().unique())
        .addColumn('access_code', 'text', (c) => c.notNull())
        .addColumn('owner_name', 'text', (c) => c.notNull())
        .addColumn('owner_email', 'text', (c) => c.notNull())
        .addColumn('owner_email_key', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('tagline', 'text')
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull())
        .addColumn('twitter_search', 'text')
        .addColumn('start_date', 'text', (c) => c.notNull())
        .addColumn('end_date', 'text', (c) => c.notNull())
        .addColumn('reservation_hold_minutes', 'integer', (c) => c.notNull())
        .addColumn('is_published', 'integer', (c) => c.notNull())
        .addColumn('was_ever_published', 'integer', (c) => c.notNull())
        .addColumn('event_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('conferences_owner_access_code', ['owner_email_key', 'access_code'])
        .execute();

      await db.schema
        .createTable('seat_types')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('conference_id', 'text', (c) => c.notNull().references('conferences.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('price', 'integer', (c) => c.notNull())
        .addColumn('event_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('seat_types_conference_position', ['conference_id', 'position'])
        .execute();

      await db.schema
        .createTable('seat_sales')
        .addColumn('seat_type_id', 'text', (c) => c.primaryKey())
        .addColumn('conference_id', 'text', (c) => c.notNull())
        .addColumn('sold', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('held', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('remaining', 'integer', (c) => c.notNull())
        .addColumn('held_version', 'integer', (c) => c.notNull().defaultTo(-1))
        .addColumn('remaining_version', 'integer', (c) => c.notNull().defaultTo(-1))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('seat_sales_conference').on('seat_sales').column('conference_id').execute();
    },
  },
});

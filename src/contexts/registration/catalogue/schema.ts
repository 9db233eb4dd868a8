import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../../platform/store/migrations.ts';

/**
 * Registration's own copy of the conferences (DOMAIN 5.2 "Conference"), fed by Conference
 * Management's integration events. A row may be a placeholder (`defined` 0): an event about the
 * conference arrived before its `ConferenceCreated` (P4); its data columns are then null.
 */
export interface RegConferencesTable {
  id: string;
  /** Stored case; null while a placeholder. */
  slug: string | null;
  /** Lower-case slug for case-insensitive lookups; unique among defined rows. */
  slug_key: string | null;
  name: string | null;
  description: string | null;
  location: string | null;
  tagline: string | null;
  twitter_search: string | null;
  /** `YYYY-MM-DD`. */
  start_date: string | null;
  end_date: string | null;
  is_published: number;
  reservation_hold_minutes: number | null;
  /** Internal only: never answered by the public API or pages. */
  owner_name: string | null;
  owner_email: string | null;
  /** 1 once a `ConferenceCreated`/`ConferenceUpdated` was applied. */
  defined: number;
  /** Highest version of the conference source applied, whatever its type. */
  conference_version: number;
  /** Version of the snapshot (`ConferenceCreated`/`ConferenceUpdated`) applied; −1 for none (P1, P3). */
  details_version: number;
  /** Version of the `ConferencePublished`/`ConferenceUnpublished` applied; −1 for none. */
  published_version: number;
}

/**
 * Seat types with their availability (DOMAIN 5.2 "Seat type"). A row whose `seat_type_version` is
 * −1 is a placeholder (created by an availability event before its `SeatCreated`) and not shown.
 */
export interface RegSeatTypesTable {
  id: string;
  conference_id: string;
  name: string | null;
  description: string | null;
  /** Cents. */
  price: number | null;
  /** The quota. */
  quantity: number | null;
  seat_type_version: number;
  /** Remaining seats from the availability events; null until one was applied. */
  available_quantity: number | null;
  availability_version: number;
  /** Lowest log position of the seat type's events (its `SeatCreated`): its creation order (DOMAIN Conventions). */
  created_position: number | null;
}

export interface CatalogueDatabase {
  reg_conferences: RegConferencesTable;
  reg_seat_types: RegSeatTypesTable;
}

export const catalogueMigrations: MigrationSet = (dialect) => {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    '0005-registration-catalogue': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('reg_conferences')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('slug', 'text')
          .addColumn('slug_key', 'text')
          .addColumn('name', 'text')
          .addColumn('description', 'text')
          .addColumn('location', 'text')
          .addColumn('tagline', 'text')
          .addColumn('twitter_search', 'text')
          .addColumn('start_date', 'text')
          .addColumn('end_date', 'text')
          .addColumn('is_published', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('reservation_hold_minutes', 'integer')
          .addColumn('owner_name', 'text')
          .addColumn('owner_email', 'text')
          .addColumn('defined', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('conference_version', 'integer', (c) => c.notNull().defaultTo(-1))
          .addColumn('details_version', 'integer', (c) => c.notNull().defaultTo(-1))
          .addColumn('published_version', 'integer', (c) => c.notNull().defaultTo(-1))
          .execute();
        // Placeholders have no slug yet: NULLs never clash in a unique index (SQLite and PostgreSQL).
        await db.schema.createIndex('reg_conferences_slug_key').on('reg_conferences').column('slug_key').unique().execute();
        await db.schema
          .createIndex('reg_conferences_listed')
          .on('reg_conferences')
          .columns(['is_published', 'start_date', 'name'])
          .execute();

        await db.schema
          .createTable('reg_seat_types')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('conference_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('description', 'text')
          .addColumn('price', 'integer')
          .addColumn('quantity', 'integer')
          .addColumn('seat_type_version', 'integer', (c) => c.notNull().defaultTo(-1))
          .addColumn('available_quantity', 'integer')
          .addColumn('availability_version', 'integer', (c) => c.notNull().defaultTo(-1))
          .addColumn('created_position', big)
          .execute();
        await db.schema
          .createIndex('reg_seat_types_conference')
          .on('reg_seat_types')
          .columns(['conference_id', 'created_position'])
          .execute();
      },
    },
  };
};

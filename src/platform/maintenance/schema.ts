import type { Kysely } from 'kysely';
import type { Executor } from '../store/dialect.ts';
import type { MigrationSet } from '../store/migrations.ts';

/** The maintenance switches (DOMAIN 7.4), one row each, shared by every process of the store. */
export interface MaintenanceSwitchesTable {
  /** `public`, `management` or `processing`. */
  name: string;
  /** 1 while in maintenance. */
  enabled: number;
  changed_at: string;
}

export interface MaintenanceDatabase {
  maintenance_switches: MaintenanceSwitchesTable;
}

/** The store's database (or a transaction) seen with the maintenance table. */
export function maintenanceDb(executor: Executor): Kysely<MaintenanceDatabase> {
  return executor as unknown as Kysely<MaintenanceDatabase>;
}

export const maintenanceMigrations: MigrationSet = () => ({
  '0009-maintenance-switches': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('maintenance_switches')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .execute();
      // Every switch has its row from the start: a change is an UPDATE that says whether it changed anything.
      const now = new Date().toISOString();
      await (db as Kysely<MaintenanceDatabase>)
        .insertInto('maintenance_switches')
        .values(['public', 'management', 'processing'].map((name) => ({ name, enabled: 0, changed_at: now })))
        .execute();
    },
  },
});

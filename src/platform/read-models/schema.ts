import { type Kysely, sql } from 'kysely';
import type { Executor } from '../store/dialect.ts';
import type { MigrationSet } from '../store/migrations.ts';

export type VersionStatus = 'live' | 'rebuilding' | 'standby';

/**
 * The versions of each rebuildable read model (ADR 007). Version 1 is the tables the migrations made;
 * version N > 1 lives in `<table>__v<N>`. A read model without rows is at version 1, live.
 */
export interface ReadModelVersionsTable {
  /** The rebuild unit (`ReadModelUnit.name`). */
  unit: string;
  version: number;
  status: VersionStatus;
  /** 1 for a scratch version made by `replay` from a slice of the log: never switched to. */
  scratch: number;
  /** Log position this version has dealt with while not live (the live one goes by its handlers' checkpoints). */
  position: number;
  created_at: string;
  /** Also the heartbeat of the job building it. */
  updated_at: string;
}

export interface ReadModelVersionsDatabase {
  read_model_versions: ReadModelVersionsTable;
}

export function versionsDb(executor: Executor): Kysely<ReadModelVersionsDatabase> {
  return executor as unknown as Kysely<ReadModelVersionsDatabase>;
}

export const readModelVersionMigrations: MigrationSet = (dialect) => ({
  '0010-read-model-versions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('read_model_versions')
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('scratch', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('position', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('read_model_versions_pk', ['unit', 'version'])
        .execute();
    },
  },
  // PostgreSQL: a projection's transaction takes its unit's lock shared and then reads the live
  // version, in one call (one round trip). The read must come after the lock (a switch holds it while
  // it flips the statuses): a function's statements each take a fresh snapshot, one statement does not.
  '0013-read-model-live-version': {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`
        CREATE FUNCTION read_model_live_version(unit_name text) RETURNS integer
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE live integer;
        BEGIN
          PERFORM pg_advisory_xact_lock_shared(hashtextextended('read-model:' || unit_name, 0));
          SELECT version INTO live FROM read_model_versions WHERE unit = unit_name AND status = 'live';
          RETURN live;
        END
        $$`.execute(db);
    },
  },
});

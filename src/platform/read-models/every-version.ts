import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../store/dialect.ts';
import { TableNames } from '../store/table-names.ts';
import { physicalName } from './unit.ts';

/**
 * Writes a migration of read-model tables once, in their logical names, as if there were one version.
 * `up` gets a connection on which those names are the version's tables, and `name` for the version's
 * name of anything else it creates (an index: `name('reg_payments_by_status')`).
 */
export type VersionedUp = (db: Kysely<unknown>, name: (logical: string) => string) => Promise<void>;

/**
 * A migration of read-model tables applied to **every version** of them that exists (ADR 007): after a
 * switch to version N the live tables are `<table>__vN`, and kept versions must stay in step with
 * the code too, so a rollback works. `tables` are the logical names the migration touches (of one
 * unit); a version exists when its first table does.
 */
export function everyVersion(dialect: DialectName, tables: readonly string[], up: VersionedUp): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const version of await existingVersions(db, dialect, tables[0])) {
        const names = new TableNames();
        names.setLive(new Map(tables.map((table) => [table, physicalName(table, version)])));
        await up(db.withPlugin(names), (logical) => physicalName(logical, version));
      }
    },
  };
}

/** The versions of a logical table present in the database (1 = the migrations' own name). */
async function existingVersions(db: Kysely<unknown>, dialect: DialectName, table: string): Promise<number[]> {
  const { rows } =
    dialect === 'postgres'
      ? await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`.execute(db)
      : await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(db);
  const versions: number[] = [];
  for (const { name } of rows) {
    if (name === table) versions.push(1);
    else if (name.startsWith(`${table}__v`) && /^\d+$/.test(name.slice(table.length + 3))) versions.push(Number(name.slice(table.length + 3)));
  }
  return versions.sort((a, b) => a - b);
}

import { sql } from 'kysely';
import type { Store } from '../store/store.ts';
import { type ReadModelUnit, physicalName } from './unit.ts';

const VERSION_SUFFIX = /__v\d+$/;

/**
 * Creates the unit's tables for `version`, shaped like those of version `like` (the live one): the
 * schema the migrations maintain is copied, indexes included, so no table is defined twice.
 * Leftovers of an earlier attempt at that version are dropped first.
 */
export async function createVersionTables(store: Store, unit: ReadModelUnit, version: number, like: number): Promise<void> {
  await dropVersionTables(store, unit, version);
  const db = store.dialect.db;
  for (const table of unit.tables) {
    const source = physicalName(table, like);
    const target = physicalName(table, version);
    if (store.dialect.name === 'postgres') {
      await sql`CREATE TABLE ${sql.id(target)} (LIKE ${sql.id(source)} INCLUDING ALL)`.execute(db);
      continue;
    }
    const { rows } = await sql<{ type: string; name: string; sql: string }>`
      SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ${source} AND sql IS NOT NULL ORDER BY type DESC`.execute(db);
    for (const entry of rows) {
      const statement =
        entry.type === 'table'
          ? entry.sql.replace(/^(CREATE TABLE\s+)("?)\w+\2/i, `$1"${target}"`)
          : entry.sql.replace(
              /^(CREATE (?:UNIQUE )?INDEX\s+)("?)\w+\2(\s+ON\s+)("?)\w+\4/i,
              `$1"${physicalName(entry.name.replace(VERSION_SUFFIX, ''), version)}"$3"${target}"`,
            );
      await sql.raw(statement).execute(db);
    }
  }
}

export async function dropVersionTables(store: Store, unit: ReadModelUnit, version: number): Promise<void> {
  for (const table of unit.tables) {
    await sql`DROP TABLE IF EXISTS ${sql.id(physicalName(table, version))}`.execute(store.dialect.db);
  }
}

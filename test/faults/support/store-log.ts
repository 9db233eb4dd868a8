import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { LogRow } from './load.ts';

const QUERY = 'SELECT kind, type, source_id, correlation_id FROM messages';

/** The message log of a store another process writes: a SQLite file (read-only connection) or a PostgreSQL URL. */
export async function readLogRows(store: { sqliteFile: string } | { postgresUrl: string }): Promise<LogRow[]> {
  if ('sqliteFile' in store) {
    const database = new BetterSqlite3(store.sqliteFile, { readonly: true });
    try {
      return database.prepare(QUERY).all() as LogRow[];
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: store.postgresUrl });
  await client.connect();
  try {
    return (await client.query<LogRow>(QUERY)).rows;
  } finally {
    await client.end();
  }
}

/** `PRAGMA integrity_check` of a SQLite file: 'ok' when intact. */
export function sqliteIntegrity(file: string): string {
  const database = new BetterSqlite3(file, { readonly: true });
  try {
    return String(database.pragma('integrity_check', { simple: true }));
  } finally {
    database.close();
  }
}

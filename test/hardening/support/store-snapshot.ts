import { type Kysely, sql } from 'kysely';
import type { Store } from '../../../src/platform/store/store.ts';
import { storeState } from '../../web/management-fixture.ts';

/**
 * Tables a refused request may write: failed credential checks are counted (API.md rate limits), and
 * the migration bookkeeping is the store's own.
 */
const MAY_CHANGE = new Set(['rate_limit_hits', 'kysely_migration', 'kysely_migration_lock', 'sqlite_sequence']);

/** Small tables whose every row is compared, not only counted (switches, versions, tokens, dead letters, timers). */
const COMPARED = ['maintenance_switches', 'read_model_versions', 'payment_tokens', 'dead_letters', 'timers'];

/**
 * What refused requests must leave as it was: the message log (every entry, the highest position),
 * Conference Management's tables and the e-mails in full, the rows of every other table counted, and
 * the small operator tables in full.
 */
export async function storeSnapshot(store: Store) {
  const db = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const tables = (await db.introspection.getTables()).map((table) => table.name).filter((name) => !MAY_CHANGE.has(name)).sort();
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await sql<{ count: number | string }>`select count(*) as count from ${sql.table(table)}`.execute(db);
    counts[table] = Number(rows[0].count);
  }
  const compared: Record<string, unknown[]> = {};
  for (const table of COMPARED.filter((name) => tables.includes(name))) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    compared[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  const { rows } = await sql<{ head: number | string | null }>`select max(position) as head from messages`.execute(db);
  return { head: Number(rows[0].head ?? 0), counts, compared, ...(await storeState(store)) };
}

export type StoreSnapshot = Awaited<ReturnType<typeof storeSnapshot>>;

/** The differences between two snapshots, in words; empty when equal. */
export function storeChanges(before: StoreSnapshot, after: StoreSnapshot): string[] {
  const changes: string[] = [];
  if (after.head !== before.head) changes.push(`the log head moved from ${before.head} to ${after.head}`);
  const added = after.log.filter((id) => !before.log.includes(id));
  if (added.length > 0 || after.log.length !== before.log.length) changes.push(`the log has ${after.log.length - before.log.length} more entries (${added.slice(0, 5).join(', ')})`);
  for (const [table, count] of Object.entries(after.counts)) {
    if (count !== before.counts[table]) changes.push(`${table}: ${before.counts[table]} → ${count} rows`);
  }
  for (const table of Object.keys(after.compared)) {
    if (JSON.stringify(after.compared[table]) !== JSON.stringify(before.compared[table])) changes.push(`${table} changed`);
  }
  for (const key of ['conferences', 'seatTypes', 'emails'] as const) {
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) changes.push(`${key} changed`);
  }
  return changes;
}

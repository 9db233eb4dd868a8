import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/platform/store/schema.ts';
import type { StoreKind } from './stores.ts';

/**
 * A generated message log of realistic proportions, written by one SQL statement (a million rows in
 * seconds), for query plans and timings. Row i (from 1): a command every 10th, an operator action
 * every 2000th, else an event; type `Type<i mod 4>` except `RareType` once in 2000; source type
 * `Order` except `RareSource` once in 2000; source and correlation id `o<i div 10>` (flows of ten
 * messages); created one second after the previous one, from 2024-01-01T00:00:00Z ({@link generatedAt});
 * then analysed.
 */
export async function generateLog(db: Kysely<Database>, kind: StoreKind, rows: number): Promise<void> {
  const statement =
    kind === 'sqlite'
      ? sql`
        WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${rows})
        INSERT INTO messages (message_id, kind, type, schema_version, source_type, source_id, version, correlation_id, causation_id, created_at, payload, metadata)
        SELECT 'm' || i,
          CASE WHEN i % 2000 = 0 THEN 'operator-action' WHEN i % 10 = 0 THEN 'command' ELSE 'event' END,
          CASE WHEN i % 2000 = 7 THEN 'RareType' ELSE 'Type' || (i % 4) END, 1,
          CASE WHEN i % 2000 = 11 THEN 'RareSource' ELSE 'Order' END, 'o' || (i / 10), i % 10, 'o' || (i / 10), NULL,
          strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || i || ' seconds'), '{"seats":[{"type":"a","quantity":2}]}', '{}'
        FROM g`
      : sql`
        INSERT INTO messages (position, message_id, kind, type, schema_version, source_type, source_id, version, correlation_id, causation_id, created_at, payload, metadata)
        SELECT i, 'm' || i,
          CASE WHEN i % 2000 = 0 THEN 'operator-action' WHEN i % 10 = 0 THEN 'command' ELSE 'event' END,
          CASE WHEN i % 2000 = 7 THEN 'RareType' ELSE 'Type' || (i % 4) END, 1,
          CASE WHEN i % 2000 = 11 THEN 'RareSource' ELSE 'Order' END, 'o' || (i / 10), i % 10, 'o' || (i / 10), NULL,
          to_char(timestamp '2024-01-01' + i * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '{"seats":[{"type":"a","quantity":2}]}', '{}'
        FROM generate_series(1, ${rows}) AS i`;
  await statement.execute(db);
  // As autovacuum leaves an append-only table: statistics, and (PostgreSQL) the visibility map that
  // lets index-only scans skip the table.
  await (kind === 'postgres' ? sql`VACUUM ANALYZE messages` : sql`ANALYZE`).execute(db);
}

/** The creation time of generated row `i`, as stored. */
export const generatedAt = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();

import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { ChangeTopic, StoreDialect } from './dialect.ts';
import type { Database } from './schema.ts';

/** Rows one transaction may write to the log: positions are `transaction id · 65536 + row index`. */
export const ROWS_PER_TRANSACTION = 65536;

const INT8 = 20;
const NUMERIC = 1700;

/** Counts and positions (int8) as JavaScript numbers; positions stay below 2^53 (ADR 002). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export function postgresPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, types });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

export function postgresDialect(connectionString: string, options: { poolSize?: number } = {}): StoreDialect {
  const pool = postgresPool(connectionString, options.poolSize);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    name: 'postgres',
    db,
    positionOf: (index) => {
      if (index >= ROWS_PER_TRANSACTION) {
        throw new Error(`A transaction may write at most ${ROWS_PER_TRANSACTION} log rows`);
      }
      return sql<number>`(pg_current_xact_id()::text::bigint * ${sql.lit(ROWS_PER_TRANSACTION)} + ${sql.lit(index)})`;
    },
    // Every transaction older than the oldest running one has finished: rows below it can no longer appear.
    readHorizon: () =>
      sql<number>`(pg_snapshot_xmin(pg_current_snapshot())::text::bigint * ${sql.lit(ROWS_PER_TRANSACTION)})`,
    skipLocked: true,
    isUniqueViolation: (error) => (error as { code?: string } | null)?.code === '23505',
    listen: (onChange) => listen(connectionString, onChange),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

const TOPICS: ChangeTopic[] = ['messages', 'timers', 'dead_letters'];

/**
 * LISTEN on a dedicated connection, reconnecting with back-off. After a reconnect every topic is
 * signalled once, since notifications may have been missed meanwhile.
 */
async function listen(connectionString: string, onChange: (topic: ChangeTopic) => void): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (attempt: number): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({ connectionString });
    next.on('notification', (n) => {
      if (TOPICS.includes(n.payload as ChangeTopic)) onChange(n.payload as ChangeTopic);
    });
    next.on('error', () => reconnect(next, 0));
    next.on('end', () => reconnect(next, 0));
    try {
      await next.connect();
      await next.query('LISTEN contoso');
      client = next;
      if (attempt > 0) for (const topic of TOPICS) onChange(topic);
    } catch {
      next.end().catch(() => {});
      reconnect(next, attempt + 1);
    }
  };
  const reconnect = (failed: pg.Client, attempt: number) => {
    if (stopped || (client !== failed && client !== undefined) || retryTimer) return;
    client = undefined;
    failed.end().catch(() => {});
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        void connect(attempt + 1);
      },
      Math.min(100 * 2 ** attempt, 5000),
    );
  };

  await connect(0);
  return async () => {
    stopped = true;
    if (retryTimer) clearTimeout(retryTimer);
    await client?.end().catch(() => {});
  };
}

import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { decodeChange, encodeChanges, TOPICS } from './change-payload.ts';
import type { Change, StoreDialect } from './dialect.ts';
import { type InsertedRow, LOG_COLUMNS, type LogInserter, STREAM_HEAD_SQL } from './log-insert.ts';
import { namedStatements } from './named-statements.ts';
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

/** Connections a process keeps to PostgreSQL (besides its LISTEN connection). */
export const DEFAULT_POOL_SIZE = 10;

export function postgresPool(connectionString: string, max = DEFAULT_POOL_SIZE): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, types });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor one in use (in a transaction between two queries): its next query fails with the error,
  // and the pool drops it when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export function postgresDialect(connectionString: string, options: { poolSize?: number } = {}): StoreDialect {
  const pool = postgresPool(connectionString, options.poolSize);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: namedStatements(pool) }) });
  return {
    name: 'postgres',
    // Positions come from transaction ids, assigned at the first write, not at commit (ADR 002).
    positionsFollowCommits: false,
    withDurability: (_durable, open) => open(),
    // Every commit waits for its WAL flush, handlers' too: PostgreSQL can crash while this process
    // lives on, and the process's memory (subscription checkpoints, cached aggregates) must never be
    // ahead of what the database kept. (SQLite relaxes: it cannot lose a commit without the process.)
    relax: async () => {},
    db,
    insertLog,
    // Every transaction older than the oldest running one has finished: rows below it can no longer appear.
    readHorizon: () =>
      sql<number>`(pg_snapshot_xmin(pg_current_snapshot())::text::bigint * ${sql.lit(ROWS_PER_TRANSACTION)})`,
    skipLocked: true,
    isUniqueViolation: (error) => (error as { code?: string } | null)?.code === '23505',
    listen: (onChange) => listen(connectionString, onChange),
    notify: async (changes) => {
      await sql`SELECT pg_notify('contoso', payload) FROM unnest(${encodeChanges(changes)}::text[]) AS payload`.execute(db);
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

const PG_TYPES: Record<(typeof LOG_COLUMNS)[number], string> = {
  message_id: 'text',
  kind: 'text',
  type: 'text',
  schema_version: 'int',
  source_type: 'text',
  source_id: 'text',
  version: 'int',
  correlation_id: 'text',
  causation_id: 'text',
  created_at: 'text',
  target: 'text',
  payload: 'text',
  metadata: 'text',
};
const COLUMNS = LOG_COLUMNS.join(', ');
const TX_BASE = `pg_current_xact_id()::text::bigint * ${ROWS_PER_TRANSACTION}`;
/**
 * The rows to insert, as a SELECT ($1: the first row's index in its transaction, then the values):
 * one row from plain parameters, several from one array per column (one statement text for any
 * number of rows, so one prepared statement).
 */
const ONE_ROW = `SELECT ${TX_BASE} + $1, ${LOG_COLUMNS.map((c, i) => `$${i + 2}::${PG_TYPES[c]}`).join(', ')}`;
const MANY_ROWS =
  `SELECT ${TX_BASE} + $1 + r.ord - 1, ${LOG_COLUMNS.map((c) => `r.${c}`).join(', ')} ` +
  `FROM unnest(${LOG_COLUMNS.map((c, i) => `$${i + 2}::${PG_TYPES[c]}[]`).join(', ')}) ` +
  `WITH ORDINALITY AS r(${COLUMNS}, ord)`;
const NEXT = LOG_COLUMNS.length + 2;
const append = (rows: string) =>
  `INSERT INTO messages (position, ${COLUMNS}) ${rows} ON CONFLICT (message_id) DO NOTHING RETURNING message_id, position`;
const appendToStream = (rows: string) =>
  `WITH head AS (${STREAM_HEAD_SQL(`$${NEXT}`, `$${NEXT + 1}`)}) INSERT INTO messages (position, ${COLUMNS}) ${rows} ` +
  `WHERE coalesce((SELECT version FROM head), -1) = $${NEXT + 2} ` +
  // The new events must come after the stream's last one in the log (guarantee 5); a transaction
  // whose id predates that writer's commit would put them below it.
  `AND coalesce((SELECT position FROM head), 0) < ${TX_BASE} + $1 ` +
  'RETURNING message_id, position';
const SQL = {
  append: { one: append(ONE_ROW), many: append(MANY_ROWS) },
  appendToStream: { one: appendToStream(ONE_ROW), many: appendToStream(MANY_ROWS) },
};

const insertLog: LogInserter = async (tx, { rows, firstIndex, expect }) => {
  if (firstIndex + rows.length > ROWS_PER_TRANSACTION) {
    throw new Error(`A transaction may write at most ${ROWS_PER_TRANSACTION} log rows`);
  }
  const one = rows.length === 1;
  const values = one ? rows[0] : LOG_COLUMNS.map((_, c) => rows.map((row) => row[c]));
  const texts = expect ? SQL.appendToStream : SQL.append;
  const parameters = [firstIndex, ...values];
  if (expect) parameters.push(expect.sourceType, expect.sourceId, expect.version);
  return (await tx.executeQuery<InsertedRow>(CompiledQuery.raw(one ? texts.one : texts.many, parameters))).rows;
};

/**
 * LISTEN on a dedicated connection, reconnecting with back-off. After a reconnect every topic is
 * signalled once, since notifications may have been missed meanwhile.
 */
async function listen(connectionString: string, onChange: (change: Change) => void): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (attempt: number): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({ connectionString });
    next.on('notification', (n) => {
      const change = n.payload === undefined ? undefined : decodeChange(n.payload);
      if (change) onChange(change);
    });
    next.on('error', () => reconnect(next, 0));
    next.on('end', () => reconnect(next, 0));
    try {
      await next.connect();
      await next.query('LISTEN contoso');
      client = next;
      if (attempt > 0) for (const topic of TOPICS) onChange({ topic });
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

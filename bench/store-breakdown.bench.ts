/**
 * Where the store's append time goes (opt-in: `npm run bench -- store-breakdown`): a ladder of
 * steps from the bare driver to `Store.appendToStream`, each adding one thing the store does, all
 * measured alternately in the same run; plus CPU costs of the store's query building without a
 * database, and what-ifs (PostgreSQL with named prepared statements).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import type pg from 'pg';
import { postgresDialect, postgresPool } from '../src/platform/store/postgres.ts';
import { toRow } from '../src/platform/store/rows.ts';
import type { Database } from '../src/platform/store/schema.ts';
import { Store } from '../src/platform/store/store.ts';
import { compare, looping } from './support/measure.ts';
import { namingPool } from './support/named-statements.ts';
import { COLUMNS, RAW_TABLE, type RawRow, values } from './support/raw.ts';
import { openStoreEnv, type StoreEnv } from './support/store-env.ts';
import type { BenchContext, BenchModule, BenchRow, BenchTable } from './support/types.ts';
import { BATCH, BatchCursor, type NextAppend, StreamCursor, batchRows, eventRow } from './support/workload.ts';

interface Step {
  name: string;
  /** One transaction; answers the events it wrote. */
  run(): Promise<number>;
}

const SELECT_HEAD = (table: string, p: (i: number) => string) =>
  `SELECT max(version) AS version, max(position) AS position FROM ${table} WHERE source_type = ${p(1)} AND source_id = ${p(2)} AND version IS NOT NULL`;

const rowOf = (a: NextAppend) => eventRow(a.stream, a.version, a.event, a.origin, new Date().toISOString());

/** The version check and INSERT … RETURNING exactly as the store builds them. */
function storeQueries(db: Kysely<Database> | Transaction<Database>, env: StoreEnv, stream: { sourceType: string; sourceId: string }, rows: RawRow[]) {
  const head = db
    .selectFrom('messages')
    .select((eb) => [eb.fn.max('version').as('version'), eb.fn.max('position').as('position')])
    .where('source_type', '=', stream.sourceType)
    .where('source_id', '=', stream.sourceId)
    .where('version', 'is not', null);
  const insert = db
    .insertInto('messages')
    .values(
      rows.map((row, i) => {
        const position = env.store.dialect.positionOf(i);
        return position === undefined ? row : { ...row, position };
      }),
    )
    .returning(['message_id', 'position']);
  return { head, insert };
}

function ladderRows(label: string, steps: Step[], rates: number[], unit: string, perTx: number): BenchRow[] {
  return steps.map((step, i) => {
    const us = (1e6 * perTx) / rates[i];
    const previous = i === 0 ? undefined : (1e6 * perTx) / rates[i - 1];
    return {
      store: label,
      measurement: `${i + 1}. ${step.name}`,
      ours: { value: rates[i], unit },
      baseline: i === 0 ? undefined : { value: rates[0], unit, label: 'step 1' },
      note: `${Math.round(us)} µs/tx${previous === undefined ? '' : ` (${us >= previous ? '+' : '−'}${Math.round(Math.abs(us - previous))} vs previous)`}`,
    };
  });
}

async function measureLadder(ctx: BenchContext, label: string, steps: Step[], unit: string, perTx: number): Promise<BenchRow[]> {
  ctx.log(`${label}: ${steps.length} steps`);
  // Many short rounds: with this many contenders, alternating often averages out disk and server noise.
  const { warmupMs, rounds, roundMs } = ctx.budget;
  const rates = await compare(
    { warmupMs: Math.min(300, warmupMs), rounds: rounds * 2, roundMs: Math.max(100, Math.round(roundMs / 2)) },
    steps.map((s) => looping(s.name, () => s.run())),
  );
  return ladderRows(label, steps, rates.map((r) => r.perSecond), unit, perTx);
}

// ---------------------------------------------------------------- SQLite

function sqliteSingleSteps(env: StoreEnv, tag: string): Step[] {
  const { store } = env;
  const db: BetterSqlite3.Database = env.rawSqlite!.db;
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const insertSql = `INSERT INTO ${RAW_TABLE} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;
  const insert = db.prepare(insertSql);
  const insertReturning = db.prepare(`${insertSql} RETURNING message_id, position`);
  const head = db.prepare(SELECT_HEAD(RAW_TABLE, () => '?'));
  const cursor = (name: string) => new StreamCursor(`${tag}-${name}`);
  const c = [1, 2, 3, 4, 5, 6].map((i) => cursor(`s${i}`));
  // The store's SQL, compiled once: what is left of Kysely is its transaction and driver plumbing.
  const sample = rowOf(cursor('sample').next());
  const compiled = storeQueries(store.db, env, { sourceType: 'Order', sourceId: sample.source_id }, [sample]);
  const headSql = compiled.head.compile().sql;
  const insertCompiled = compiled.insert.compile();
  if (JSON.stringify(insertCompiled.parameters) !== JSON.stringify(values(sample))) throw new Error('parameter order differs');
  return [
    {
      name: 'raw: BEGIN IMMEDIATE / INSERT / COMMIT (prepared)',
      run: async () => {
        const row = rowOf(c[0].next());
        begin.run();
        insert.run(values(row));
        commit.run();
        return 1;
      },
    },
    {
      name: '+ version-check SELECT',
      run: async () => {
        const a = c[1].next();
        begin.run();
        head.get(a.stream.sourceType, a.stream.sourceId);
        insert.run(values(rowOf(a)));
        commit.run();
        return 1;
      },
    },
    {
      name: '+ RETURNING message_id, position',
      run: async () => {
        const a = c[2].next();
        begin.run();
        head.get(a.stream.sourceType, a.stream.sourceId);
        insertReturning.all(values(rowOf(a)));
        commit.run();
        return 1;
      },
    },
    {
      name: 'Kysely transaction, SQL compiled once (store connection)',
      run: async () => {
        const a = c[3].next();
        await store.db.transaction().execute(async (trx) => {
          await trx.executeQuery(CompiledQuery.raw(headSql, [a.stream.sourceType, a.stream.sourceId]));
          await trx.executeQuery(CompiledQuery.raw(insertCompiled.sql, values(rowOf(a))));
        });
        return 1;
      },
    },
    {
      name: 'Kysely query builder (build + compile per call)',
      run: async () => {
        const a = c[4].next();
        await store.db.transaction().execute(async (trx) => {
          const q = storeQueries(trx, env, a.stream, [rowOf(a)]);
          await q.head.executeTakeFirst();
          await q.insert.execute();
        });
        return 1;
      },
    },
    {
      name: 'Store.appendToStream',
      run: async () => {
        const a = c[5].next();
        await store.transaction((tx) => store.appendToStream(tx, a.stream, a.version - 1, [a.event], a.origin));
        return 1;
      },
    },
  ];
}

function sqliteBatchSteps(env: StoreEnv, tag: string): Step[] {
  const { store } = env;
  const db = env.rawSqlite!.db;
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const insertSql = `INSERT INTO ${RAW_TABLE} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;
  const insert = db.prepare(insertSql);
  const insertReturning = db.prepare(`${insertSql} RETURNING message_id, position`);
  const head = db.prepare(SELECT_HEAD(RAW_TABLE, () => '?'));
  const c = [1, 2, 3, 4].map((i) => new BatchCursor(`${tag}-b${i}`));
  return [
    {
      name: `raw: ${BATCH} prepared per-row INSERTs in one transaction`,
      run: async () => {
        const rows = batchRows(c[0].next());
        begin.run();
        for (const row of rows) insert.run(values(row));
        commit.run();
        return BATCH;
      },
    },
    {
      name: '+ version-check SELECT + RETURNING',
      run: async () => {
        const b = c[1].next();
        const rows = batchRows(b);
        begin.run();
        head.get(b.stream.sourceType, b.stream.sourceId);
        for (const row of rows) insertReturning.all(values(row));
        commit.run();
        return BATCH;
      },
    },
    {
      name: `Kysely query builder: SELECT + one ${BATCH}-row INSERT … RETURNING`,
      run: async () => {
        const b = c[2].next();
        const rows = batchRows(b);
        await store.db.transaction().execute(async (trx) => {
          const q = storeQueries(trx, env, b.stream, rows);
          await q.head.executeTakeFirst();
          await q.insert.execute();
        });
        return BATCH;
      },
    },
    {
      name: 'Store.appendToStream',
      run: async () => {
        const b = c[3].next();
        await store.transaction((tx) => store.appendToStream(tx, b.stream, -1, b.events, b.origin));
        return BATCH;
      },
    },
  ];
}

// ---------------------------------------------------------------- PostgreSQL

/** A second Store on the same database whose Kysely sends named (prepared) statements. */
async function namedStatementStore(url: string): Promise<Store> {
  const base = postgresDialect(url);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: namingPool(postgresPool(url)) }) });
  return Store.open(
    {
      ...base,
      db,
      close: async () => {
        await db.destroy();
        await base.close();
      },
    },
    { migrate: false },
  );
}

const POSITION = (index: number | string) => `pg_current_xact_id()::text::bigint * 65536 + ${index}`;

function pgSingleSteps(env: StoreEnv, named: Store, tag: string): Step[] {
  const { store } = env;
  const client: pg.Client = env.rawPostgres!.writers[0].client;
  const params = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  const insertText = (table: string) => `INSERT INTO ${table} (position, ${COLUMNS.join(', ')}) VALUES (${POSITION(0)}, ${params})`;
  const q = {
    insert: { name: 'bd_insert', text: insertText(RAW_TABLE) },
    head: { name: 'bd_head', text: SELECT_HEAD(RAW_TABLE, (i) => `$${i}`) },
    insertReturning: { name: 'bd_insert_ret', text: `${insertText(RAW_TABLE)} RETURNING message_id, position` },
    headMessages: { name: 'bd_head_m', text: SELECT_HEAD('messages', (i) => `$${i}`) },
    insertMessages: { name: 'bd_insert_m', text: `${insertText('messages')} RETURNING message_id, position` },
  };
  const tx = async (work: () => Promise<unknown>) => {
    await client.query('BEGIN');
    await work();
    await client.query('COMMIT');
  };
  const c = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => new StreamCursor(`${tag}-s${i}`));
  const sample = rowOf(new StreamCursor(`${tag}-sample`).next());
  const compiled = storeQueries(store.db, env, { sourceType: 'Order', sourceId: sample.source_id }, [sample]);
  const headSql = compiled.head.compile().sql;
  const insertCompiled = compiled.insert.compile();
  if (JSON.stringify(insertCompiled.parameters) !== JSON.stringify(values(sample))) throw new Error('parameter order differs');
  const key = (a: NextAppend) => [a.stream.sourceType, a.stream.sourceId];
  return [
    {
      name: 'raw: BEGIN / INSERT / COMMIT (named prepared statement)',
      run: async () => {
        const row = rowOf(c[0].next());
        await tx(() => client.query({ ...q.insert, values: values(row) }));
        return 1;
      },
    },
    {
      name: '+ version-check SELECT',
      run: async () => {
        const a = c[1].next();
        await tx(async () => {
          await client.query({ ...q.head, values: key(a) });
          await client.query({ ...q.insert, values: values(rowOf(a)) });
        });
        return 1;
      },
    },
    {
      name: '+ RETURNING message_id, position',
      run: async () => {
        const a = c[2].next();
        await tx(async () => {
          await client.query({ ...q.head, values: key(a) });
          await client.query({ ...q.insertReturning, values: values(rowOf(a)) });
        });
        return 1;
      },
    },
    {
      name: '+ into `messages` (NOTIFY trigger)',
      run: async () => {
        const a = c[3].next();
        await tx(async () => {
          await client.query({ ...q.headMessages, values: key(a) });
          await client.query({ ...q.insertMessages, values: values(rowOf(a)) });
        });
        return 1;
      },
    },
    {
      name: 'same, unnamed statements (parse + plan every time)',
      run: async () => {
        const a = c[4].next();
        await tx(async () => {
          await client.query(q.headMessages.text, key(a));
          await client.query(q.insertMessages.text, values(rowOf(a)));
        });
        return 1;
      },
    },
    {
      name: 'Kysely transaction, store SQL compiled once (pool)',
      run: async () => {
        const a = c[5].next();
        await store.db.transaction().execute(async (trx) => {
          await trx.executeQuery(CompiledQuery.raw(headSql, key(a)));
          await trx.executeQuery(CompiledQuery.raw(insertCompiled.sql, values(rowOf(a))));
        });
        return 1;
      },
    },
    {
      name: 'Kysely query builder (build + compile per call)',
      run: async () => {
        const a = c[6].next();
        await store.db.transaction().execute(async (trx) => {
          const built = storeQueries(trx, env, a.stream, [rowOf(a)]);
          await built.head.executeTakeFirst();
          await built.insert.execute();
        });
        return 1;
      },
    },
    {
      name: 'Store.appendToStream',
      run: async () => {
        const a = c[7].next();
        await store.transaction((t) => store.appendToStream(t, a.stream, a.version - 1, [a.event], a.origin));
        return 1;
      },
    },
    {
      name: 'what-if: Store.appendToStream, named statements',
      run: async () => {
        const a = c[8].next();
        await named.transaction((t) => named.appendToStream(t, a.stream, a.version - 1, [a.event], a.origin));
        return 1;
      },
    },
  ];
}

function pgBatchSteps(env: StoreEnv, named: Store, tag: string): Step[] {
  const { store } = env;
  const client: pg.Client = env.rawPostgres!.writers[0].client;
  const tuples = (n: number) =>
    Array.from({ length: n }, (_, r) => `(${POSITION(r)}, ${COLUMNS.map((_, i) => `$${r * COLUMNS.length + i + 1}`).join(', ')})`).join(', ');
  const insertText = (table: string) => `INSERT INTO ${table} (position, ${COLUMNS.join(', ')}) VALUES ${tuples(BATCH)}`;
  const q = {
    insert: { name: 'bd_insert_batch', text: insertText(RAW_TABLE) },
    head: { name: 'bd_head_b', text: SELECT_HEAD(RAW_TABLE, (i) => `$${i}`) },
    insertReturning: { name: 'bd_insert_batch_ret', text: `${insertText(RAW_TABLE)} RETURNING message_id, position` },
    headMessages: SELECT_HEAD('messages', (i) => `$${i}`),
    insertMessages: `${insertText('messages')} RETURNING message_id, position`,
  };
  const tx = async (work: () => Promise<unknown>) => {
    await client.query('BEGIN');
    await work();
    await client.query('COMMIT');
  };
  const c = [1, 2, 3, 4, 5, 6].map((i) => new BatchCursor(`${tag}-b${i}`));
  return [
    {
      name: `raw: one ${BATCH}-row INSERT (named prepared statement)`,
      run: async () => {
        const rows = batchRows(c[0].next());
        await tx(() => client.query({ ...q.insert, values: rows.flatMap(values) }));
        return BATCH;
      },
    },
    {
      name: '+ version-check SELECT + RETURNING',
      run: async () => {
        const b = c[1].next();
        await tx(async () => {
          await client.query({ ...q.head, values: [b.stream.sourceType, b.stream.sourceId] });
          await client.query({ ...q.insertReturning, values: batchRows(b).flatMap(values) });
        });
        return BATCH;
      },
    },
    {
      name: 'same into `messages`, unnamed statements (parse + plan every time)',
      run: async () => {
        const b = c[2].next();
        await tx(async () => {
          await client.query(q.headMessages, [b.stream.sourceType, b.stream.sourceId]);
          await client.query(q.insertMessages, batchRows(b).flatMap(values));
        });
        return BATCH;
      },
    },
    {
      name: 'Kysely query builder (build + compile per call)',
      run: async () => {
        const b = c[3].next();
        await store.db.transaction().execute(async (trx) => {
          const built = storeQueries(trx, env, b.stream, batchRows(b));
          await built.head.executeTakeFirst();
          await built.insert.execute();
        });
        return BATCH;
      },
    },
    {
      name: 'Store.appendToStream',
      run: async () => {
        const b = c[4].next();
        await store.transaction((t) => store.appendToStream(t, b.stream, -1, b.events, b.origin));
        return BATCH;
      },
    },
    {
      name: 'what-if: Store.appendToStream, named statements',
      run: async () => {
        const b = c[5].next();
        await named.transaction((t) => named.appendToStream(t, b.stream, -1, b.events, b.origin));
        return BATCH;
      },
    },
  ];
}

// ---------------------------------------------------------------- CPU costs without a database

function cpuRows(env: StoreEnv): BenchRow[] {
  const measure = (name: string, work: () => void): BenchRow => {
    for (let i = 0; i < 200; i++) work();
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < 300) {
      work();
      n++;
    }
    const us = ((performance.now() - start) * 1000) / n;
    return { store: `${env.kind}, CPU only`, measurement: name, ours: { value: us, unit: 'µs/call' }, higherIsBetter: false };
  };
  const single = new StreamCursor('cpu-single');
  const batch = new BatchCursor('cpu-batch');
  const one = single.next();
  const many = batch.next();
  const oneRow = [rowOf(one)];
  const manyRows = batchRows(many);
  const message = (a: NextAppend) => ({
    type: a.event.type,
    data: a.event.data,
    metadata: {
      messageId: `Order_${a.stream.sourceId}_${a.version}`,
      kind: 'event' as const,
      schemaVersion: 1,
      sourceType: a.stream.sourceType,
      sourceId: a.stream.sourceId,
      version: a.version,
      correlationId: a.origin.correlationId,
      causationId: a.origin.causationId,
      createdAt: new Date().toISOString(),
    },
  });
  return [
    measure('Kysely build + compile: version-check SELECT', () => {
      storeQueries(env.store.db, env, one.stream, oneRow).head.compile();
    }),
    measure('Kysely build + compile: 1-row INSERT … RETURNING', () => {
      storeQueries(env.store.db, env, one.stream, oneRow).insert.compile();
    }),
    measure(`Kysely build + compile: ${BATCH}-row INSERT … RETURNING`, () => {
      storeQueries(env.store.db, env, many.stream, manyRows).insert.compile();
    }),
    measure('envelope + toRow, 1 event (store)', () => {
      toRow(message(one));
    }),
    measure('eventRow, 1 event (raw baseline)', () => {
      rowOf(one);
    }),
  ];
}

// ---------------------------------------------------------------- module

async function run(ctx: BenchContext): Promise<BenchTable[]> {
  const tables: BenchTable[] = [];
  for (const kind of ctx.stores) {
    const { env, close } = await openStoreEnv(kind, ctx);
    try {
      const rows: BenchRow[] = [];
      if (kind === 'sqlite') {
        rows.push(...(await measureLadder(ctx, 'sqlite', sqliteSingleSteps(env, 'full'), 'tx/s', 1)));
        rows.push(...(await measureLadder(ctx, 'sqlite', sqliteBatchSteps(env, 'full'), 'events/s', BATCH)));
        // Without fsync the store's CPU overhead stands out from the disk's noise.
        env.rawSqlite!.db.pragma('synchronous = OFF');
        await sql`pragma synchronous = OFF`.execute(env.store.db);
        rows.push(...(await measureLadder(ctx, 'sqlite, sync OFF', sqliteSingleSteps(env, 'off'), 'tx/s', 1)));
        rows.push(...(await measureLadder(ctx, 'sqlite, sync OFF', sqliteBatchSteps(env, 'off'), 'events/s', BATCH)));
      } else {
        const named = await namedStatementStore(env.location.url);
        try {
          rows.push(...(await measureLadder(ctx, 'postgres', pgSingleSteps(env, named, 'pg'), 'tx/s', 1)));
          rows.push(...(await measureLadder(ctx, 'postgres', pgBatchSteps(env, named, 'pg'), 'events/s', BATCH)));
        } finally {
          await named.close();
        }
      }
      rows.push(...cpuRows(env));
      tables.push({
        title: `Store append breakdown: ${kind}`,
        description:
          'Each step adds one thing the store does; all steps of a ladder alternate in the same rounds. ' +
          'ratio = step throughput / step 1. Steps 1–3 write `bench_raw_messages` with the bare driver.',
        rows,
      });
    } finally {
      await close();
    }
  }
  return tables;
}

export const benchmark: BenchModule = {
  name: 'store-breakdown',
  description: 'where Store.appendToStream spends its time: raw driver → store, step by step',
  optIn: true,
  run,
};

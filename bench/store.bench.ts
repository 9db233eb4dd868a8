/**
 * Store benchmarks: the event store (`Store`, Kysely over better-sqlite3 / pg) against the bare
 * driver writing and reading the same rows, on SQLite and PostgreSQL, measured in the same run.
 *
 * More per-store measurements plug into MEASUREMENTS below: a measurement gets the open store and
 * the raw baseline (a StoreEnv) and answers table rows.
 */
import { originFromRequest } from '../src/platform/messages/factory.ts';
import { ROWS_PER_TRANSACTION } from '../src/platform/store/postgres.ts';
import type { Store } from '../src/platform/store/store.ts';
import { appendToHandlerLatency } from './append-latency.ts';
import { compare, concurrent, fastest, looping, type Rate, roundRatioRange } from './support/measure.ts';
import { RAW_TABLE, type RawRow } from './support/raw.ts';
import { openStoreEnv, type StoreEnv } from './support/store-env.ts';
import type { BenchContext, BenchModule, BenchRow, BenchTable, StoreKind } from './support/types.ts';
import { BATCH, BatchCursor, STREAM_LENGTH, StreamCursor, batchRows, eventRow, seatsReserved } from './support/workload.ts';

/** Ours must reach this share of the raw driver's throughput. */
const TARGET = { kind: 'ratio', min: 0.7 } as const;

const READ_ROWS = 100_000;
const READ_BATCH = 1000;
const PG_WRITERS = 8;

/** One per-store measurement; add new ones to MEASUREMENTS. */
export interface StoreMeasurement {
  name: string;
  /** Default: every store. */
  stores?: readonly StoreKind[];
  run(env: StoreEnv): Promise<BenchRow[]>;
}

function row(env: StoreEnv, measurement: string, unit: string, ours: Rate, baseline: Rate, note?: string): BenchRow {
  const [low, high] = roundRatioRange(ours, baseline);
  const spread = `rounds ${Math.round(low * 100)}–${Math.round(high * 100)} %`;
  return {
    store: env.kind,
    measurement,
    ours: { value: ours.perSecond, unit },
    baseline: { value: baseline.perSecond, unit, label: 'raw driver' },
    target: TARGET,
    note: note ? `${spread}; ${note}` : spread,
  };
}

export function appendOneViaStore(store: Store, cursor: StreamCursor): () => Promise<number> {
  return async () => {
    const { stream, version, event, origin } = cursor.next();
    await store.transaction((tx) => store.appendToStream(tx, stream, version - 1, [event], origin));
    return 1;
  };
}

export function appendOneViaRaw(append: (row: RawRow) => Promise<void>, cursor: StreamCursor): () => Promise<number> {
  return async () => {
    const { stream, version, event, origin } = cursor.next();
    await append(eventRow(stream, version, event, origin, new Date().toISOString()));
    return 1;
  };
}

const readAll: StoreMeasurement = {
  name: 'read all',
  async run(env) {
    const { store, raw, ctx } = env;
    ctx.log(`${env.kind}: seeding ${READ_ROWS.toLocaleString('en-US')} events through the store`);
    const perTx = 1000;
    let stream = 0;
    for (let written = 0; written < READ_ROWS; written += perTx) {
      await store.transaction(async (tx) => {
        for (let i = 0; i < perTx; i += STREAM_LENGTH) {
          const id = { sourceType: 'Order', sourceId: `seed-${stream++}` };
          const events = Array.from({ length: STREAM_LENGTH }, (_, n) => seatsReserved(id, n));
          await store.appendToStream(tx, id, -1, events, originFromRequest(id.sourceId));
        }
      });
    }
    await raw.copyStoreLog();
    const total = await raw.count();
    ctx.log(`${env.kind}: reading ${total.toLocaleString('en-US')} rows, batches of ${READ_BATCH}`);
    const viaStore = looping('store', async () => {
      let n = 0;
      for await (const batch of store.readLogBatches({ after: 0, batchSize: READ_BATCH })) n += batch.length;
      if (n !== total) throw new Error(`store read ${n} rows of ${total}`);
      return n;
    });
    const viaRaw = looping('raw', async () => {
      const n = await raw.readAll(READ_BATCH);
      if (n !== total) throw new Error(`raw read ${n} rows of ${total}`);
      return n;
    });
    const [ours, base] = await compare(ctx.budget, [viaStore, viaRaw]);
    return [row(env, `read all (${Math.round(total / 1000)}k rows, batches of ${READ_BATCH})`, 'events/s', ours, base)];
  },
};

const singleAppend: StoreMeasurement = {
  name: 'single-event append',
  async run(env) {
    const { store, raw, ctx } = env;
    ctx.log(`${env.kind}: single-event append transactions`);
    const [ours, base] = await compare(ctx.budget, [
      looping('store', appendOneViaStore(store, new StreamCursor('single-store'))),
      looping('raw', appendOneViaRaw((r) => raw.appendOne(r), new StreamCursor('single-raw'))),
    ]);
    return [row(env, 'single-event append, 1 writer', 'tx/s', ours, base)];
  },
};

const batchedAppend: StoreMeasurement = {
  name: 'batched append',
  async run(env) {
    const { store, raw, ctx } = env;
    ctx.log(`${env.kind}: ${BATCH}-event append transactions (choosing the fastest raw variant first)`);
    const rawContenders = raw.batchVariants().map((variant) => {
      const cursor = new BatchCursor(`batch-raw-${variant.name.replaceAll(/\W+/g, '_')}`);
      return looping(variant.name, async () => {
        await variant.write(batchRows(cursor.next()));
        return BATCH;
      });
    });
    const trial = await fastest(Math.max(300, ctx.budget.roundMs / 2), rawContenders);
    const cursor = new BatchCursor('batch-store');
    const viaStore = looping('store', async () => {
      const { stream, events, origin } = cursor.next();
      await store.transaction((tx) => store.appendToStream(tx, stream, -1, events, origin));
      return BATCH;
    });
    const [ours, base] = await compare(ctx.budget, [viaStore, trial.best]);
    const tried = [...trial.rates].map(([name, rate]) => `${name} ≈ ${Math.round(rate).toLocaleString('en-US')}`).join(', ');
    return [
      row(env, `batched append, ${BATCH} events/tx, 1 writer`, 'events/s', ours, base, `raw: ${trial.best.name} (trial: ${tried} events/s)`),
    ];
  },
};

const concurrentAppend: StoreMeasurement = {
  name: 'concurrent single-event append',
  stores: ['postgres'],
  async run(env) {
    const { store, ctx, rawPostgres } = env;
    if (!rawPostgres || rawPostgres.writers.length < PG_WRITERS) throw new Error(`${PG_WRITERS} PostgreSQL raw writers needed`);
    ctx.log(`${env.kind}: single-event append transactions, ${PG_WRITERS} concurrent writers`);
    const [ours, base] = await compare(ctx.budget, [
      concurrent(
        'store',
        Array.from({ length: PG_WRITERS }, (_, w) => appendOneViaStore(store, new StreamCursor(`conc-store-${w}`))),
      ),
      concurrent(
        'raw',
        rawPostgres.writers
          .slice(0, PG_WRITERS)
          .map((writer, w) => appendOneViaRaw((r) => writer.appendOne(r), new StreamCursor(`conc-raw-${w}`))),
      ),
    ]);
    return [row(env, `single-event append, ${PG_WRITERS} writers`, 'tx/s', ours, base)];
  },
};

const latency: StoreMeasurement = { name: 'append→handler latency', run: appendToHandlerLatency };

/** Per-store measurements, in the order they run. read-all runs first, on exactly the seeded log. */
export const MEASUREMENTS: StoreMeasurement[] = [readAll, singleAppend, batchedAppend, concurrentAppend, latency];

async function run(ctx: BenchContext): Promise<BenchTable[]> {
  const rows: BenchRow[] = [];
  for (const kind of ctx.stores) {
    const { env, close } = await openStoreEnv(kind, ctx, { rawWriters: PG_WRITERS });
    try {
      for (const measurement of MEASUREMENTS) {
        if (measurement.stores && !measurement.stores.includes(kind)) continue;
        rows.push(...(await measurement.run(env)));
      }
    } finally {
      await close();
    }
  }
  return [
    {
      title: 'Store: Store vs raw driver',
      description: [
        'Ours: `Store` (Kysely; SQLite via better-sqlite3 with its prepared-statement cache, WAL, synchronous=FULL;',
        'PostgreSQL via a pg pool, LISTEN on) opened as the application opens it. Baseline: the bare driver writing',
        `the same rows (checked equal) into \`${RAW_TABLE}\`, a copy of \`messages\` with the same constraints and indexes`,
        '(PostgreSQL: `LIKE messages INCLUDING ALL`) in the same database, with prepared',
        'statements, no version check and no RETURNING. Contenders alternate in rounds after a warm-up.',
        '',
        `- Single-event append: \`store.transaction(tx => appendToStream(tx, stream, v, [event], origin))\`; streams get`,
        `  sequential versions, ${STREAM_LENGTH} events each, then the next stream begins. Raw: BEGIN (IMMEDIATE) / INSERT / COMMIT.`,
        `- Batched append: one \`appendToStream\` of ${BATCH} events on a new stream per transaction; raw: the faster of`,
        '  the variants in the note, chosen by a trial in the same run.',
        `- Read all: \`readLogBatches({ after: 0, batchSize: ${READ_BATCH} })\` over a log of ${READ_ROWS / 1000}k events; raw: keyset`,
        `  \`SELECT * … WHERE position > ? ORDER BY position LIMIT ${READ_BATCH}\` + JSON.parse of payload and metadata.`,
        `- PostgreSQL, ${PG_WRITERS} writers: ${PG_WRITERS} concurrent loops with their own streams (store: its pool; raw: ${PG_WRITERS} clients).`,
        `  Positions are \`xid · ${ROWS_PER_TRANSACTION} + index\` on both sides.`,
        '- Append→handler latency: single-event appends at a steady rate; from the start of each append until a',
        '  subscribed handler is handed the event (SQLite: same process; PostgreSQL: a second store, as a worker',
        '  process would be). Baseline: the append transaction alone. Target: p99 ≤ 50 ms.',
      ].join('\n'),
      rows,
    },
  ];
}

export const benchmark: BenchModule = {
  name: 'store',
  description: 'event store appends and log reads vs the raw driver, SQLite and PostgreSQL',
  run,
};

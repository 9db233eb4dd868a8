/**
 * The operator's log queries (`GET /api/ops/messages`, the log pages) on a generated log of a
 * million entries: the time to answer a first page of 100 with each filter an operator uses, ours
 * (`Store.queryLog`) against the plain query (every filter in one WHERE in position order, the
 * planner left to choose; same indexes), on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import { APP_MIGRATIONS } from '../src/app/migrations.ts';
import type { LogFilter } from '../src/platform/store/log-query.ts';
import type { Database } from '../src/platform/store/schema.ts';
import { Store } from '../src/platform/store/store.ts';
import { generateLog, generatedAt } from '../test/support/generated-log.ts';
import { freshLocation } from './support/locations.ts';
import { percentiles } from './support/measure.ts';
import type { BenchContext, BenchModule, BenchRow, BenchTable, StoreKind } from './support/types.ts';

const ROWS = 1_000_000;
const QUICK_ROWS = 200_000;
const PAGE = 100;
/** A page must come within this (median), whatever the filters. */
const TARGET = { kind: 'max', value: 100, unit: 'ms' } as const;

const CASES: Array<{ name: string; filter: (rows: number) => Omit<LogFilter, 'limit'> }> = [
  { name: 'no filter', filter: () => ({}) },
  { name: 'page deep in the log (after)', filter: (rows) => ({ after: rows - 1000 }) },
  { name: 'one order (correlation id)', filter: (rows) => ({ correlationIds: [`o${Math.floor(rows / 20)}`] }) },
  { name: 'one stream (source type + id)', filter: (rows) => ({ sourceTypes: ['Order'], sourceIds: [`o${Math.floor(rows / 20)}`] }) },
  { name: 'a common type (25 %)', filter: () => ({ types: ['Type1'] }) },
  { name: 'two common types', filter: () => ({ types: ['Type1', 'Type2'] }) },
  { name: 'a rare type (0.05 %)', filter: () => ({ types: ['RareType'] }) },
  { name: 'operator actions (kind)', filter: () => ({ kinds: ['operator-action'] }) },
  { name: 'a rare source type', filter: () => ({ sourceTypes: ['RareSource'] }) },
  { name: '5 minutes in the middle', filter: (rows) => ({ from: generatedAt(rows / 2), until: generatedAt(rows / 2 + 300) }) },
  { name: 'the last hour (from)', filter: (rows) => ({ from: generatedAt(rows - 3600) }) },
  { name: 'a common type in 5 minutes', filter: (rows) => ({ types: ['Type1'], from: generatedAt(rows / 2), until: generatedAt(rows / 2 + 300) }) },
  { name: 'from the start (whole log)', filter: () => ({ from: generatedAt(0) }) },
];

/** The plain query: every filter in one WHERE, in position order. */
function plainQuery(db: Kysely<Database>, filter: LogFilter) {
  let query = db.selectFrom('messages').selectAll().orderBy('position').limit(filter.limit + 1);
  if (filter.after !== undefined) query = query.where('position', '>', filter.after);
  if (filter.kinds?.length) query = query.where('kind', 'in', filter.kinds);
  if (filter.types?.length) query = query.where('type', 'in', filter.types);
  if (filter.sourceTypes?.length) query = query.where('source_type', 'in', filter.sourceTypes);
  if (filter.sourceIds?.length) query = query.where('source_id', 'in', filter.sourceIds);
  if (filter.correlationIds?.length) query = query.where('correlation_id', 'in', filter.correlationIds);
  if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
  if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
  return query;
}

/** Median milliseconds of `work`, run until `budgetMs` is spent (at least 3 times, at most 50). */
async function medianMs(work: () => Promise<unknown>, budgetMs: number): Promise<number> {
  await work();
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (samples.length < 3 || (samples.length < 50 && performance.now() < end)) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  return percentiles(samples, [50])[0];
}

async function measure(kind: StoreKind, ctx: BenchContext, rows: number): Promise<BenchRow[]> {
  const location = await freshLocation(kind, ctx.postgresAdminUrl);
  ctx.onCleanup(() => location.drop());
  const store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS, listen: false });
  try {
    ctx.log(`${kind}: generating ${rows.toLocaleString('en-US')} log entries`);
    await generateLog(store.db, kind, rows);
    const result: BenchRow[] = [];
    for (const { name, filter } of CASES) {
      const wanted = { ...filter(rows), limit: PAGE };
      const ours = await medianMs(() => store.queryLog(wanted), ctx.budget.roundMs);
      const plain = await medianMs(() => plainQuery(store.db, { ...wanted, limit: PAGE }).execute(), ctx.budget.roundMs);
      const found = (await store.queryLog(wanted)).messages.length;
      ctx.log(`${kind}: ${name}: ${ours.toFixed(2)} ms (plain ${plain.toFixed(2)} ms), ${found} rows`);
      result.push({
        store: kind,
        measurement: `first page: ${name}`,
        ours: { value: ours, unit: 'ms' },
        baseline: { value: plain, unit: 'ms', label: 'plain query' },
        higherIsBetter: false,
        target: TARGET,
        note: `${found} rows`,
      });
    }
    return result;
  } finally {
    await store.close();
    await location.drop();
  }
}

export const benchmark: BenchModule = {
  name: 'ops-queries',
  description: 'Operator log queries: a first page with each filter on a generated log of 1,000,000 entries',
  async run(ctx) {
    const rows = ctx.budget.rounds <= 2 ? QUICK_ROWS : ROWS;
    const tableRows: BenchRow[] = [];
    for (const kind of ctx.stores) tableRows.push(...(await measure(kind, ctx, rows)));
    const table: BenchTable = {
      title: 'Operator log queries',
      description: `A first page of ${PAGE} of \`GET /api/ops/messages\` (\`Store.queryLog\`) on a generated, analysed log of ${rows.toLocaleString('en-US')} entries (\`test/support/generated-log.ts\`), median time; baseline: the same filters as one plain WHERE in position order.`,
      rows: tableRows,
      notes: [
        'The plain query has the same indexes; left to choose, the planners read a recent time window through the primary key from the start of the log.',
      ],
    };
    return [table];
  },
};

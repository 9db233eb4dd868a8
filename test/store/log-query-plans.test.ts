import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { type LogFilter, logQuery, logWindowProbe } from '../../src/platform/store/log-query.ts';
import type { Database } from '../../src/platform/store/schema.ts';
import { Store } from '../../src/platform/store/store.ts';
import { generateLog, generatedAt } from '../support/generated-log.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

/**
 * The plans of the operator's log queries (`GET /api/ops/messages`, the log pages): each filter, alone
 * and combined, is served by its index, never by reading the whole log. The log is generated with
 * realistic proportions and analysed (`generateLog`), so the planners decide on statistics: common
 * values (most rows are events of a few types) and, for each filter, a rare value the test asks for.
 * Without the indexes of migration 0011 the kind and source-type cases fail.
 */
const ROWS = 20_000;

const at = generatedAt;

/** Each filter with selective values, and the index that must serve it. */
const CASES: Array<{ name: string; filter: Omit<LogFilter, 'limit'>; index: string }> = [
  { name: 'kind', filter: { kinds: ['operator-action'] }, index: 'messages_kind' },
  { name: 'type', filter: { types: ['RareType'] }, index: 'messages_type' },
  { name: 'types (several)', filter: { types: ['RareType', 'NoSuchType'] }, index: 'messages_type' },
  { name: 'source type', filter: { sourceTypes: ['RareSource'] }, index: 'messages_source_type' },
  { name: 'source id', filter: { sourceIds: ['o42'] }, index: 'messages_source_id' },
  { name: 'source ids (several)', filter: { sourceIds: ['o42', 'o43', 'o44'] }, index: 'messages_source_id' },
  { name: 'correlation id', filter: { correlationIds: ['o42'] }, index: 'messages_correlation' },
  { name: 'time range', filter: { from: at(10_000), until: at(10_300) }, index: 'messages_created_at' },
  { name: 'from, late', filter: { from: at(ROWS - 50) }, index: 'messages_created_at' },
  { name: 'time range after a position', filter: { from: at(10_000), until: at(10_300), after: 10_100 }, index: 'messages_created_at' },
  { name: 'correlation id and kind', filter: { correlationIds: ['o42'], kinds: ['event'] }, index: 'messages_correlation' },
  { name: 'source type and id', filter: { sourceTypes: ['Order'], sourceIds: ['o42'] }, index: 'messages_source_id' },
  { name: 'type and time range', filter: { types: ['Type1'], from: at(10_000), until: at(10_300) }, index: 'messages_created_at' },
  { name: 'kind and from', filter: { kinds: ['command'], from: at(ROWS - 100) }, index: 'messages_created_at' },
  { name: 'kind, type and source type', filter: { kinds: ['event'], types: ['Type1'], sourceTypes: ['RareSource'] }, index: 'messages_type' },
  { name: 'everything', filter: { kinds: ['event'], types: ['Type1'], sourceTypes: ['Order'], sourceIds: ['o42'], correlationIds: ['o42'], from: at(0), until: at(ROWS), after: 1 }, index: 'messages_correlation' },
];

/** What the planner says it reads the messages table with, one line per step. */
async function plan(db: Kysely<Database>, kind: 'sqlite' | 'postgres', query: { sql: string; parameters: readonly unknown[] }): Promise<string[]> {
  const prefix = kind === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
  const result = await db.executeQuery<Record<string, string>>({ ...query, sql: prefix + query.sql, query: { kind: 'RawNode' } } as never);
  return result.rows.map((row) => row.detail ?? row['QUERY PLAN']);
}

describe.each(STORE_KINDS)('log query plans on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS, listen: false });
    await generateLog(store.db, kind, ROWS);
  });
  afterAll(async () => {
    await store.close();
    await location.drop();
  });

  const planOf = (filter: Omit<LogFilter, 'limit'>) => plan(store.db, kind, logQuery(store.db, { ...filter, limit: 100 }, store.dialect.readHorizon()).compile());

  /** The steps reading the messages table: a scan of it, or a lookup in one of its indexes. */
  const reads = (steps: string[]) =>
    kind === 'sqlite'
      ? steps.filter((step) => /^(SCAN|SEARCH) messages\b/.test(step))
      : steps.filter((step) => /(Seq Scan|Index Scan|Index Only Scan|Bitmap Index Scan)( using| on) messages/.test(step));

  /** A time-led page's rows fetched by the positions its index look-up found (SQLite: `rowid=?`; PostgreSQL: a nested loop's inner primary-key scan). */
  const isRowFetch = (step: string, i: number, steps: string[]) =>
    kind === 'sqlite'
      ? step === 'SEARCH messages USING INTEGER PRIMARY KEY (rowid=?)'
      : /Index Scan using messages_pkey on messages /.test(step) && /Index Cond: \("position" = messages_1\."position"\)/.test(steps[i + 1] ?? '');

  it.each(CASES)('$name: looked up in $index, no scan of the log', async ({ filter, index }) => {
    const steps = await planOf(filter);
    const fetches = steps.filter(isRowFetch);
    const lookups = reads(steps).filter((step) => !fetches.includes(step));
    expect(lookups.length, steps.join('\n')).toBeGreaterThan(0);
    for (const step of lookups) {
      if (kind === 'sqlite') expect(step, steps.join('\n')).toMatch(new RegExp(`^SEARCH messages USING (COVERING )?INDEX ${index} \\(`));
      else expect(step, steps.join('\n')).toMatch(new RegExp(`(Index Scan|Index Only Scan|Bitmap Index Scan) (using|on) ${index}\\b`));
    }
  });

  it('the unfiltered log and a page after a position are read in position order from the primary key, up to the limit', async () => {
    for (const filter of [{}, { after: 5000 }]) {
      const steps = await planOf(filter);
      const read = reads(steps);
      if (kind === 'sqlite') expect(read, steps.join('\n')).toEqual([filter.after === undefined ? 'SCAN messages' : 'SEARCH messages USING INTEGER PRIMARY KEY (rowid>?)']);
      else expect(read, steps.join('\n')).toEqual([expect.stringMatching(/Index Scan using messages_pkey on messages/)]);
      expect(steps.join('\n')).not.toMatch(/TEMP B-TREE|Sort/);
    }
  });

  it('a time-only page first tries a bounded window of the log in position order (the primary key), then the time index', async () => {
    for (const filter of [{ from: at(10) }, { from: at(10), after: 5000 }]) {
      const probe = logWindowProbe(store.db, { ...filter, limit: 100 }, store.dialect.readHorizon());
      const steps = await plan(store.db, kind, probe!.compile());
      if (kind === 'sqlite') expect(reads(steps), steps.join('\n')).toEqual([filter.after === undefined ? 'SCAN messages' : 'SEARCH messages USING INTEGER PRIMARY KEY (rowid>?)']);
      else expect(reads(steps), steps.join('\n')).toEqual([expect.stringMatching(/Index Scan using messages_pkey on messages/)]);
      expect(steps.join('\n')).toMatch(kind === 'sqlite' ? /CO-ROUTINE w/ : /Limit[\s\S]*Limit/);
    }
    expect(logWindowProbe(store.db, { types: ['Type1'], from: at(10), limit: 100 })).toBeUndefined();
    // A wide range: the window has the page; a late one: the window has not, the time index has.
    expect((await store.queryLog({ from: at(10), limit: 3 })).messages.map((m) => m.metadata.messageId)).toEqual(['m10', 'm11', 'm12']);
    expect((await store.queryLog({ from: at(ROWS - 2), limit: 3 })).messages.map((m) => m.metadata.messageId)).toEqual([`m${ROWS - 2}`, `m${ROWS - 1}`, `m${ROWS}`]);
  });

  it('many values of one filter: one look-up of them all (SQLite allows at most 500 parts in a UNION)', async () => {
    const correlationIds = ['o42', ...Array.from({ length: 600 }, (_, i) => `none${i}`)];
    const page = await store.queryLog({ correlationIds, limit: 100 });
    expect(page.messages.map((m) => m.metadata.messageId)).toEqual(Array.from({ length: 10 }, (_, k) => `m${420 + k}`));
    // PostgreSQL estimates each unknown id at its average share of a 20,000-row log, too many to
    // choose an index here; the SQLite plan shows the one look-up.
    if (kind === 'sqlite') expect(reads(await planOf({ correlationIds }))).toEqual(['SEARCH messages USING INDEX messages_correlation (correlation_id=?)']);
  });

  it('answers the same rows as the filters say (spot check on the generated log)', async () => {
    const page = await store.queryLog({ correlationIds: ['o42', 'o43'], kinds: ['event'], types: ['Type1', 'Type3'], limit: 100 });
    const expected = Array.from({ length: 20 }, (_, k) => 420 + k).filter((i) => i % 10 !== 0 && i % 2 === 1);
    expect(page.messages.map((m) => m.metadata.messageId)).toEqual(expected.map((i) => `m${i}`));
  });
});

import { type Kysely, type RawBuilder, type SelectQueryBuilder, type Selectable, sql } from 'kysely';
import type { Database, MessagesTable } from './schema.ts';

export interface LogFilter {
  kinds?: string[];
  types?: string[];
  sourceTypes?: string[];
  sourceIds?: string[];
  correlationIds?: string[];
  /** Exclusive position bound. */
  after?: number;
  /** Inclusive time bound on `createdAt`. */
  from?: string;
  /** Exclusive time bound on `createdAt`. */
  until?: string;
  limit: number;
}

type ListColumn = 'correlation_id' | 'source_id' | 'type' | 'source_type' | 'kind';
type LogSelect = SelectQueryBuilder<Database, 'messages', Selectable<MessagesTable>>;
type PositionSelect = SelectQueryBuilder<Database, 'messages', { position: number }>;

/**
 * The list filters in the order they lead a query: the first one given picks the index, the most
 * selective first (a flow, a source, then, after a time range, a type, a source type, a kind). Each
 * column has an index `(column, position)`, the time one `(created_at, position)` (migrations 0001
 * and 0011).
 */
const LEADS_BEFORE_TIME: ReadonlyArray<readonly [keyof LogFilter, ListColumn]> = [
  ['correlationIds', 'correlation_id'],
  ['sourceIds', 'source_id'],
];
const LEADS_AFTER_TIME: ReadonlyArray<readonly [keyof LogFilter, ListColumn]> = [
  ['types', 'type'],
  ['sourceTypes', 'source_type'],
  ['kinds', 'kind'],
];
const LEADS = [...LEADS_BEFORE_TIME, ...LEADS_AFTER_TIME];

/** A column both planners can no longer look up in an index (so that the leading filter's index is the one used). */
const unindexed = (column: ListColumn | 'created_at') => sql<string>`(${sql.ref(column)} || '')`;
const unindexedPosition = sql<number>`(${sql.ref('position')} + 0)`;
/** Most values of one filter read and merged one by one. */
const MERGED_VALUES = 50;

/**
 * The operator query of the log (API.md `GET /api/ops/messages`, DOMAIN 7.1): OR within a filter, AND
 * across, in position order, one row more than the limit (to tell whether a next page exists).
 *
 * Fast on a large log whatever the filters: the leading filter (see {@link LEADS_BEFORE_TIME}) is the
 * only one an index may serve, the others are checked on the rows it finds. A single value is read
 * from its `(column, position)` index in position order and stops at the limit; several values are
 * one such read each, merged. A leading time range reads the positions in range from
 * `(created_at, position)` and sorts them: its cost grows with the entries in range, not with the log
 * (a recent window of a large log is as fast as an old one).
 * `test/store/log-query-plans.test.ts` checks the plans on both stores, `bench/ops-queries.bench.ts`
 * times them on a million entries.
 */
export function logQuery(db: Kysely<Database>, filter: LogFilter, horizon?: RawBuilder<number>) {
  const rows = filter.limit + 1;
  const given = ([name]: readonly [keyof LogFilter, ListColumn]) => (filter[name] as string[] | undefined)?.length;
  const hasTime = filter.from !== undefined || filter.until !== undefined;
  const lead = LEADS_BEFORE_TIME.find(given) ?? (hasTime ? undefined : LEADS_AFTER_TIME.find(given));
  const timeLeads = !lead && hasTime;
  const position = timeLeads ? unindexedPosition : sql.ref<number>('position');

  /** Every condition but the leading one's (`leadColumn`), as checks on the rows read. */
  const checked = <Q extends LogSelect | PositionSelect>(query: Q, leadColumn?: ListColumn): Q => {
    let q = query as LogSelect;
    if (horizon) q = q.where(position, '<', horizon);
    if (filter.after !== undefined) q = q.where(position, '>', filter.after);
    for (const [name, column] of LEADS) {
      const values = filter[name] as string[] | undefined;
      if (column !== leadColumn && values?.length) q = q.where(unindexed(column), 'in', values);
    }
    const time = timeLeads ? sql.ref<string>('created_at') : unindexed('created_at');
    if (filter.from !== undefined) q = q.where(time, '>=', filter.from);
    if (filter.until !== undefined) q = q.where(time, '<', filter.until);
    return q as Q;
  };

  const all = db.selectFrom('messages').selectAll();
  if (timeLeads && !LEADS.some(given)) {
    // Only the time index is needed to find the page: its positions, then their rows.
    const page = checked(db.selectFrom('messages').select('position') as PositionSelect).orderBy(unindexedPosition).limit(rows);
    return all.where('position', 'in', page).orderBy('position').limit(rows);
  }
  if (!lead) return checked(all).orderBy(position).limit(rows);
  const [name, column] = lead;
  const values = [...new Set(filter[name] as string[])];
  const read = (value: string) => checked(all.where(column, '=', value), column).orderBy('position').limit(rows);
  if (values.length === 1) return read(values[0]);
  // Past a few dozen values one lookup per value costs more than sorting what they find (and SQLite
  // caps a compound SELECT at 500 parts): one look-up of them all, sorted.
  if (values.length > MERGED_VALUES) return checked(all.where(column, 'in', values), column).orderBy('position').limit(rows);
  const [first, ...others] = values.map((value, i) => db.selectFrom(read(value).as(`v${i}`)).selectAll());
  const merged = others.reduce((union, part) => union.unionAll(part), first);
  return db.selectFrom(merged.as('merged')).selectAll().orderBy('position').limit(rows);
}

/** How many entries, in position order, a time-only page first looks through. */
const PROBE_WINDOW = 5000;

/**
 * For a time range without list filters, a cheap first try: the page among the next
 * {@link PROBE_WINDOW} entries after `after`, read in position order. When it finds a full page
 * (limit + 1 rows) that is the answer; else {@link logQuery} finds it in the time index. So a wide
 * range (“everything since January”) pages as fast as the unfiltered log, and a narrow or recent one
 * costs one bounded read more. Undefined when another filter leads.
 */
export function logWindowProbe(db: Kysely<Database>, filter: LogFilter, horizon?: RawBuilder<number>) {
  const timeOnly = (filter.from !== undefined || filter.until !== undefined) && !LEADS.some(([name]) => (filter[name] as string[] | undefined)?.length);
  if (!timeOnly) return undefined;
  let window = db.selectFrom('messages').selectAll().orderBy('position').limit(PROBE_WINDOW);
  if (horizon) window = window.where('position', '<', horizon);
  if (filter.after !== undefined) window = window.where('position', '>', filter.after);
  let page = db.selectFrom(window.as('w')).selectAll().orderBy('position').limit(filter.limit + 1);
  if (filter.from !== undefined) page = page.where('created_at', '>=', filter.from);
  if (filter.until !== undefined) page = page.where('created_at', '<', filter.until);
  return page;
}

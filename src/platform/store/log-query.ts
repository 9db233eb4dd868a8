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

/**
 * The list filters in the order they lead a query: the first one given picks the index, the most
 * selective first (a flow, a source, a type, a source type, a kind); a time range leads before types.
 * Each column has an index `(column, position)` (migrations 0001 and 0011).
 */
const LEADS: ReadonlyArray<readonly [keyof LogFilter, ListColumn]> = [
  ['correlationIds', 'correlation_id'],
  ['sourceIds', 'source_id'],
  ['types', 'type'],
  ['sourceTypes', 'source_type'],
  ['kinds', 'kind'],
];

/** A column both planners can no longer look up in an index (so that the leading filter's index is the one used). */
const unindexed = (column: ListColumn | 'created_at') => sql<string>`(${sql.ref(column)} || '')`;
/** Most values of one filter read and merged one by one. */
const MERGED_VALUES = 50;
const unindexedPosition = sql<number>`(${sql.ref('position')} + 0)`;

/**
 * The operator query of the log (API.md `GET /api/ops/messages`, DOMAIN 7.1): OR within a filter, AND
 * across, in position order, one row more than the limit (to tell whether a next page exists).
 *
 * Fast on a large log whatever the filters: the leading filter (see {@link LEADS}) is the only one an
 * index may serve, the others are checked on the rows it finds. A single value is read from its
 * `(column, position)` index in position order and stops at the limit; several values are one such
 * read each, merged. A time range without a list filter reads `(created_at, position)` and sorts.
 * `test/store/log-query-plans.test.ts` checks the plans on both stores.
 */
export function logQuery(db: Kysely<Database>, filter: LogFilter, horizon?: RawBuilder<number>) {
  const rows = filter.limit + 1;
  const lead = LEADS.find(([name]) => (filter[name] as string[] | undefined)?.length);
  const timeLeads = !lead && (filter.from !== undefined || filter.until !== undefined);
  const position = timeLeads ? unindexedPosition : sql.ref<number>('position');

  /** Every condition but the leading one's (`leadColumn`), as checks on the rows read. */
  const checked = (query: LogSelect, leadColumn?: ListColumn): LogSelect => {
    if (horizon) query = query.where(position, '<', horizon);
    if (filter.after !== undefined) query = query.where(position, '>', filter.after);
    for (const [name, column] of LEADS) {
      const values = filter[name] as string[] | undefined;
      if (column !== leadColumn && values?.length) query = query.where(unindexed(column), 'in', values);
    }
    const time = timeLeads ? sql.ref<string>('created_at') : unindexed('created_at');
    if (filter.from !== undefined) query = query.where(time, '>=', filter.from);
    if (filter.until !== undefined) query = query.where(time, '<', filter.until);
    return query;
  };

  const all = db.selectFrom('messages').selectAll();
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

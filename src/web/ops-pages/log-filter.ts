import type { FieldErrors } from '../../contexts/shared/field-checks.ts';
import type { LogFilter } from '../../platform/store/store.ts';

export const LOG_KINDS = ['command', 'event', 'operator-action'] as const;
export const MESSAGES_PER_PAGE = 50;
const MAX_PER_PAGE = 1000;

/** The filters of the message log page as typed (API.md `GET /api/ops/messages`: lists comma-separated). */
export interface LogQuery {
  kind: string;
  type: string;
  sourceType: string;
  sourceId: string;
  correlationId: string;
  from: string;
  until: string;
  after: string;
  limit: string;
}

export const LOG_QUERY_FIELDS = ['kind', 'type', 'sourceType', 'sourceId', 'correlationId', 'from', 'until', 'after', 'limit'] as const;

/** Reads the page's query string: every parameter a single text, missing or repeated read as empty. */
export function logQueryOf(query: unknown): LogQuery {
  const values = (query ?? {}) as Record<string, unknown>;
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string).trim() : '');
  return Object.fromEntries(LOG_QUERY_FIELDS.map((name) => [name, text(name)])) as unknown as LogQuery;
}

const list = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
const orUndefined = (items: string[]) => (items.length === 0 ? undefined : items);

/** Instants are compared as stored (`toISOString`); a time without a zone is refused. */
function instant(text: string): string | null {
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(text)) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function whole(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/**
 * The store's filter for the page's query, or the errors of its fields. `storedNamesOf` gives the
 * names a type is stored under (itself and the legacy names upcast into it: the registry's).
 */
export function logFilterOf(
  query: LogQuery,
  storedNamesOf: (type: string) => string[] = (type) => [type],
): { filter: LogFilter; errors?: undefined } | { filter?: undefined; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const kinds = list(query.kind);
  if (kinds.some((kind) => !(LOG_KINDS as readonly string[]).includes(kind))) errors.kind = `Use ${LOG_KINDS.join(', ')}.`;
  const bound = (name: 'from' | 'until') => {
    if (query[name] === '') return undefined;
    const value = instant(query[name]);
    if (value === null) errors[name] = 'Enter a date and time with a time zone, e.g. 2024-05-01T10:00:00Z.';
    return value ?? undefined;
  };
  const from = bound('from');
  const until = bound('until');
  const after = query.after === '' ? undefined : whole(query.after, 0, Number.MAX_SAFE_INTEGER);
  if (after === null) errors.after = 'Enter a log position.';
  const limit = query.limit === '' ? MESSAGES_PER_PAGE : whole(query.limit, 1, MAX_PER_PAGE);
  if (limit === null) errors.limit = `Enter a number from 1 to ${MAX_PER_PAGE}.`;
  if (Object.keys(errors).length > 0) return { errors };
  return {
    filter: {
      kinds: orUndefined(kinds),
      types: orUndefined(list(query.type).flatMap(storedNamesOf)),
      sourceTypes: orUndefined(list(query.sourceType)),
      sourceIds: orUndefined(list(query.sourceId)),
      correlationIds: orUndefined(list(query.correlationId)),
      from,
      until,
      after: after ?? undefined,
      limit: limit!,
    },
  };
}

import type { Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** The columns a log insert writes, in the order of a row's values (`position` is the dialect's). */
export const LOG_COLUMNS = [
  'message_id',
  'kind',
  'type',
  'schema_version',
  'source_type',
  'source_id',
  'version',
  'correlation_id',
  'causation_id',
  'created_at',
  'target',
  'payload',
  'metadata',
] as const;

export type LogRowValues = unknown[];

/**
 * Log rows to write in one statement. Without `expect`, a row whose message id is already logged is
 * skipped. With `expect`, all rows are written only if the stream's last event is at
 * `expect.version` (−1: none) — and, where positions come from the transaction, below the new
 * rows' positions — otherwise none is.
 */
export interface LogInsert {
  rows: readonly LogRowValues[];
  /** Index, within its transaction, of the first row. */
  firstIndex: number;
  expect?: { sourceType: string; sourceId: string; version: number };
}

export interface InsertedRow {
  message_id: string;
  position: number;
}

export type LogInserter = (tx: Transaction<Database>, insert: LogInsert) => Promise<InsertedRow[]>;

/** The stream's last version: the conditional part of an expecting insert. */
export const STREAM_HEAD_SQL = (sourceType: string, sourceId: string) =>
  `SELECT version, position FROM messages WHERE source_type = ${sourceType} AND source_id = ${sourceId} ` +
  'AND version IS NOT NULL ORDER BY version DESC LIMIT 1';

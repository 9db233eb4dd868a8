/** A store under benchmark and its raw-driver baseline, in a fresh database. */
import { originFromRequest } from '../../src/platform/messages/factory.ts';
import type { MessageRow } from '../../src/platform/store/rows.ts';
import { Store } from '../../src/platform/store/store.ts';
import { freshLocation, type BenchLocation } from './locations.ts';
import { RAW_TABLE, RawPostgres, RawSqlite, type RawLog } from './raw.ts';
import type { BenchContext, StoreKind } from './types.ts';
import { eventRow, seatsReserved } from './workload.ts';

export interface StoreEnv {
  kind: StoreKind;
  ctx: BenchContext;
  location: BenchLocation;
  /** The store as the application opens it (migrations applied; LISTEN on PostgreSQL). */
  store: Store;
  /** The baseline: bare driver on `bench_raw_messages`, a copy of `messages`. */
  raw: RawLog;
  /** SQLite only: the baseline's connection. */
  rawSqlite?: RawSqlite;
  /** PostgreSQL only: the baseline's connections. */
  rawPostgres?: RawPostgres;
}

/** Runs `work` once, however often it is called (clean-up from `finally` and from Ctrl-C alike). */
function once(work: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= work());
}

/**
 * A fresh database with the store opened on it and the raw baseline next to it; `close` closes both
 * and drops the database (also registered with the context, for failures and Ctrl-C).
 */
export async function openStoreEnv(
  kind: StoreKind,
  ctx: BenchContext,
  options: { rawWriters?: number } = {},
): Promise<{ env: StoreEnv; close: () => Promise<void> }> {
  const closers: Array<() => Promise<void>> = [];
  const close = once(async () => {
    for (const closer of closers.reverse()) await closer().catch((error) => ctx.log(`clean-up failed: ${error}`));
  });
  ctx.onCleanup(close);
  const location = await freshLocation(kind, ctx.postgresAdminUrl);
  closers.push(() => location.drop());
  const store = await Store.open(location.dialect());
  closers.push(() => store.close());
  const env: StoreEnv =
    kind === 'sqlite'
      ? (() => {
          const raw = new RawSqlite(location.url);
          return { kind, ctx, location, store, raw, rawSqlite: raw };
        })()
      : await (async () => {
          const raw = await RawPostgres.open(location.url, options.rawWriters ?? 1);
          return { kind, ctx, location, store, raw, rawPostgres: raw };
        })();
  closers.push(() => env.raw.close());
  await checkSameRows(env);
  return { env, close };
}

/** The raw side writes exactly the row the store writes (apart from the position). */
async function checkSameRows(env: StoreEnv): Promise<void> {
  const stream = { sourceType: 'Order', sourceId: 'row-shape-check' };
  const origin = originFromRequest('row-shape-check');
  const event = seatsReserved(stream, 0);
  const createdAt = new Date('2025-11-26T12:00:00.000Z');
  await env.store.transaction((tx) => env.store.appendToStream(tx, stream, -1, [event], origin, createdAt));
  await env.raw.appendOne(eventRow(stream, 0, event, origin, createdAt.toISOString()));
  const messageId = 'Order_row-shape-check_0';
  const query = (table: string) =>
    env.store.db
      .selectFrom(table as 'messages')
      .selectAll()
      .where('message_id', '=', messageId)
      .executeTakeFirstOrThrow();
  const strip = ({ position: _, ...rest }: MessageRow) => rest;
  const ours = JSON.stringify(strip(await query('messages')));
  const theirs = JSON.stringify(strip(await query(RAW_TABLE)));
  if (ours !== theirs) throw new Error(`The raw baseline writes other rows than the store:\n${ours}\n${theirs}`);
  for (const table of ['messages', RAW_TABLE]) {
    await env.store.db.deleteFrom(table as 'messages').where('message_id', '=', messageId).execute();
  }
}

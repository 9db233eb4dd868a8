import { EventEmitter } from 'node:events';
import { type Kysely, type Transaction, sql } from 'kysely';
import type { LoggedMessage, Message } from '../messages/envelope.ts';
import { streamEventId } from '../messages/envelope.ts';
import type { Origin } from '../messages/factory.ts';
import { Announcer } from './announcer.ts';
import type { Change, ChangeTopic, Executor, StoreDialect } from './dialect.ts';
import { ConcurrencyError } from './errors.ts';
import { type LogFilter, logQuery, logWindowProbe } from './log-query.ts';
import { type MigrationSet, migrateToLatest } from './migrations.ts';
import { fromRow, toRowValues } from './rows.ts';
import type { Database } from './schema.ts';
import { TableNames } from './table-names.ts';

export interface StreamId {
  sourceType: string;
  sourceId: string;
}

export interface NewEvent {
  type: string;
  data: unknown;
  schemaVersion?: number;
  extra?: Record<string, unknown>;
}

/** What a committed transaction of this process logged: its type names and highest position. */
export interface LoggedChange {
  types: ReadonlySet<string>;
  position: number;
}

/** A write transaction: the log rows it wrote and the topics to signal once it commits. */
export class Tx {
  logRows = 0;
  /** Highest log position this transaction wrote (0 if none). */
  maxPosition = 0;
  readonly topics = new Set<ChangeTopic>();
  /** Type names of the log rows written (a savepoint rolled back may leave extra names: harmless). */
  readonly typesWritten = new Set<string>();
  readonly #keys = new Map<ChangeTopic, Set<string>>();
  #savepoints = 0;
  readonly #afterCommit: Array<() => void> = [];
  constructor(readonly db: Transaction<Database>) {}

  /** Runs `work` once the transaction has committed (never if it, or the savepoint around the call, rolls back). */
  afterCommit(work: () => void): void {
    this.#afterCommit.push(work);
  }

  /**
   * Says what in a topic this transaction changed (a correlation id, a handler's name), so that
   * listeners waiting for something else sleep on. The topic is signalled only if it is also in
   * {@link topics}; one signalled without keys wakes every listener of it. Keys of a savepoint
   * rolled back stay: an extra wake-up is harmless.
   */
  touch(topic: ChangeTopic, key: string): void {
    let keys = this.#keys.get(topic);
    if (!keys) this.#keys.set(topic, (keys = new Set()));
    keys.add(key);
  }

  /** @internal The changes to signal once committed. */
  changes(): Change[] {
    return [...this.topics].map((topic) => {
      const keys = this.#keys.get(topic);
      return keys ? { topic, keys: [...keys] } : { topic };
    });
  }

  /** @internal Called by {@link Store.transaction} after the commit. */
  committed(): void {
    for (const work of this.#afterCommit) work();
  }

  /**
   * Runs `work` inside a savepoint: when it throws, everything it wrote is undone and the
   * transaction goes on without it; the error is rethrown.
   */
  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    const name = sql.id(`sp_${++this.#savepoints}`);
    const before = { maxPosition: this.maxPosition, topics: new Set(this.topics), afterCommit: this.#afterCommit.length };
    await sql`SAVEPOINT ${name}`.execute(this.db);
    try {
      const result = await work();
      await sql`RELEASE SAVEPOINT ${name}`.execute(this.db);
      return result;
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT ${name}`.execute(this.db);
      this.maxPosition = before.maxPosition;
      this.#afterCommit.length = before.afterCommit;
      this.topics.clear();
      for (const topic of before.topics) this.topics.add(topic);
      throw error;
    }
  }
}

export interface LogReadOptions {
  /** Exclusive lower bound. */
  after: number;
  limit: number;
  /** Only these stored type names. */
  types?: readonly string[];
  /** Inclusive upper bound. */
  untilPosition?: number;
}

export type { LogFilter } from './log-query.ts';

/** Rows per INSERT statement (SQLite allows 32766 parameters; a log row has 13). */
const INSERT_CHUNK = 500;

/**
 * The event store and message log over SQLite or PostgreSQL. The log is the outbox: stream events,
 * commands, integration events and operator actions are rows of one table, written in the caller's
 * transaction.
 */
export class Store {
  readonly #changes = new EventEmitter();
  /** Listeners of one key of a topic: {@link onChange} with a key. */
  readonly #keyed = new Map<ChangeTopic, Map<string, Set<(logged?: LoggedChange) => void>>>();
  /** Which physical tables a read model's queries use (its live version, or the one being built: ADR 007). */
  readonly tableNames = new TableNames();
  readonly #db: Kysely<Database>;
  readonly #announcer: Announcer;
  #stopListening: (() => Promise<void>) | undefined;

  private constructor(readonly dialect: StoreDialect) {
    this.#db = dialect.db.withPlugin(this.tableNames);
    this.#changes.setMaxListeners(0);
    this.#announcer = new Announcer((topics) => dialect.notify(topics));
  }

  /**
   * Opens a store on a dialect: applies the pending migrations of `migrations` (default: the
   * platform's own; the application passes every context's) and starts listening for other
   * processes' commits.
   */
  static async open(
    dialect: StoreDialect,
    options: { migrate?: boolean; listen?: boolean; migrations?: readonly MigrationSet[] } = {},
  ): Promise<Store> {
    const store = new Store(dialect);
    try {
      if (options.migrate !== false) await migrateToLatest(dialect.db as Kysely<unknown>, dialect.name, options.migrations);
      if (options.listen !== false) store.#stopListening = await dialect.listen((change) => store.signal(change));
    } catch (error) {
      await dialect.close();
      throw error;
    }
    return store;
  }

  get db(): Kysely<Database> {
    return this.#db;
  }

  /**
   * Runs `work` in one write transaction; once it commits, listeners of the topics it touched are
   * signalled here at once and in other processes through the dialect's notifications.
   * `durable: false` (handlers' work, which the log can always redo) commits without waiting for
   * the disk; everything acknowledged to a client stays durable, the default (ADR 005).
   */
  async transaction<T>(work: (tx: Tx) => Promise<T>, options: { durable?: boolean } = {}): Promise<T> {
    const durable = options.durable ?? true;
    let tx: Tx | undefined;
    const result = await this.dialect.withDurability(durable, () =>
      this.db.transaction().execute(async (trx) => {
        if (!durable) await this.dialect.relax(trx);
        tx = new Tx(trx);
        return work(tx);
      }),
    );
    tx!.committed();
    const changes = tx!.changes();
    for (const change of changes) this.signal(change, change.topic === 'messages' ? { types: tx!.typesWritten, position: tx!.maxPosition } : undefined);
    this.#announcer.announce(changes);
    return result;
  }

  /**
   * Serialises the transactions that take the same key, each until it ends. Take it before the
   * transaction writes anything: on PostgreSQL log positions come from transaction ids, assigned at
   * the first write, so the writers of a key are then also logged in the order they held it (what
   * outbox events versioned per source need). SQLite runs one write transaction at a time already.
   */
  async lock(tx: Tx, key: string): Promise<void> {
    if (this.dialect.name === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(tx.db);
  }

  /**
   * Wakes this process's listeners of a change: those of its topic, and those of its keys (all keyed
   * listeners when it names none). A commit of this process tells `messages` listeners what it
   * logged; notifications from other processes carry their keys but no log detail.
   */
  signal({ topic, keys }: Change, logged?: LoggedChange): void {
    this.#changes.emit(topic, logged);
    const keyed = this.#keyed.get(topic);
    if (!keyed) return;
    if (keys === undefined) {
      for (const listeners of [...keyed.values()]) for (const listener of [...listeners]) listener(logged);
      return;
    }
    for (const key of keys) for (const listener of [...(keyed.get(key) ?? [])]) listener(logged);
  }

  /**
   * Calls `listener` on every change of the topic, or, with `key`, on the changes that name that key
   * and those that name none.
   */
  onChange(topic: ChangeTopic, listener: (logged?: LoggedChange) => void, key?: string): () => void {
    if (key === undefined) {
      this.#changes.on(topic, listener);
      return () => this.#changes.off(topic, listener);
    }
    let keyed = this.#keyed.get(topic);
    if (!keyed) this.#keyed.set(topic, (keyed = new Map()));
    let listeners = keyed.get(key);
    if (!listeners) keyed.set(key, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && keyed.get(key) === listeners) keyed.delete(key);
    };
  }

  /**
   * Writes messages that carry their own ids (commands, outbox events, operator actions). A message
   * whose id is already logged is ignored; the answer lists the messages actually written.
   */
  async append(tx: Tx, messages: readonly Message[]): Promise<LoggedMessage[]> {
    return this.#insert(tx, messages);
  }

  /** The version of a stream's last event, −1 for a stream without events. */
  async streamVersion(executor: Executor, stream: StreamId): Promise<number> {
    const row = await executor
      .selectFrom('messages')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('source_type', '=', stream.sourceType)
      .where('source_id', '=', stream.sourceId)
      .where('version', 'is not', null)
      .executeTakeFirst();
    return row?.version ?? -1;
  }

  /**
   * Appends events to a stream that must be at `expectedVersion` (−1: no events yet). Their message
   * ids are `<SourceType>_<SourceId>_<Version>`. Throws {@link ConcurrencyError} on a conflict.
   */
  async appendToStream(
    tx: Tx,
    stream: StreamId,
    expectedVersion: number,
    events: readonly NewEvent[],
    origin: Origin,
    createdAt = new Date(),
  ): Promise<LoggedMessage[]> {
    const name = `${stream.sourceType}-${stream.sourceId}`;
    if (events.length === 0) {
      const actual = await this.streamVersion(tx.db, stream);
      if (actual !== expectedVersion) throw new ConcurrencyError(name, expectedVersion, actual);
      return [];
    }
    const timestamp = createdAt.toISOString();
    const messages = events.map((event, i): Message => {
      const version = expectedVersion + 1 + i;
      return {
        type: event.type,
        data: event.data,
        metadata: {
          ...event.extra,
          messageId: streamEventId(stream.sourceType, stream.sourceId, version),
          kind: 'event',
          schemaVersion: event.schemaVersion ?? 1,
          sourceType: stream.sourceType,
          sourceId: stream.sourceId,
          version,
          correlationId: origin.correlationId,
          causationId: origin.causationId,
          createdAt: timestamp,
        },
      };
    });
    let written: LoggedMessage[];
    try {
      written = await this.#insert(tx, messages, { ...stream, version: expectedVersion });
    } catch (error) {
      if (this.dialect.isUniqueViolation(error)) throw new ConcurrencyError(name, expectedVersion);
      throw error;
    }
    if (written.length < messages.length) {
      const actual = await this.streamVersion(tx.db, stream);
      // At the expected version but refused: the stream's last event was written by a transaction
      // that committed after this one began, so these events would land below it in the log.
      throw new ConcurrencyError(name, expectedVersion, actual === expectedVersion ? undefined : actual);
    }
    return written;
  }

  /**
   * Inserts in chunks; with `expect`, each chunk only if the stream is where the previous one left it.
   * Answers the messages written, with their positions.
   */
  async #insert(tx: Tx, messages: readonly Message[], expect?: StreamId & { version: number }): Promise<LoggedMessage[]> {
    const written: LoggedMessage[] = [];
    for (let start = 0; start < messages.length; start += INSERT_CHUNK) {
      const chunk = messages.slice(start, start + INSERT_CHUNK);
      const inserted = await this.dialect.insertLog(tx.db, {
        rows: chunk.map(toRowValues),
        firstIndex: tx.logRows,
        expect: expect && { ...expect, version: expect.version + start },
      });
      tx.logRows += chunk.length;
      if (expect && inserted.length < chunk.length) return written;
      const positions = new Map(inserted.map((row) => [row.message_id, Number(row.position)]));
      for (const message of chunk) {
        const position = positions.get(message.metadata.messageId);
        if (position === undefined) continue;
        // The same id twice in one call is written once: answer it once.
        positions.delete(message.metadata.messageId);
        written.push({ ...message, metadata: { ...message.metadata, position } });
        tx.maxPosition = Math.max(tx.maxPosition, position);
        tx.topics.add('messages');
        tx.typesWritten.add(message.type);
      }
    }
    return written;
  }

  async readStream(stream: StreamId, options: { afterVersion?: number; executor?: Executor } = {}): Promise<LoggedMessage[]> {
    const rows = await (options.executor ?? this.db)
      .selectFrom('messages')
      .selectAll()
      .where('source_type', '=', stream.sourceType)
      .where('source_id', '=', stream.sourceId)
      .where('version', '>', options.afterVersion ?? -1)
      .orderBy('version')
      .execute();
    return rows.map(fromRow);
  }

  /** Log entries after a position, in position order, never beyond what no writer can still add below. */
  async readLog(options: LogReadOptions): Promise<LoggedMessage[]> {
    let query = this.db
      .selectFrom('messages')
      .selectAll()
      .where('position', '>', options.after)
      .orderBy('position')
      .limit(options.limit);
    const horizon = this.dialect.readHorizon();
    if (horizon) query = query.where('position', '<', horizon);
    if (options.untilPosition !== undefined) query = query.where('position', '<=', options.untilPosition);
    if (options.types) {
      if (options.types.length === 0) return [];
      query = query.where('type', 'in', options.types);
    }
    return (await query.execute()).map(fromRow);
  }

  /**
   * Streams the log in batches of `batchSize` (constant memory, for large replays); filtered by type,
   * up to `untilPosition` or the head when it starts.
   */
  async *readLogBatches(options: Omit<LogReadOptions, 'limit'> & { batchSize?: number }): AsyncGenerator<LoggedMessage[]> {
    const size = options.batchSize ?? 1000;
    if (!options.types) {
      let after = options.after;
      for (;;) {
        const batch = await this.readLog({ ...options, after, limit: size });
        if (batch.length === 0) return;
        yield batch;
        after = batch[batch.length - 1].metadata.position;
      }
    }
    // Filtered by type: read one window of positions at a time. A query over several types walks the
    // type index and sorts what it finds by position — without a window, everything up to the end
    // of the log, for every batch. Where most entries of the last window matched, the next one is
    // read in position order and filtered here, which is cheaper than the index.
    const types = new Set(options.types);
    const until = options.untilPosition ?? (await this.headPosition());
    let after = options.after;
    let span = size;
    let dense = false;
    let batch: LoggedMessage[] = [];
    while (after < until) {
      const end = Math.min(after + span, until);
      const wanted = size - batch.length;
      const rows = await this.readLog({ ...options, types: dense ? undefined : options.types, after, untilPosition: end, limit: wanted });
      const matched: LoggedMessage[] = dense ? rows.filter((row) => types.has(row.type)) : rows;
      batch.push(...matched);
      const from = after;
      if (rows.length === wanted) {
        after = rows[rows.length - 1].metadata.position;
        span = Math.max(size, Math.floor(span / 2));
      } else {
        after = end;
        span *= 2;
      }
      dense = matched.length >= (after - from) / 2;
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** The highest position a log reader can see now (0 for an empty log). */
  async headPosition(): Promise<number> {
    const row = await this.headQuery().executeTakeFirst();
    return Number(row?.head ?? 0);
  }

  /** The query of {@link headPosition} (`head`, null for an empty log), to use inside other statements. */
  headQuery() {
    const query = this.db.selectFrom('messages').select((eb) => eb.fn.max('position').as('head'));
    const horizon = this.dialect.readHorizon();
    return horizon ? query.where('position', '<', horizon) : query;
  }

  /** Number of visible log entries in (after, upTo]. */
  async countLog(after: number, upTo: number, types?: readonly string[]): Promise<number> {
    if (upTo <= after) return 0;
    let query = this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('position', '>', after)
      .where('position', '<=', upTo);
    if (types) {
      if (types.length === 0) return 0;
      query = query.where('type', 'in', types);
    }
    const row = await query.executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  async messageAt(position: number, executor: Executor = this.db): Promise<LoggedMessage | undefined> {
    const row = await executor.selectFrom('messages').selectAll().where('position', '=', position).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** The operator query of the log (API.md `GET /api/ops/messages`): OR within a filter, AND across. */
  async queryLog(filter: LogFilter): Promise<{ messages: LoggedMessage[]; next: number | null }> {
    const probed = await logWindowProbe(this.db, filter, this.dialect.readHorizon())?.execute();
    const found = probed && probed.length > filter.limit ? probed : await logQuery(this.db, filter, this.dialect.readHorizon()).execute();
    const rows = found.map(fromRow);
    const more = rows.length > filter.limit;
    const messages = more ? rows.slice(0, filter.limit) : rows;
    return { messages, next: more ? messages[messages.length - 1].metadata.position : null };
  }

  async ping(): Promise<void> {
    await this.dialect.ping();
  }

  async close(): Promise<void> {
    await this.#announcer.settled();
    await this.#stopListening?.();
    this.#changes.removeAllListeners();
    this.#keyed.clear();
    await this.dialect.close();
  }
}

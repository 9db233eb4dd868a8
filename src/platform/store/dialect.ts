import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { LogInserter } from './log-insert.ts';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

/**
 * Topics of the store's change notifications; `read_models`: a projection committed (readers waiting
 * for it); `checkpoints`: a handler's checkpoint moved (read-your-writes waiting for it).
 */
export type ChangeTopic = 'messages' | 'timers' | 'dead_letters' | 'emails' | 'read_models' | 'maintenance' | 'checkpoints';

/**
 * A change to tell listeners about: its topic and, when known, what in it changed (`keys`: for
 * `read_models` the correlation ids of the messages handled, for `checkpoints` the handlers' names).
 * Without keys anything in the topic may have changed.
 */
export interface Change {
  topic: ChangeTopic;
  keys?: readonly string[];
}

/** What differs between SQLite and PostgreSQL; everything else is shared Kysely code. */
export interface StoreDialect {
  readonly name: DialectName;
  readonly db: Kysely<Database>;
  /** Writes log rows in one statement (the append hot path, in SQL written for each database). */
  readonly insertLog: LogInserter;
  /** Exclusive upper bound of positions a log reader may see now; undefined = no bound. */
  readHorizon(): RawBuilder<number> | undefined;
  /**
   * Positions grow in commit order (one writer at a time): a commit of this process then tells a
   * listener everything logged up to its position, bar other processes' writes.
   */
  readonly positionsFollowCommits: boolean;
  /** `FOR UPDATE SKIP LOCKED` where several workers may claim the same rows. */
  readonly skipLocked: boolean;
  isUniqueViolation(error: unknown): boolean;
  /** Cross-process change notifications; resolves to a function that stops listening. */
  listen(onChange: (change: Change) => void): Promise<() => Promise<void>>;
  /** Tells the other processes' listeners about these changes. */
  notify(changes: readonly Change[]): Promise<void>;
  /**
   * Begins a transaction through `open` whose commit waits for the disk (`durable`), or returns
   * before the write is flushed (ADR 005). Some databases set this before the transaction begins.
   */
  withDurability<T>(durable: boolean, open: () => Promise<T>): Promise<T>;
  /** Run first inside a transaction that need not wait for the disk (where it is set per transaction). */
  relax(tx: Transaction<Database>): Promise<void>;
  /** Cheap check that the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type Executor = Kysely<Database> | Transaction<Database>;

import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

/** Topics of the store's change notifications. */
export type ChangeTopic = 'messages' | 'timers' | 'dead_letters';

/** What differs between SQLite and PostgreSQL; everything else is shared Kysely code. */
export interface StoreDialect {
  readonly name: DialectName;
  readonly db: Kysely<Database>;
  /**
   * The value of `position` for the `index`-th log row written by the current transaction, or
   * undefined when the database assigns it.
   */
  positionOf(index: number): RawBuilder<number> | undefined;
  /** Exclusive upper bound of positions a log reader may see now; undefined = no bound. */
  readHorizon(): RawBuilder<number> | undefined;
  /** `FOR UPDATE SKIP LOCKED` where several workers may claim the same rows. */
  readonly skipLocked: boolean;
  isUniqueViolation(error: unknown): boolean;
  /** Cross-process change notifications; resolves to a function that stops listening. */
  listen(onChange: (topic: ChangeTopic) => void): Promise<() => Promise<void>>;
  /** Cheap check that the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type Executor = Kysely<Database> | Transaction<Database>;

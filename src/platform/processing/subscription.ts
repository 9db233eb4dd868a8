import { EventEmitter } from 'node:events';
import type { MessageRegistry } from '../messages/registry.ts';
import type { Store, Tx } from '../store/store.ts';
import type { MessageHandler } from './handler.ts';
import { HandlerRunner, type RetryPolicy } from './handler-runner.ts';
import { type Logger, silentLogger } from './logger.ts';
import { checkpointMoved } from './progress.ts';
import { Wakeup } from './wakeup.ts';

export { DEFAULT_RETRY, type RetryPolicy } from './handler-runner.ts';

export interface SubscriptionOptions {
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  /** Safety re-check while idle (other processes' writes on SQLite, missed notifications). */
  idleCheckMs?: number;
  /**
   * After a commit wakes an idle subscription, how long it lets the commits right behind land before
   * it reads, so that under load they are handled as one batch in one transaction (ADR 005).
   */
  coalesceMs?: number;
}

/**
 * One handler's delivery, whatever the transport: what `Processing`, its status and read-your-writes
 * need from it.
 */
export interface HandlerSubscription {
  readonly name: string;
  readonly handler: MessageHandler;
  /** Stored type names delivered to the handler. */
  readonly storedTypes: readonly string[];
  /** Every log entry up to here is dealt with or does not concern this handler (its low-watermark). */
  readonly seen: number;
  readonly processed: number;
  readonly failures: number;
  readonly deadLettered: number;
  readonly running: boolean;
  start(): void;
  stop(): Promise<void>;
  waitFor(position: number, timeoutMs: number): Promise<boolean>;
}

const DEFAULT_COALESCE_MS = 2;

/**
 * The in-process transport: delivers the log to one handler from its own checkpoint, in position
 * order (so in order per source). What it reads goes through the {@link HandlerRunner} (batches,
 * retries, dead letters, parking, operator retries) with the checkpoint in `checkpoints`.
 */
export class Subscription implements HandlerSubscription {
  /** Every log entry up to here is dealt with or does not concern this handler. */
  seen = 0;

  readonly #runner: HandlerRunner;
  readonly #logger: Logger;
  readonly #storedTypes: string[];
  readonly #storedTypeSet: ReadonlySet<string>;
  /**
   * Whether the log must be read for new entries. Commits of this process that logged none of the
   * handler's types (on a store whose positions follow commits) need no read: they only move
   * {@link seen} up to `#unconcerningHead`. Every other signal, and the idle re-check, sets it.
   */
  #mustRead = true;
  #unconcerningHead = 0;
  readonly #wakeup = new Wakeup();
  readonly #progress = new EventEmitter();
  #deadLettersChanged = true;
  #stopped = true;
  #running: Promise<void> | undefined;
  #unsubscribe: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    registry: MessageRegistry,
    readonly handler: MessageHandler,
    private readonly options: SubscriptionOptions = {},
  ) {
    this.#logger = options.logger ?? silentLogger;
    this.#runner = new HandlerRunner(store, registry, handler, { saveCheckpoint: (tx, position) => this.#saveCheckpoint(tx, position) }, options);
    this.#storedTypes = [...new Set(handler.types.flatMap((type) => registry.storedNamesOf(type)))];
    this.#storedTypeSet = new Set(this.#storedTypes);
    this.#progress.setMaxListeners(0);
  }

  /** Persisted checkpoint: the last position this handler has dealt with. */
  get position(): number {
    return this.#runner.position;
  }

  get processed(): number {
    return this.#runner.processed;
  }

  get failures(): number {
    return this.#runner.failures;
  }

  get deadLettered(): number {
    return this.#runner.deadLettered;
  }

  get name(): string {
    return this.handler.name;
  }

  /** Stored type names this subscription reads. */
  get storedTypes(): readonly string[] {
    return this.#storedTypes;
  }

  get running(): boolean {
    return !this.#stopped;
  }

  start(): void {
    if (this.#running) return;
    this.#stopped = false;
    this.#runner.resume();
    // Started again (after a pause): the commits and dead letters of the stopped time went unheard.
    this.#mustRead = true;
    this.#deadLettersChanged = true;
    this.#unsubscribe = [
      this.store.onChange('messages', (logged) => {
        if (logged && this.store.dialect.positionsFollowCommits && !concerns(logged.types, this.#storedTypeSet)) {
          this.#unconcerningHead = Math.max(this.#unconcerningHead, logged.position);
        } else {
          this.#mustRead = true;
        }
        this.#wakeup.wake();
      }),
      this.store.onChange('dead_letters', () => {
        this.#deadLettersChanged = true;
        this.#wakeup.wake();
      }),
    ];
    this.#running = this.#loop();
  }

  /** Finishes the message in hand, then stops; unfinished deliveries are redone at the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#wakeup.wake();
    this.#runner.halt();
    await this.#running;
    this.#running = undefined;
  }

  /** Read-your-writes: resolves true once every entry up to `position` is dealt with, false on timeout. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.seen >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (this.seen < position) return;
        done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.#progress.off('progress', check);
        resolve(result);
      };
      this.#progress.on('progress', check);
    });
  }

  async #loop(): Promise<void> {
    let failures = 0;
    let horizonWaitMs = 5;
    try {
      await this.#load();
    } catch (error) {
      this.#logger.error({ err: error, handler: this.name }, 'cannot load the subscription checkpoint');
    }
    while (!this.#stopped) {
      try {
        if (this.#deadLettersChanged) {
          this.#deadLettersChanged = false;
          await this.#runner.handleDeadLetterChanges();
        }
        if (await this.#step()) {
          horizonWaitMs = 5;
          failures = 0;
          continue;
        }
        if (await this.#writesPendingBeyondHorizon()) {
          // A committed entry is held back by an older transaction still running: look again shortly.
          await this.#wakeup.wait(horizonWaitMs);
          this.#mustRead = true;
          horizonWaitMs = Math.min(horizonWaitMs * 2, 1000);
        } else {
          horizonWaitMs = 5;
          // The idle re-check also looks for entries and dead letters of other processes.
          if (!(await this.#wakeup.wait(this.options.idleCheckMs ?? 2000))) {
            this.#deadLettersChanged = true;
            this.#mustRead = true;
          } else if (this.#mustRead) {
            await this.#coalesce();
          }
        }
        failures = 0;
      } catch (error) {
        failures++;
        this.#mustRead = true;
        this.#logger.error({ err: error, handler: this.name }, 'subscription step failed; retrying');
        await this.#wakeup.wait(Math.min(100 * 2 ** failures, 10_000));
      }
    }
  }

  /** Woken by a commit: lets the commits right behind it land too, then they are read as one batch. */
  async #coalesce(): Promise<void> {
    const ms = this.options.coalesceMs ?? DEFAULT_COALESCE_MS;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  async #load(): Promise<void> {
    const row = await this.store.db
      .selectFrom('checkpoints')
      .select('position')
      .where('name', '=', this.name)
      .executeTakeFirst();
    this.#runner.position = Number(row?.position ?? 0);
    this.#advanceSeen(this.position);
    await this.#runner.reloadBlocked();
  }

  #advanceSeen(position: number): void {
    if (position <= this.seen) return;
    this.seen = position;
    this.#progress.emit('progress');
  }

  /** Handles the next batch; false when there was nothing new. */
  async #step(): Promise<boolean> {
    if (!this.#mustRead) {
      this.#advanceSeen(this.#unconcerningHead);
      return false;
    }
    this.#mustRead = false;
    const head = await this.store.headPosition();
    if (head <= this.seen) return false;
    const limit = this.handler.batchSize ?? 100;
    const batch = await this.store.readLog({
      after: this.position,
      limit,
      types: this.#storedTypes,
      untilPosition: head,
    });
    if (batch.length === 0) {
      const moved = head > this.seen;
      this.#advanceSeen(head);
      return moved;
    }
    if (!(await this.#runner.handle(batch.map((message) => this.#runner.decode(message))))) return true;
    this.#advanceSeen(batch.length < limit ? head : this.position);
    // Read again until a read finds nothing new.
    this.#mustRead = true;
    return true;
  }

  async #saveCheckpoint(tx: Tx, position: number): Promise<void> {
    const updatedAt = new Date().toISOString();
    await tx.db
      .insertInto('checkpoints')
      .values({ name: this.name, position, updated_at: updatedAt })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position, updated_at: updatedAt }))
      .execute();
    checkpointMoved(tx, this.name);
  }

  /** PostgreSQL: entries committed above the read horizon (an older transaction is still open). */
  async #writesPendingBeyondHorizon(): Promise<boolean> {
    if (!this.store.dialect.readHorizon()) return false;
    const row = await this.store.db
      .selectFrom('messages')
      .select((eb) => eb.fn.max('position').as('written'))
      .executeTakeFirst();
    return Number(row?.written ?? 0) > this.seen;
  }
}

function concerns(types: ReadonlySet<string>, handled: ReadonlySet<string>): boolean {
  for (const type of types) if (handled.has(type)) return true;
  return false;
}

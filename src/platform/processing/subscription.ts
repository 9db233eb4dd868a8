import { EventEmitter } from 'node:events';
import type { LoggedMessage } from '../messages/envelope.ts';
import { isImported, partitionKey } from '../messages/envelope.ts';
import { newId } from '../messages/ids.ts';
import type { MessageRegistry } from '../messages/registry.ts';
import { ConcurrencyError } from '../store/errors.ts';
import type { Store, Tx } from '../store/store.ts';
import { HandlerContext, type MessageHandler } from './handler.ts';
import { type Logger, silentLogger } from './logger.ts';
import { Wakeup } from './wakeup.ts';

export interface RetryPolicy {
  /** Failed deliveries before a message is dead-lettered (DOMAIN 3.5: 5). */
  maxAttempts: number;
  /** Back-off before the n-th retry: baseDelayMs · 2^(n−1). */
  baseDelayMs: number;
  /** Concurrency conflicts retried at once before they count as one failed attempt (guarantee 2). */
  maxConflicts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxConflicts: 50 };

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

const DEFAULT_COALESCE_MS = 2;

type Delivery = { message: LoggedMessage; error?: undefined } | { message: LoggedMessage; error: Error };

/**
 * Delivers the log to one handler from its own checkpoint, in position order (so in order per source).
 * A batch of messages is handled in one transaction together with the checkpoint; when anything in it
 * fails the batch is redone one message per transaction, so a failure only touches its own message.
 * A message that keeps failing is dead-lettered for this handler; later messages of its source are
 * parked behind it until it is retried successfully or discarded (DOMAIN 7.3).
 */
export class Subscription {
  /** Persisted checkpoint: the last position this handler has dealt with. */
  position = 0;
  /** Every log entry up to here is dealt with or does not concern this handler. */
  seen = 0;
  processed = 0;
  failures = 0;
  deadLettered = 0;

  readonly #retry: RetryPolicy;
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
  /** Back-off sleeps end early only when stopping, not on new messages. */
  #stopping = new Wakeup();
  readonly #progress = new EventEmitter();
  readonly #blocked = new Set<string>();
  #deadLettersChanged = true;
  #stopped = true;
  #running: Promise<void> | undefined;
  #unsubscribe: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    private readonly registry: MessageRegistry,
    readonly handler: MessageHandler,
    private readonly options: SubscriptionOptions = {},
  ) {
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#logger = options.logger ?? silentLogger;
    this.#storedTypes = [...new Set(handler.types.flatMap((type) => registry.storedNamesOf(type)))];
    this.#storedTypeSet = new Set(this.#storedTypes);
    this.#progress.setMaxListeners(0);
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
    this.#stopping = new Wakeup();
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
    this.#stopping.wake();
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
          await this.#handleRetryRequests();
          await this.#drainReleasedSources();
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
    this.position = Number(row?.position ?? 0);
    this.#advanceSeen(this.position);
    await this.#reloadBlocked();
  }

  async #reloadBlocked(): Promise<void> {
    const [dead, parked] = await Promise.all([
      this.store.db.selectFrom('dead_letters').select('source_key').where('handler', '=', this.name).execute(),
      this.store.db.selectFrom('parked_messages').select('source_key').where('handler', '=', this.name).execute(),
    ]);
    this.#blocked.clear();
    for (const row of [...dead, ...parked]) this.#blocked.add(row.source_key);
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
    const deliveries = batch.map((message) => this.#decode(message));
    const outcome = await this.#handleBatch(deliveries);
    if (outcome !== 'done') {
      for (const [index, delivery] of deliveries.entries()) {
        if (this.#stopped) return true;
        // The failed batch was the first delivery attempt of the message that threw.
        await this.#handleOne(delivery, outcome?.index === index ? 2 : 1);
      }
    }
    this.#advanceSeen(batch.length < limit ? head : this.position);
    // Read again until a read finds nothing new.
    this.#mustRead = true;
    return true;
  }

  #decode(stored: LoggedMessage): Delivery {
    try {
      const message = this.registry.decode(stored);
      return { message };
    } catch (error) {
      return { message: stored, error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  /**
   * A handler's transaction: its commit does not wait for the disk (ADR 005). Everything in it is
   * derived from durable log entries, so a crash that loses it only makes the handler redo it.
   */
  #transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.store.transaction(work, { durable: false });
  }

  #skips(message: LoggedMessage): boolean {
    return this.handler.sideEffects && isImported(message);
  }

  /**
   * The whole batch in one transaction. Nothing is written when any message fails; the answer then
   * says which message's handler threw (undefined for a conflict or a batch not tried).
   */
  async #handleBatch(deliveries: Delivery[]): Promise<'done' | { index: number } | undefined> {
    if (deliveries.length === 1 || deliveries.some((d) => d.error)) return undefined;
    let current = -1;
    try {
      await this.#transaction(async (tx) => {
        for (const [index, { message }] of deliveries.entries()) {
          current = index;
          if (this.#skips(message)) continue;
          if (this.#blocked.has(partitionKey(message))) await this.#park(tx, message);
          else await this.handler.handle(message, new HandlerContext(this.store, this.registry, tx, message));
        }
        current = -1;
        await this.#saveCheckpoint(tx, deliveries[deliveries.length - 1].message.metadata.position);
      });
    } catch (error) {
      if (error instanceof ConcurrencyError || current < 0) return undefined;
      this.failures++;
      return { index: current };
    }
    this.position = deliveries[deliveries.length - 1].message.metadata.position;
    this.processed += deliveries.length;
    return 'done';
  }

  async #handleOne(delivery: Delivery, firstAttempt = 1): Promise<void> {
    const { message } = delivery;
    const position = message.metadata.position;
    const checkpoint = (tx: Tx) => this.#saveCheckpoint(tx, position);
    if (delivery.error) {
      await this.#deadLetter(message, delivery.error, 1, checkpoint);
    } else if (this.#skips(message)) {
      await this.#transaction(checkpoint);
    } else if (this.#blocked.has(partitionKey(message))) {
      await this.#transaction(async (tx) => {
        await this.#park(tx, message);
        await checkpoint(tx);
      });
    } else {
      const outcome = await this.#deliver(message, checkpoint, firstAttempt);
      if (outcome === 'stopped') return;
    }
    this.position = position;
  }

  /**
   * Delivers one message with retries; `alongside` commits with the handler's effect (and with the
   * dead letter when it finally fails).
   */
  async #deliver(
    message: LoggedMessage,
    alongside: (tx: Tx) => Promise<void>,
    firstAttempt = 1,
  ): Promise<'done' | 'dead' | 'stopped'> {
    let firstFailedAt: string | undefined = firstAttempt > 1 ? new Date().toISOString() : undefined;
    if (firstAttempt > 1) await this.#stopping.wait(this.#retry.baseDelayMs);
    for (let attempt = firstAttempt; ; attempt++) {
      const error = await this.#attempt(message, alongside);
      if (!error) {
        this.processed++;
        return 'done';
      }
      this.failures++;
      firstFailedAt ??= new Date().toISOString();
      this.#logger.warn(
        { err: error, handler: this.name, messageId: message.metadata.messageId, attempt },
        'handler failed',
      );
      if (attempt >= this.#retry.maxAttempts) {
        await this.#deadLetter(message, error, attempt, alongside, firstFailedAt);
        return 'dead';
      }
      await this.#stopping.wait(this.#retry.baseDelayMs * 2 ** (attempt - 1));
      if (this.#stopped) return 'stopped';
    }
  }

  /** One delivery attempt; concurrency conflicts are retried at once and count as one failure only after many. */
  async #attempt(message: LoggedMessage, alongside: (tx: Tx) => Promise<void>): Promise<Error | undefined> {
    for (let conflicts = 0; ; conflicts++) {
      try {
        await this.#transaction(async (tx) => {
          if (!this.#skips(message)) await this.handler.handle(message, new HandlerContext(this.store, this.registry, tx, message));
          await alongside(tx);
        });
        return undefined;
      } catch (error) {
        if (error instanceof ConcurrencyError && conflicts + 1 < this.#retry.maxConflicts) continue;
        return error instanceof Error ? error : new Error(String(error));
      }
    }
  }

  async #deadLetter(
    message: LoggedMessage,
    error: Error,
    attempts: number,
    alongside: (tx: Tx) => Promise<void>,
    firstFailedAt = new Date().toISOString(),
  ): Promise<void> {
    const source = partitionKey(message);
    await this.#transaction(async (tx) => {
      await tx.db
        .insertInto('dead_letters')
        .values({
          id: newId(),
          handler: this.name,
          position: message.metadata.position,
          message_id: message.metadata.messageId,
          type: message.type,
          source_key: source,
          error: describe(error),
          attempts,
          first_failed_at: firstFailedAt,
          last_failed_at: new Date().toISOString(),
          retry_requested: 0,
        })
        .execute();
      await alongside(tx);
      tx.topics.add('dead_letters');
    });
    this.#blocked.add(source);
    this.deadLettered++;
    this.#logger.error(
      { handler: this.name, messageId: message.metadata.messageId, position: message.metadata.position, error: describe(error) },
      'message dead-lettered',
    );
  }

  async #park(tx: Tx, message: LoggedMessage): Promise<void> {
    await tx.db
      .insertInto('parked_messages')
      .values({ handler: this.name, position: message.metadata.position, source_key: partitionKey(message) })
      .onConflict((oc) => oc.columns(['handler', 'position']).doNothing())
      .execute();
  }

  async #saveCheckpoint(tx: Tx, position: number): Promise<void> {
    const updatedAt = new Date().toISOString();
    await tx.db
      .insertInto('checkpoints')
      .values({ name: this.name, position, updated_at: updatedAt })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position, updated_at: updatedAt }))
      .execute();
  }

  /** Operator retries: one more delivery each; a success removes the dead letter and releases its source. */
  async #handleRetryRequests(): Promise<void> {
    const requested = await this.store.db
      .selectFrom('dead_letters')
      .selectAll()
      .where('handler', '=', this.name)
      .where('retry_requested', '=', 1)
      .orderBy('position')
      .execute();
    for (const row of requested) {
      if (this.#stopped) return;
      const stored = await this.store.messageAt(Number(row.position));
      const delivery = stored ? this.#decode(stored) : { message: undefined, error: new Error('Log entry not found') };
      const error =
        delivery.error ??
        (await this.#attempt(delivery.message, async (tx) => {
          await tx.db.deleteFrom('dead_letters').where('id', '=', row.id).execute();
        }));
      if (!error) {
        this.processed++;
        this.#logger.info({ handler: this.name, messageId: row.message_id }, 'dead letter retried successfully');
        continue;
      }
      this.failures++;
      await this.store.db
        .updateTable('dead_letters')
        .set({
          attempts: row.attempts + 1,
          error: describe(error),
          last_failed_at: new Date().toISOString(),
          retry_requested: 0,
        })
        .where('id', '=', row.id)
        .execute();
    }
  }

  /** Delivers, in order, the messages parked behind dead letters that are gone (retried or discarded). */
  async #drainReleasedSources(): Promise<void> {
    const released = await this.store.db
      .selectFrom('parked_messages as p')
      .select('p.source_key')
      .distinct()
      .where('p.handler', '=', this.name)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('dead_letters as d')
              .select('d.id')
              .whereRef('d.handler', '=', 'p.handler')
              .whereRef('d.source_key', '=', 'p.source_key'),
          ),
        ),
      )
      .execute();
    for (const { source_key: source } of released) {
      const parked = await this.store.db
        .selectFrom('parked_messages')
        .select('position')
        .where('handler', '=', this.name)
        .where('source_key', '=', source)
        .orderBy('position')
        .execute();
      for (const { position } of parked) {
        if (this.#stopped) return;
        const unpark = async (tx: Tx) => {
          await tx.db
            .deleteFrom('parked_messages')
            .where('handler', '=', this.name)
            .where('position', '=', Number(position))
            .execute();
        };
        const stored = await this.store.messageAt(Number(position));
        if (!stored) {
          await this.#transaction(unpark);
          continue;
        }
        const delivery = this.#decode(stored);
        const outcome = delivery.error
          ? (await this.#deadLetter(delivery.message, delivery.error, 1, unpark), 'dead')
          : await this.#deliver(delivery.message, unpark);
        if (outcome !== 'done') break;
      }
    }
    await this.#reloadBlocked();
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

function describe(error: Error): string {
  return `${error.name}: ${error.message}`.slice(0, 4000);
}

function concerns(types: ReadonlySet<string>, handled: ReadonlySet<string>): boolean {
  for (const type of types) if (handled.has(type)) return true;
  return false;
}

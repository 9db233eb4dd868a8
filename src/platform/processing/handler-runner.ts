import type { LoggedMessage } from '../messages/envelope.ts';
import { isImported, partitionKey } from '../messages/envelope.ts';
import { newId } from '../messages/ids.ts';
import type { MessageRegistry } from '../messages/registry.ts';
import { ConcurrencyError, storeUnavailableReason } from '../store/errors.ts';
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

export type Delivery = { message: LoggedMessage; error?: undefined } | { message: LoggedMessage; error: Error };

/**
 * Thrown from a checkpoint save when the delivery must stop at once (a transport that lost the right
 * to deliver, e.g. its lease): the transaction rolls back and the error is never a handler failure.
 */
export class DeliveryAborted extends Error {
  override readonly name: string = 'DeliveryAborted';
}

/** Where a transport keeps how far a handler got; the runner calls it in the transaction of the effect. */
export interface CheckpointScope {
  saveCheckpoint(tx: Tx, position: number): Promise<void>;
  /** The sources whose dead letters and parked messages this delivery deals with (default: all). */
  owns?(sourceKey: string): boolean;
}

export interface RunnerOptions {
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
}

/**
 * What every transport does with the messages it delivers to one handler: a batch in one
 * transaction with the checkpoint, redone one message per transaction when anything in it fails;
 * retries with back-off; dead letters after the last attempt; later messages of a dead-lettered
 * source parked behind it (DOMAIN 7.3); operator retries and the release of parked messages. The
 * transport only says where messages come from and where the checkpoint lives.
 */
export class HandlerRunner {
  /** The last position dealt with, as saved in the checkpoint. */
  position = 0;
  processed = 0;
  failures = 0;
  deadLettered = 0;

  readonly retry: RetryPolicy;
  readonly #logger: Logger;
  readonly #blocked = new Set<string>();
  #stopped = false;
  /** Back-off sleeps end early only when stopping, not on new messages. */
  #stopping = new Wakeup();

  constructor(
    private readonly store: Store,
    private readonly registry: MessageRegistry,
    readonly handler: MessageHandler,
    private readonly scope: CheckpointScope,
    options: RunnerOptions = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#logger = options.logger ?? silentLogger;
  }

  get name(): string {
    return this.handler.name;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Allows deliveries again after {@link halt}. */
  resume(): void {
    this.#stopped = false;
    this.#stopping = new Wakeup();
  }

  /** Ends back-off sleeps; the message in hand is left undone and redelivered later. */
  halt(): void {
    this.#stopped = true;
    this.#stopping.wake();
  }

  #owns(source: string): boolean {
    return this.scope.owns?.(source) ?? true;
  }

  async reloadBlocked(): Promise<void> {
    const [dead, parked] = await Promise.all([
      this.store.db.selectFrom('dead_letters').select('source_key').where('handler', '=', this.name).execute(),
      this.store.db.selectFrom('parked_messages').select('source_key').where('handler', '=', this.name).execute(),
    ]);
    this.#blocked.clear();
    for (const row of [...dead, ...parked]) this.#blocked.add(row.source_key);
  }

  decode(stored: LoggedMessage): Delivery {
    try {
      const message = this.registry.decode(stored);
      return { message };
    } catch (error) {
      return { message: stored, error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  /**
   * Handles messages in order: the whole list in one transaction, or, when anything in it fails,
   * one message per transaction. False when it stopped before the end ({@link position} says how far
   * it got).
   */
  async handle(deliveries: Delivery[]): Promise<boolean> {
    if (deliveries.length === 0) return true;
    const outcome = await this.#handleBatch(deliveries);
    if (outcome === 'done') return true;
    for (const [index, delivery] of deliveries.entries()) {
      if (this.#stopped) return false;
      // The failed batch was the first delivery attempt of the message that threw.
      if (!(await this.#handleOne(delivery, outcome?.index === index ? 2 : 1))) return false;
    }
    return true;
  }

  /**
   * A handler's transaction: its commit does not wait for the disk (ADR 005). Everything in it is
   * derived from durable log entries, so a crash that loses it only makes the handler redo it.
   */
  #transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.store.transaction(work, { durable: false });
  }

  /** The handler's work on a message; a read model it changes wakes the readers of the message's flow (its correlation id). */
  async #handleIn(tx: Tx, message: LoggedMessage): Promise<void> {
    tx.touch('read_models', message.metadata.correlationId ?? message.metadata.messageId);
    await this.handler.handle(message, new HandlerContext(this.store, this.registry, tx, message));
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
          else await this.#handleIn(tx, message);
        }
        current = -1;
        await this.scope.saveCheckpoint(tx, deliveries[deliveries.length - 1].message.metadata.position);
      });
    } catch (error) {
      if (error instanceof DeliveryAborted) throw error;
      if (error instanceof ConcurrencyError || current < 0) return undefined;
      this.failures++;
      return { index: current };
    }
    this.position = deliveries[deliveries.length - 1].message.metadata.position;
    this.processed += deliveries.length;
    return 'done';
  }

  /** False when stopped before the message was dealt with. */
  async #handleOne(delivery: Delivery, firstAttempt = 1): Promise<boolean> {
    const { message } = delivery;
    const position = message.metadata.position;
    const checkpoint = (tx: Tx) => this.scope.saveCheckpoint(tx, position);
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
      if (outcome === 'stopped') return false;
    }
    this.position = position;
    return true;
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
    if (firstAttempt > 1) await this.#stopping.wait(this.retry.baseDelayMs);
    for (let attempt = firstAttempt; ; attempt++) {
      if (this.#stopped) return 'stopped';
      const error = await this.#attempt(message, alongside);
      if (!error) {
        this.processed++;
        return 'done';
      }
      this.failures++;
      firstFailedAt ??= new Date().toISOString();
      this.#logger.warn(
        { err: error, handler: this.name, messageId: message.metadata.messageId, correlationId: message.metadata.correlationId, attempt },
        'handler failed',
      );
      if (attempt >= this.retry.maxAttempts) {
        // The store was full, read-only or away, not the handler at fault: no dead letter (the
        // store may be back just in time to take one); the caller backs off and delivers it again.
        if (storeUnavailableReason(error)) throw error;
        await this.#deadLetter(message, error, attempt, alongside, firstFailedAt);
        return 'dead';
      }
      await this.#stopping.wait(this.retry.baseDelayMs * 2 ** (attempt - 1));
    }
  }

  /** One delivery attempt; concurrency conflicts are retried at once and count as one failure only after many. */
  async #attempt(message: LoggedMessage, alongside: (tx: Tx) => Promise<void>): Promise<Error | undefined> {
    for (let conflicts = 0; ; conflicts++) {
      try {
        await this.#transaction(async (tx) => {
          if (!this.#skips(message)) await this.#handleIn(tx, message);
          await alongside(tx);
        });
        return undefined;
      } catch (error) {
        if (error instanceof DeliveryAborted) throw error;
        if (error instanceof ConcurrencyError && conflicts + 1 < this.retry.maxConflicts) continue;
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
      { handler: this.name, messageId: message.metadata.messageId, correlationId: message.metadata.correlationId, position: message.metadata.position, error: describe(error) },
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

  /**
   * What changed in the dead-letter list: operator retries (one more delivery each; a success removes
   * the dead letter and releases its source), then the messages parked behind dead letters that are
   * gone, in order.
   */
  async handleDeadLetterChanges(): Promise<void> {
    await this.#handleRetryRequests();
    await this.#drainReleasedSources();
  }

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
      if (!this.#owns(row.source_key)) continue;
      const stored = await this.store.messageAt(Number(row.position));
      const delivery = stored ? this.decode(stored) : { message: undefined, error: new Error('Log entry not found') };
      const error =
        delivery.error ??
        (await this.#attempt(delivery.message, async (tx) => {
          await tx.db.deleteFrom('dead_letters').where('id', '=', row.id).execute();
        }));
      if (!error) {
        this.processed++;
        this.#logger.info({ handler: this.name, messageId: row.message_id, correlationId: stored?.metadata.correlationId }, 'dead letter retried successfully');
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
      if (!this.#owns(source)) continue;
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
        const delivery = this.decode(stored);
        const outcome = delivery.error
          ? (await this.#deadLetter(delivery.message, delivery.error, 1, unpark), 'dead')
          : await this.#deliver(delivery.message, unpark);
        if (outcome !== 'done') break;
      }
    }
    await this.reloadBlocked();
  }
}

function describe(error: Error): string {
  return `${error.name}: ${error.message}`.slice(0, 4000);
}

import { EventEmitter } from 'node:events';
import { type LoggedMessage, partitionKey } from '../../messages/envelope.ts';
import type { MessageHandler } from '../../processing/handler.ts';
import type { HandlerSubscription } from '../../processing/subscription.ts';
import { Wakeup } from '../../processing/wakeup.ts';
import { PARTITIONS, partitionOf } from '../partition.ts';
import { databaseNowMs } from '../leases.ts';
import { transportDb } from '../schema.ts';
import { type PartitionShare, PartitionWorker } from './partition-worker.ts';
import type { NatsTransport } from './transport.ts';

/** Log entries read per look for the low-watermark. */
const WATERMARK_READ = 1000;
/** While someone waits for the handler, the low-watermark is looked at this often. */
const WAITING_REFRESH_MS = 50;
/** After a look, progress arriving within this long is taken in by the next look together. */
const COALESCE_MS = 20;

/**
 * One handler on the NATS transport: a worker per partition (each works only while it holds the
 * partition's lease, so the partitions spread over the processes) and the handler's low-watermark.
 *
 * The low-watermark is the highest position W such that the relay has published every entry up to W
 * and every partition has dealt with its entries up to W: from the relay's checkpoint R and each
 * partition's checkpoint P(p), it is the position before the first entry of the handler's types in
 * (max(C, min P), R] whose partition has not reached it, or R when there is none — C being the
 * watermark kept so far, below which nothing needs looking at again. It is kept as the handler's
 * row in `checkpoints`, so read-your-writes in any process and the read-model positions go by it.
 */
export class NatsSubscription implements HandlerSubscription {
  seen = 0;
  readonly storedTypes: readonly string[];
  readonly #types: ReadonlySet<string>;
  readonly workers: PartitionWorker[];
  readonly #progress = new EventEmitter();
  readonly #wakeup = new Wakeup();
  #waiting = 0;
  #stopped = true;
  #running: Promise<void> | undefined;
  #unsubscribe: Array<() => void> = [];

  constructor(
    private readonly transport: NatsTransport,
    readonly handler: MessageHandler,
  ) {
    this.storedTypes = [...new Set(handler.types.flatMap((type) => transport.registry.storedNamesOf(type)))];
    this.#types = new Set(this.storedTypes);
    const share: PartitionShare = {
      mayTake: () => this.heldPartitions().length < transport.fairShare(),
      shouldYield: (partition) => {
        const held = this.heldPartitions();
        return held.length > transport.fairShare() && held.slice(transport.fairShare()).includes(partition);
      },
      progressed: () => this.#wakeup.wake(),
    };
    this.workers = Array.from({ length: PARTITIONS }, (_, partition) => new PartitionWorker(transport, handler, partition, this.#types, share));
    this.#progress.setMaxListeners(0);
  }

  get name(): string {
    return this.handler.name;
  }

  get running(): boolean {
    return !this.#stopped;
  }

  /** Partitions this process works now. */
  heldPartitions(): number[] {
    return this.workers.filter((worker) => worker.active).map((worker) => worker.partition);
  }

  get processed(): number {
    return this.workers.reduce((sum, worker) => sum + worker.runner.processed, 0);
  }

  get failures(): number {
    return this.workers.reduce((sum, worker) => sum + worker.runner.failures, 0);
  }

  get deadLettered(): number {
    return this.workers.reduce((sum, worker) => sum + worker.runner.deadLettered, 0);
  }

  start(): void {
    if (this.#running) return;
    this.#stopped = false;
    const { store } = this.transport;
    this.#unsubscribe = [
      store.onChange('dead_letters', () => {
        for (const worker of this.workers) worker.deadLettersChanged();
      }),
      // What moves the low-watermark, in this process or another: the relay and the handler's partitions.
      store.onChange('checkpoints', () => this.#wakeup.wake(), this.transport.relayLease),
      store.onChange('checkpoints', () => this.#wakeup.wake(), this.transport.partitionsKey(this.name)),
      this.transport.onReconnect(() => {
        for (const worker of this.workers) worker.reopen();
      }),
    ];
    for (const worker of this.workers) worker.start();
    this.#running = this.#watch();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#wakeup.wake();
    await Promise.all(this.workers.map((worker) => worker.stop()));
    await this.#running;
    this.#running = undefined;
  }

  /** Stops every worker as a crash would: nothing acknowledged, given back or released (tests). */
  async kill(): Promise<void> {
    this.#stopped = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#wakeup.wake();
    await Promise.all(this.workers.map((worker) => worker.kill()));
    await this.#running;
    this.#running = undefined;
  }

  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.seen >= position) return Promise.resolve(true);
    this.#waiting++;
    this.#wakeup.wake();
    return new Promise((resolve) => {
      const check = () => {
        if (this.seen >= position) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.#progress.off('progress', check);
        this.#waiting--;
        resolve(result);
      };
      this.#progress.on('progress', check);
    });
  }

  /**
   * The process working partition 0 keeps the handler's low-watermark: it looks whenever the relay or
   * any partition moved on. The others look only while someone here waits for the handler, and at
   * the idle re-check (in case the keeper is gone).
   */
  get keepsWatermark(): boolean {
    return this.workers[0].active;
  }

  /** Looks at the low-watermark (see {@link keepsWatermark}), and for free partitions and dead-letter work. */
  async #watch(): Promise<void> {
    let idle = false;
    while (!this.#stopped) {
      try {
        if (this.keepsWatermark || this.#waiting > 0 || idle) await this.refreshWatermark();
        await this.#lookForFreePartitions();
        if (idle) await this.#lookForDeadLetterWork();
      } catch (error) {
        this.transport.logger.error({ err: error, handler: this.name }, 'cannot compute the low-watermark');
      }
      const waitMs = this.#waiting > 0 ? WAITING_REFRESH_MS : this.transport.idleCheckMs;
      idle = !(await this.#wakeup.wait(waitMs)) && waitMs === this.transport.idleCheckMs;
      // Lets the progress right behind land too: one look for several partitions' batches.
      await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
    }
  }

  /**
   * While this process holds less than its share, wakes the workers of partitions nobody holds
   * (given back by another process, or run out), so that they are taken within a watch period.
   */
  async #lookForFreePartitions(): Promise<void> {
    if (this.heldPartitions().length >= this.transport.fairShare()) return;
    const free = await transportDb(this.transport.store.db)
      .selectFrom('transport_leases')
      .select('name')
      .where('name', 'in', this.workers.map((worker) => worker.lease))
      .where((eb) => eb.or([eb('owner', 'is', null), eb('expires_at', '<', databaseNowMs())]))
      .execute();
    const names = new Set(free.map((row) => row.name));
    for (const worker of this.workers) if (names.has(worker.lease)) worker.wake();
  }

  /**
   * The idle re-check of dead letters (a lost notification): when the handler has retry requests or
   * parked messages, the workers holding partitions look at them.
   */
  async #lookForDeadLetterWork(): Promise<void> {
    const db = this.transport.store.db;
    const pending =
      (await db.selectFrom('dead_letters').select('id').where('handler', '=', this.name).where('retry_requested', '=', 1).limit(1).executeTakeFirst()) ??
      (await db.selectFrom('parked_messages').select('position').where('handler', '=', this.name).limit(1).executeTakeFirst());
    if (pending) for (const worker of this.workers) worker.deadLettersChanged();
  }

  /** Computes the low-watermark, and moves the handler's checkpoint up to it. */
  async refreshWatermark(): Promise<number> {
    const { store } = this.transport;
    const inputs = await this.transport.watermarkReads.read();
    const { published, partitions, checkpoints } = inputs;
    const base = checkpoints.get(this.name) ?? 0;
    const reached = this.workers.map((worker) => partitions.get(worker.lease) ?? base);
    // Everything up to the checkpoint was dealt with: a partition that has had nothing for this
    // handler since (its own checkpoint far behind) must not make every look read the log from there.
    let after = Math.max(base, Math.min(...reached));
    /** The first entry of the handler's after `after` whose partition has not reached it. */
    const firstBehind = (entries: readonly LoggedMessage[]) =>
      entries.find((entry) => entry.metadata.position > after && this.#types.has(entry.type) && entry.metadata.position > reached[partitionOf(partitionKey(entry))]);
    let watermark = published;
    if (after < published) {
      // The first page is the log after the lowest checkpoint of the process's handlers, read once
      // for all of them; further pages, only when it did not reach the relay's checkpoint, are the handler's own.
      const recent = await inputs.recentLog();
      let page = recent.entries;
      let more = !recent.complete;
      for (;;) {
        const behind = firstBehind(page);
        if (behind) {
          watermark = behind.metadata.position - 1;
          break;
        }
        if (!more) break;
        after = Math.max(after, page[page.length - 1].metadata.position);
        page = await store.readLog({ after, limit: WATERMARK_READ, types: this.storedTypes, untilPosition: published });
        more = page.length === WATERMARK_READ;
      }
    }
    watermark = Math.max(watermark, base);
    if (watermark > base) await this.transport.watermarkWrites.write(this.name, watermark);
    if (watermark > this.seen) {
      this.seen = watermark;
      this.#progress.emit('progress');
    }
    return watermark;
  }
}

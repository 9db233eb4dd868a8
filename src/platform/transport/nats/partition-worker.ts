import { AckPolicy, type Consumer, type ConsumerMessages, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { type LoggedMessage, partitionKey } from '../../messages/envelope.ts';
import type { MessageHandler } from '../../processing/handler.ts';
import { type Delivery, DeliveryAborted, HandlerRunner } from '../../processing/handler-runner.ts';
import { checkpointMoved } from '../../processing/progress.ts';
import { Wakeup } from '../../processing/wakeup.ts';
import type { Tx } from '../../store/store.ts';
import { partitionOf } from '../partition.ts';
import type { LogReference } from './relay.ts';
import { isNotFound, type NatsTransport, within } from './transport.ts';

const CLOSE_WAIT_MS = 2000;
/**
 * Pull requests: how long one waits at the server, and the heartbeat the server sends while it waits.
 * The client takes some answers of the server (409s) as a pause that two missed heartbeats end: with
 * the client's default (half the expiry) a consumer could sit idle for 30 s with messages waiting.
 */
const PULL_EXPIRES_MS = 10_000;
const PULL_HEARTBEAT_MS = 2000;
/** A delivery the server counts and this worker has not received is taken as lost after this long. */
const LATE_DELIVERY_MS = 250;
/**
 * Messages the handler does not take are acknowledged with the next message it handles (the
 * consumer acknowledges everything up to an acknowledged message), or at the latest this long after
 * the first of them arrived: one acknowledgement for many, well within the ack wait.
 */
const DEFERRED_ACK_MS = 1000;
/** Log entries read per look when catching up from the log. */
const LOG_READ = 500;

/** The stored type name a stream message carries: the last token of its subject (`…msg.<partition>.<type>`). */
function typeOfSubject(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}

/** Durable consumer name of a handler's partition: `<handler>-p<partition>`. */
export function consumerName(handler: string, partition: number): string {
  return `${handler.replace(/[^A-Za-z0-9_-]/g, '_')}-p${partition}`;
}

/** How the partitions of a handler are shared among this process's workers and the other processes. */
export interface PartitionShare {
  /** Whether this process may take one more partition. */
  mayTake(): boolean;
  /** Whether this process holds more than its share and this partition is one to give back. */
  shouldYield(partition: number): boolean;
  progressed(): void;
}

/**
 * Works one partition of one handler while it holds the partition's lease: consumes the partition's
 * durable consumer (filter `msg.<partition>.>`, acknowledging all up to a message), passes over
 * what the handler does not handle and what its checkpoint has passed (redeliveries, republished
 * duplicates), runs the rest through the shared {@link HandlerRunner} with the checkpoint — the last
 * log position and stream sequence handled, fenced by the lease — in the handler's transaction, and
 * acknowledges only after that transaction has committed. What it passed over is acknowledged with
 * the next message it handles, or within {@link DEFERRED_ACK_MS}.
 */
export class PartitionWorker {
  readonly runner: HandlerRunner;
  readonly lease: string;
  readonly #consumer: string;
  /** Stream sequences of the messages in hand, by log position (saved with the checkpoint). */
  readonly #sequences = new Map<number, number>();
  readonly #wakeup = new Wakeup();
  #deadLettersChanged = true;
  /** NATS was reconnected: what the consumer had in flight may never arrive, so it is opened again. */
  #reopen = false;
  /**
   * The consumer sequence of the last delivery received. The server numbers every delivery of the
   * consumer (redeliveries too) and sends them in that order, so a number skipped is a delivery lost
   * on its way here.
   */
  #delivered = 0;
  /** Deliveries arrived since the consumer was last asked how many it sent. */
  #receivedSinceCheck = false;
  /** The last message done without the handler and not acknowledged yet, and since when one waits. */
  #unacked: { message: JsMsg; since: number } | undefined;
  /** A delivery was lost: nothing after it may be handled; the consumer is made again from the checkpoint. */
  #lost = false;
  #stopped = true;
  #killed = false;
  #running: Promise<void> | undefined;

  constructor(
    private readonly transport: NatsTransport,
    readonly handler: MessageHandler,
    readonly partition: number,
    private readonly storedTypes: ReadonlySet<string>,
    private readonly share: PartitionShare,
  ) {
    this.lease = `${transport.stream}/${handler.name}/${partition}`;
    this.#consumer = consumerName(handler.name, partition);
    this.runner = new HandlerRunner(
      transport.store,
      transport.registry,
      handler,
      {
        saveCheckpoint: (tx, position) => this.#saveCheckpoint(tx, position),
        owns: (source) => partitionOf(source) === partition,
      },
      { retry: transport.retry, logger: transport.logger },
    );
  }

  /** Whether this worker holds its partition now. */
  get active(): boolean {
    return !this.#stopped && this.transport.leases.holds(this.lease);
  }

  start(): void {
    if (this.#running) return;
    this.#stopped = false;
    this.#killed = false;
    this.runner.resume();
    this.#running = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.runner.halt();
    this.#wakeup.wake();
    await this.#running;
    this.#running = undefined;
  }

  /** Stops without acknowledging, giving back or releasing anything, as a crash would (tests). */
  async kill(): Promise<void> {
    this.#killed = true;
    this.transport.leases.abandon(this.lease);
    await this.stop();
  }

  /** Tries the lease again now (it was seen free). */
  wake(): void {
    this.#wakeup.wake();
  }

  /**
   * After NATS came back, the consumer is opened again: messages the server counted as delivered
   * while the connection went down would otherwise come back only after the ack wait, behind later
   * ones; opened again with messages in flight, it is made again from the checkpoint, in order.
   */
  reopen(): void {
    this.#reopen = true;
    this.#wakeup.wake();
  }

  deadLettersChanged(): void {
    this.#deadLettersChanged = true;
    this.#wakeup.wake();
  }

  async #loop(): Promise<void> {
    let failures = 0;
    const { leases } = this.transport;
    while (!this.#stopped) {
      try {
        const mine = leases.holds(this.lease);
        if ((!mine && !this.share.mayTake()) || !(await leases.acquire(this.lease, () => this.#wakeup.wake(), () => this.#handlerCheckpoint()))) {
          await this.#wakeup.wait(leases.timings.renewMs);
          continue;
        }
        const outcome = await this.#work();
        if (outcome === 'yield') {
          // Given back to a process with fewer partitions: it has a while to take it.
          await leases.release(this.lease);
          await this.#wakeup.wait(2 * leases.timings.renewMs);
        } else if (outcome === 'ended') {
          await this.#wakeup.wait(200);
        }
        failures = 0;
      } catch (error) {
        failures++;
        this.transport.logger.error({ err: error, handler: this.handler.name, partition: this.partition }, 'partition worker failed; retrying');
        await this.#wakeup.wait(Math.min(100 * 2 ** failures, 5000));
      }
    }
    if (!this.#killed) await this.transport.leases.release(this.lease).catch(() => {});
  }

  /** The handler's low-watermark (a new partition starts there, e.g. from the in-process transport). */
  async #handlerCheckpoint(): Promise<number> {
    const row = await this.transport.store.db.selectFrom('checkpoints').select('position').where('name', '=', this.handler.name).executeTakeFirst();
    return Number(row?.position ?? 0);
  }

  async #work(): Promise<'stopped' | 'ended' | 'yield'> {
    const { leases } = this.transport;
    this.#reopen = false;
    const row = await leases.row(this.lease);
    // Every partition has dealt with everything of the handler's up to its low-watermark: a partition
    // that had nothing for a long while starts there, not at its own old checkpoint (far back in a
    // log the stream may no longer hold).
    this.runner.position = Math.max(row.position, await this.#handlerCheckpoint());
    await this.runner.reloadBlocked();
    this.#deadLettersChanged = true;
    const sequence = await this.#readWhatTheStreamDropped(row.sequence);
    if (sequence === undefined) return 'stopped';
    const consumer = await this.#openConsumer(sequence);
    this.#receivedSinceCheck = false;
    const batchSize = this.handler.batchSize ?? 100;
    // A consumer deleted from outside ends the messages, and the worker makes the consumer again.
    const messages = await consumer.consume({
      max_messages: batchSize,
      expires: Math.max(1000, Math.min(PULL_EXPIRES_MS, this.transport.ackWaitMs)),
      idle_heartbeat: PULL_HEARTBEAT_MS,
      abort_on_missing_resource: true,
    });
    void this.#reportPauses(messages);
    const queue: JsMsg[] = [];
    const space = new Wakeup();
    let pumping = true;
    const pump = this.#pump(messages, queue, batchSize * 2, space).finally(() => {
      pumping = false;
      this.#wakeup.wake();
    });
    try {
      while (!this.#stopped && leases.holds(this.lease)) {
        if (this.share.shouldYield(this.partition)) return 'yield';
        if (this.#lost) {
          this.transport.logger.warn({ handler: this.handler.name, partition: this.partition }, 'a delivery never arrived; the partition consumer is made again from the checkpoint');
          return 'ended';
        }
        // The consumer's messages ended (deleted from outside, or the client gave up): open it again.
        if (!pumping && queue.length === 0) return 'ended';
        if (this.#reopen) return 'ended';
        if (this.#deadLettersChanged) {
          this.#deadLettersChanged = false;
          await this.runner.handleDeadLetterChanges();
          this.share.progressed();
        }
        if (queue.length === 0) {
          // Dead-letter changes come as signals; the subscription's idle re-check covers lost ones.
          const idleMs = Math.min(this.transport.idleCheckMs, leases.timings.renewMs);
          const woken = await this.#wakeup.wait(this.#unacked ? Math.min(idleMs, this.#deferredAckDueIn()) : idleMs);
          this.#ackDeferred();
          // Quiet after deliveries: was the last of them lost (no later one shows the gap)?
          if (!woken && this.#receivedSinceCheck) {
            this.#receivedSinceCheck = false;
            this.#lost = await this.#deliveryMissing(consumer);
          }
          continue;
        }
        const batch = queue.splice(0, batchSize);
        space.wake();
        const left = await this.#handle(batch);
        if (left.length > 0) {
          queue.unshift(...left);
          break;
        }
        this.share.progressed();
      }
    } finally {
      // Bounded: with NATS unreachable, closing does not wait for the server.
      await within(CLOSE_WAIT_MS, messages.close().catch(() => {}));
      space.wake();
      await within(CLOSE_WAIT_MS, pump);
      // Given back in order, so whoever works the partition next gets them first.
      if (!this.#killed) {
        this.#unacked?.message.ack();
        for (const message of queue) message.nak();
      }
      this.#unacked = undefined;
      this.#sequences.clear();
    }
    return 'stopped';
  }

  async #pump(messages: ConsumerMessages, queue: JsMsg[], limit: number, space: Wakeup): Promise<void> {
    try {
      for await (const message of messages) {
        if (message.info.deliverySequence !== this.#delivered + 1) {
          this.#lost = true;
          this.#wakeup.wake();
          break;
        }
        this.#delivered = message.info.deliverySequence;
        this.#receivedSinceCheck = true;
        queue.push(message);
        this.#wakeup.wake();
        while (queue.length >= limit && !this.#stopped) await space.wait(1000);
      }
    } catch (error) {
      this.transport.logger.warn({ err: error, handler: this.handler.name, partition: this.partition }, 'partition consumer ended');
    }
  }

  /** Logs what makes the client pause pulling (answers of the server it waits out, missed heartbeats). */
  async #reportPauses(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (status.type === 'heartbeats_missed' || status.type === 'exceeded_limits') {
        this.transport.logger.warn({ handler: this.handler.name, partition: this.partition, status }, 'partition consumer paused; it pulls again');
      }
    }
  }

  /**
   * The durable consumer of the partition. Messages still in flight with an earlier holder (a worker
   * that died, or one that gave them back) or lost on their way here would reach this worker only
   * after messages behind them: then the consumer is made again from the stream sequence after the
   * checkpoint, so the partition is delivered in order from there.
   */
  async #openConsumer(sequence: number): Promise<Consumer> {
    const { js, jsm } = await this.transport.connection();
    const stream = this.transport.stream;
    const info = await jsm.consumers.info(stream, this.#consumer).catch((error) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    // Also made again when an earlier version made it acknowledging each message on its own.
    const again = info !== undefined && (info.num_ack_pending > 0 || this.#lost || info.config.ack_policy !== AckPolicy.All);
    this.#lost = false;
    if (again) await jsm.consumers.delete(stream, this.#consumer);
    this.#delivered = info && !again ? info.delivered.consumer_seq : 0;
    if (!info || again) {
      await jsm.consumers.add(stream, {
        durable_name: this.#consumer,
        filter_subject: this.transport.partitionFilter(this.partition),
        ack_policy: AckPolicy.All,
        ack_wait: nanos(this.transport.ackWaitMs),
        max_deliver: -1,
        max_ack_pending: 10_000,
        ...(sequence > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: sequence + 1 } : { deliver_policy: DeliverPolicy.All }),
      });
    }
    return js.consumers.get(stream, this.#consumer);
  }

  /** Whether the server has sent a delivery that has not arrived here (given a moment to arrive). */
  async #deliveryMissing(consumer: Consumer): Promise<boolean> {
    const { delivered } = await consumer.info();
    if (delivered.consumer_seq <= this.#delivered) return false;
    await new Promise((resolve) => setTimeout(resolve, LATE_DELIVERY_MS));
    return delivered.consumer_seq > this.#delivered;
  }

  /**
   * Handles a batch; answers the messages left undone (stopped, or the lease was lost). Messages of
   * types the handler does not take are told apart by their subject and passed over unread. Once the
   * handler's transaction has committed, the last message done is acknowledged (and with it all
   * before it); a batch with nothing handled leaves its acknowledgement deferred.
   */
  async #handle(batch: JsMsg[]): Promise<JsMsg[]> {
    const deliveries: Delivery[] = [];
    /** Each message with the log position it is handled at; none: done without the handler. */
    const entries: Array<{ message: JsMsg; position?: number }> = [];
    for (const message of batch) {
      if (!this.storedTypes.has(typeOfSubject(message.subject))) {
        entries.push({ message });
        continue;
      }
      let carried: LoggedMessage | LogReference;
      try {
        carried = message.json<LoggedMessage | LogReference>();
      } catch (error) {
        this.transport.logger.error({ err: error, subject: message.subject, sequence: message.seq }, 'unreadable message on the stream; dropped');
        entries.push({ message });
        continue;
      }
      // A store that cannot answer throws: the worker backs off and the message comes again.
      const stored = await this.#entry(carried);
      const position = stored.metadata.position;
      if (position <= this.runner.position) {
        entries.push({ message });
        continue;
      }
      this.#sequences.set(position, message.seq);
      deliveries.push(this.runner.decode(stored));
      entries.push({ message, position });
    }
    try {
      await this.runner.handle(deliveries);
    } catch (error) {
      if (!(error instanceof DeliveryAborted)) throw error;
      this.transport.logger.warn({ handler: this.handler.name, partition: this.partition }, 'partition lease lost; stopping');
    } finally {
      this.#sequences.clear();
    }
    const undone = entries.findIndex((entry) => entry.position !== undefined && entry.position > this.runner.position);
    const done = undone < 0 ? entries : entries.slice(0, undone);
    const last = done.at(-1);
    if (last && done.some((entry) => entry.position !== undefined)) {
      last.message.ack();
      this.#unacked = undefined;
    } else if (last) {
      this.#unacked = { message: last.message, since: this.#unacked?.since ?? Date.now() };
      this.#ackDeferred();
    }
    return undone < 0 ? [] : entries.slice(undone).map((entry) => entry.message);
  }

  /** Milliseconds until the deferred acknowledgement is due. */
  #deferredAckDueIn(): number {
    return this.#unacked ? Math.max(0, this.#unacked.since + DEFERRED_ACK_MS - Date.now()) : DEFERRED_ACK_MS;
  }

  /** Sends the deferred acknowledgement once it is due. */
  #ackDeferred(): void {
    if (!this.#unacked || this.#deferredAckDueIn() > 0) return;
    this.#unacked.message.ack();
    this.#unacked = undefined;
  }

  /**
   * When the stream no longer holds messages after the partition's checkpoint (its retention dropped
   * them while nobody worked the partition), hands the partition's entries from the checkpoint up to
   * the stream's first message to the handler from the log, and moves the checkpoint to just before
   * that message. Answers the stream sequence the consumer resumes after (undefined: stopped).
   */
  async #readWhatTheStreamDropped(sequence: number): Promise<number | undefined> {
    const { store, leases, stream } = this.transport;
    const { jsm } = await this.transport.connection();
    const { state } = await jsm.streams.info(stream);
    if (sequence + 1 >= state.first_seq) return sequence;
    // Everything logged before the stream's first message was published, and is gone from it.
    const first = state.messages > 0 ? await jsm.streams.getMessage(stream, { seq: state.first_seq }) : null;
    const until = first ? first.json<LoggedMessage | LogReference>().metadata.position - 1 : (await leases.row(this.transport.relayLease)).position;
    let handled = 0;
    for (;;) {
      const entries = await store.readLog({ after: this.runner.position, types: [...this.storedTypes], untilPosition: until, limit: LOG_READ });
      const mine = entries.filter((entry) => partitionOf(partitionKey(entry)) === this.partition);
      if (!(await this.runner.handle(mine.map((entry) => this.runner.decode(entry))))) return undefined;
      handled += mine.length;
      if (entries.length < LOG_READ) break;
      this.runner.position = Math.max(this.runner.position, entries[entries.length - 1].metadata.position);
    }
    const resumeAfter = state.first_seq - 1;
    const position = Math.max(this.runner.position, until);
    await store.transaction((tx) => leases.save(tx, this.lease, { position, sequence: resumeAfter }), { durable: false });
    this.runner.position = position;
    this.transport.logger.warn({ handler: this.handler.name, partition: this.partition, handled, upTo: until }, 'messages the stream no longer holds were read from the log');
    return resumeAfter;
  }

  /** The log entry a stream message carries, read from the log when the stream carries only a reference. */
  async #entry(carried: LoggedMessage | LogReference): Promise<LoggedMessage> {
    if (!('inLog' in carried)) return carried;
    const entry = await this.transport.store.messageAt(carried.metadata.position);
    if (!entry) throw new Error(`log entry ${carried.metadata.position} (${carried.type}) not found`);
    return entry;
  }

  async #saveCheckpoint(tx: Tx, position: number): Promise<void> {
    await this.transport.leases.save(tx, this.lease, { position, sequence: this.#sequences.get(position) });
    checkpointMoved(tx, this.transport.partitionsKey(this.handler.name));
  }
}

import type { PubAck } from '@nats-io/jetstream';
import { type LoggedMessage, partitionKey } from '../../messages/envelope.ts';
import { checkpointMoved } from '../../processing/progress.ts';
import { Wakeup } from '../../processing/wakeup.ts';
import { partitionOf } from '../partition.ts';
import type { NatsTransport } from './transport.ts';

const RELAY_BATCH = 500;
/** After a read that found nothing new, the relay looks again after 5 ms, then doubling up to 1 s (new entries wake it sooner). */
const QUIET_FIRST_WAIT_MS = 5;
const QUIET_MAX_WAIT_MS = 1000;
/** Room left in a NATS message for its headers (`Nats-Msg-Id`, expectations). */
const HEADER_ROOM = 4096;

/**
 * What the stream carries for a log entry larger than the server takes (`max_payload`, 1 MB by
 * default): its type and metadata, and `inLog: true` — the partition worker reads it from the log.
 */
export interface LogReference {
  type: string;
  metadata: LoggedMessage['metadata'];
  inLog: true;
}

/** The JSON the stream carries for a log entry: the entry itself, or a {@link LogReference} when it is too large. */
export function streamBody(message: LoggedMessage, maxPayload: number): string {
  const body = JSON.stringify(message);
  if (Buffer.byteLength(body) <= maxPayload - HEADER_ROOM) return body;
  const reference: LogReference = { type: message.type, metadata: message.metadata, inLog: true };
  return JSON.stringify(reference);
}

/**
 * Publishes the log to the stream in log order, from its own checkpoint (the `position` of its lease
 * row), each entry as its stored JSON envelope to `msg.<partition>.<type>` with `Nats-Msg-Id` = its
 * message id; once JetStream has acknowledged a batch, the checkpoint moves (saved while the next
 * batch goes out). One relay is active at
 * a time (its lease). A batch is published pipelined, each message expecting the stream's last
 * sequence to be the one before it, so nothing is ever stored out of log order; after a failure
 * (NATS restarting, a lost acknowledgement) it republishes from its checkpoint one message at a time,
 * and the stream's duplicate window drops what it had already stored.
 */
export class Relay {
  /** Last log position published (its checkpoint is saved right behind). */
  position = 0;
  readonly #wakeup = new Wakeup();
  #stopped = true;
  #killed = false;
  #running: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(private readonly transport: NatsTransport) {}

  get active(): boolean {
    return !this.#stopped && this.transport.leases.holds(this.transport.relayLease);
  }

  start(): void {
    if (this.#running) return;
    this.#stopped = false;
    this.#killed = false;
    // New log entries concern the active relay only: a standby one looks at the lease every renewal period.
    this.#unsubscribe = this.transport.store.onChange('messages', () => this.active && this.#wakeup.wake());
    this.#running = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#wakeup.wake();
    await this.#running;
    this.#running = undefined;
  }

  /** Stops without releasing the lease, as a crash would (tests). */
  async kill(): Promise<void> {
    this.#killed = true;
    this.transport.leases.abandon(this.transport.relayLease);
    await this.stop();
  }

  async #loop(): Promise<void> {
    const lease = this.transport.relayLease;
    let failures = 0;
    while (!this.#stopped) {
      try {
        if (!(await this.transport.leases.acquire(lease, () => this.#wakeup.wake()))) {
          await this.#wakeup.wait(this.transport.leases.timings.renewMs);
          continue;
        }
        await this.#work(lease);
        failures = 0;
      } catch (error) {
        failures++;
        this.transport.logger.error({ err: error }, 'relay failed; retrying');
        await this.#wakeup.wait(Math.min(100 * 2 ** failures, 5000));
      }
    }
    if (!this.#killed) await this.transport.leases.release(lease).catch(() => {});
  }

  async #work(lease: string): Promise<void> {
    const { store, leases } = this.transport;
    await this.transport.ensureStream();
    const { nc, js, jsm } = await this.transport.connection();
    const body = (message: LoggedMessage) => streamBody(message, nc.info?.max_payload ?? 1024 * 1024);
    this.position = (await leases.row(lease)).position;
    /** The stream's last sequence while publishing pipelined; undefined: one at a time. */
    let lastSequence: number | undefined;
    let quietWaitMs = QUIET_FIRST_WAIT_MS;
    let saving: Promise<void> | undefined;
    while (!this.#stopped && leases.holds(lease)) {
      const batch = await store.readLog({ after: this.position, limit: RELAY_BATCH });
      if (batch.length === 0) {
        // New entries wake the relay. Entries already committed may still be held back by an older
        // transaction (PostgreSQL's read horizon), and nothing signals when that one ends: it looks
        // again shortly, backing off — cheaper under load than asking each time whether entries wait.
        await this.#wakeup.wait(Math.min(quietWaitMs, this.transport.idleCheckMs, leases.timings.renewMs));
        quietWaitMs = Math.min(quietWaitMs * 2, QUIET_MAX_WAIT_MS);
        continue;
      }
      if (lastSequence === undefined) {
        for (const message of batch) await js.publish(this.#subject(message), body(message), { msgID: message.metadata.messageId });
        lastSequence = (await jsm.streams.info(this.transport.stream)).state.last_seq;
      } else {
        const base: number = lastSequence;
        const results = await Promise.allSettled(
          batch.map((message, index) =>
            js.publish(this.#subject(message), body(message), { msgID: message.metadata.messageId, expect: { lastSequence: base + index } }),
          ),
        );
        const failed = results.find((result) => result.status === 'rejected');
        if (failed) {
          lastSequence = undefined;
          this.transport.logger.warn({ err: failed.reason }, 'relay batch not stored in order; republishing one at a time');
          continue;
        }
        lastSequence = (results.at(-1) as PromiseFulfilledResult<PubAck>).value.seq;
      }
      quietWaitMs = QUIET_FIRST_WAIT_MS;
      const position = batch[batch.length - 1].metadata.position;
      // The checkpoint is saved while the next batch is read and published: one save in flight at a
      // time, in order. A relay that dies before it lands republishes, and the stream drops the duplicates.
      await saving;
      saving = this.#save(lease, position);
      saving.catch(() => {});
      this.position = position;
    }
    await saving;
  }

  #save(lease: string, position: number): Promise<void> {
    const { store, leases } = this.transport;
    return store.transaction(
      async (tx) => {
        await leases.save(tx, lease, { position });
        checkpointMoved(tx, lease);
      },
      { durable: false },
    );
  }

  #subject(message: LoggedMessage): string {
    return this.transport.subject(partitionOf(partitionKey(message)), message.type);
  }
}

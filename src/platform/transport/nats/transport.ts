import { type JetStreamClient, type JetStreamManager, JetStreamApiError, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect, nanos } from '@nats-io/transport-node';
import type { MessageRegistry } from '../../messages/registry.ts';
import type { MessageHandler } from '../../processing/handler.ts';
import type { RetryPolicy } from '../../processing/handler-runner.ts';
import { type Logger, silentLogger } from '../../processing/logger.ts';
import type { Store } from '../../store/store.ts';
import { Wakeup } from '../../processing/wakeup.ts';
import { LeaseKeeper, type LeaseTimings } from '../leases.ts';
import { PARTITIONS } from '../partition.ts';
import { Relay } from './relay.ts';
import { NatsSubscription } from './subscription.ts';
import { WatermarkReads } from './watermark-reads.ts';
import { WatermarkWrites } from './watermark-writes.ts';

export interface NatsTransportOptions {
  /** NATS server URL(s), comma-separated. */
  url: string;
  /** JetStream stream of the log (default `CONTOSO`). */
  stream?: string;
  /** Subjects are `<prefix>.msg.<partition>.<type>`; no prefix (the default): `msg.<partition>.<type>`. */
  subjectPrefix?: string;
  /** Lease length and renewal period of the relay and the partition workers (15 s, 5 s). */
  leaseMs?: number;
  renewMs?: number;
  /** How long JetStream waits for an acknowledgement before it delivers a message again (30 s). */
  ackWaitMs?: number;
  /** Duplicate window of the stream: a relay republishing within it stores nothing twice (10 min). */
  duplicateWindowMs?: number;
  /**
   * How long the stream keeps a message (7 days; 0: for ever). The log keeps everything: a partition
   * that was not worked for longer reads what the stream dropped from the log.
   */
  maxAgeMs?: number;
  /** Whether this process runs the relay (default true; one relay is active at a time anyway). */
  relay?: boolean;
}

export interface NatsTransportSettings {
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  idleCheckMs?: number;
}

interface Connection {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/**
 * The NATS JetStream transport (ARCHITECTURE 2): the relay publishes the log to the stream, and each
 * handler gets one durable pull consumer per partition, worked by whichever worker holds its lease.
 * One per process; `Processing` starts it before the subscriptions and stops it after them.
 */
export class NatsTransport {
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly ackWaitMs: number;
  readonly duplicateWindowMs: number;
  readonly maxAgeMs: number;
  readonly idleCheckMs: number;
  readonly logger: Logger;
  readonly retry: Partial<RetryPolicy> | undefined;
  readonly leases: LeaseKeeper;
  readonly relay: Relay | undefined;
  /** The reads every handler's low-watermark needs, shared among the handlers of this process. */
  readonly watermarkReads = new WatermarkReads(this);
  /** The handlers this process runs on the transport. */
  readonly handlerNames = new Set<string>();
  /** The low-watermark writes of this process's handlers, several in one statement. */
  readonly watermarkWrites = new WatermarkWrites(this);
  readonly #servers: string[];
  /** Live members (worker processes) last counted; 1 until counted. */
  members = 1;
  #connection: Promise<Connection> | undefined;
  #streamReady: Promise<void> | undefined;
  #stopped = true;
  #killed = false;
  #membership: Promise<void> | undefined;
  readonly #membershipWakeup = new Wakeup();
  readonly #reconnectListeners = new Set<() => void>();

  constructor(
    readonly store: Store,
    readonly registry: MessageRegistry,
    options: NatsTransportOptions,
    settings: NatsTransportSettings = {},
  ) {
    if (store.dialect.name !== 'postgres') {
      throw new Error('The NATS transport needs PostgreSQL: several processes share the store (set DATABASE_URL)');
    }
    this.#servers = options.url.split(',').map((url) => url.trim());
    this.stream = options.stream ?? 'CONTOSO';
    this.subjectPrefix = options.subjectPrefix ? `${options.subjectPrefix}.` : '';
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.duplicateWindowMs = options.duplicateWindowMs ?? 10 * 60_000;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3_600_000;
    this.idleCheckMs = settings.idleCheckMs ?? 2000;
    this.logger = settings.logger ?? silentLogger;
    this.retry = settings.retry;
    const timings: Partial<LeaseTimings> = { leaseMs: options.leaseMs, renewMs: options.renewMs };
    for (const key of ['leaseMs', 'renewMs'] as const) if (timings[key] === undefined) delete timings[key];
    this.leases = new LeaseKeeper(store, timings, (error) => this.logger.error({ err: error }, 'cannot renew the transport leases'));
    this.relay = options.relay === false ? undefined : new Relay(this);
  }

  /** The subscription of one handler: its partition workers and its low-watermark. */
  subscription(handler: MessageHandler): NatsSubscription {
    this.handlerNames.add(handler.name);
    return new NatsSubscription(this, handler);
  }

  subject(partition: number, type: string): string {
    return `${this.subjectPrefix}msg.${partition}.${type}`;
  }

  partitionFilter(partition: number): string {
    return `${this.subjectPrefix}msg.${partition}.>`;
  }

  /**
   * The key of the `checkpoints` change a partition of `handler` signals when it moves on: the
   * process keeping the handler's low-watermark listens for it.
   */
  partitionsKey(handler: string): string {
    return `${this.stream}/${handler}`;
  }

  /** Name of the relay's lease row (also the key of the `checkpoints` change its progress signals). */
  get relayLease(): string {
    return `relay:${this.stream}`;
  }

  /** Name of this process's membership lease: the partitions are shared among the members. */
  get #memberLease(): string {
    return `member:${this.stream}:${this.leases.owner}`;
  }

  /**
   * Partitions of one handler this process may hold: 16 shared among the live members, rounded up.
   * A process holding more gives the rest back, so the partitions spread over the workers.
   */
  fairShare(): number {
    return Math.ceil(PARTITIONS / Math.max(1, this.members));
  }

  start(): void {
    this.#stopped = false;
    this.#killed = false;
    this.#membership = this.#keepMembership();
    this.relay?.start();
  }

  /** Counts the members every renewal period, renewing this process's membership with its leases. */
  async #keepMembership(): Promise<void> {
    while (!this.#stopped) {
      try {
        if (!this.leases.holds(this.#memberLease)) await this.leases.acquire(this.#memberLease, () => this.#membershipWakeup.wake());
        this.members = Math.max(1, await this.leases.countLive(`member:${this.stream}:`));
      } catch (error) {
        this.logger.error({ err: error }, 'cannot count the transport members');
      }
      await this.#membershipWakeup.wait(this.leases.timings.renewMs);
    }
  }

  /** Stops as a crash would: the membership and the relay's lease are left to run out (tests). */
  async kill(): Promise<void> {
    this.#killed = true;
    this.leases.abandon(this.#memberLease);
    await this.relay?.kill();
    await this.stop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#membershipWakeup.wake();
    await this.#membership;
    await this.relay?.stop();
    if (!this.#killed) await this.leases.remove(this.#memberLease).catch(() => {});
    await this.leases.close();
    const connection = this.#connection;
    this.#connection = undefined;
    this.#streamReady = undefined;
    if (connection) {
      // Bounded: a connection still being opened (NATS unreachable) is closed whenever it opens.
      const opened = await Promise.race([connection.catch(() => undefined), new Promise<undefined>((resolve) => setTimeout(resolve, 2000))]);
      if (opened) await within(2000, opened.nc.close());
      else void connection.then(({ nc }) => nc.close(), () => {});
    }
  }

  /** The connection, opened on first use; NATS restarts are ridden out by reconnecting for ever. */
  connection(): Promise<Connection> {
    this.#connection ??= (async () => {
      const nc = await connect({ servers: this.#servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, name: 'contoso' });
      void this.#hearReconnects(nc);
      return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
    })();
    this.#connection.catch(() => {
      this.#connection = undefined;
    });
    return this.#connection;
  }

  /** Calls `listener` each time the connection is made again (after NATS restarted or the network failed). */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  async #hearReconnects(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type !== 'reconnect') continue;
      this.logger.warn({ server: status.server }, 'reconnected to NATS');
      for (const listener of [...this.#reconnectListeners]) listener();
    }
  }

  /** Creates the stream, or brings its subjects and duplicate window up to date. */
  ensureStream(): Promise<void> {
    this.#streamReady ??= (async () => {
      const { jsm } = await this.connection();
      const subjects = [`${this.subjectPrefix}msg.>`];
      const duplicateWindow = nanos(this.duplicateWindowMs);
      const maxAge = nanos(this.maxAgeMs);
      const info = await jsm.streams.info(this.stream).catch((error) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      if (!info) {
        await jsm.streams.add({ name: this.stream, subjects, storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: duplicateWindow, max_age: maxAge });
      } else if (info.config.subjects?.join(',') !== subjects.join(',') || info.config.duplicate_window !== duplicateWindow || info.config.max_age !== maxAge) {
        await jsm.streams.update(this.stream, { subjects, duplicate_window: duplicateWindow, max_age: maxAge });
      }
    })();
    this.#streamReady.catch(() => {
      this.#streamReady = undefined;
    });
    return this.#streamReady;
  }
}

/** Waits for `work`, but no longer than `ms`. */
export async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** A JetStream "not found" answer (stream or consumer). */
export function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && (error.status === 404 || error.code === 404);
}

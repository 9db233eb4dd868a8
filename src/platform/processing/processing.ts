import type { MessageRegistry } from '../messages/registry.ts';
import type { Store } from '../store/store.ts';
import { DeadLetters } from './dead-letters.ts';
import type { MessageHandler } from './handler.ts';
import { type Logger, silentLogger } from './logger.ts';
import { PauseSwitch, type RunState } from './pause-switch.ts';
import { NatsTransport, type NatsTransportOptions } from '../transport/nats/transport.ts';
import { type HandlerSubscription, type RetryPolicy, Subscription } from './subscription.ts';
import { TimerRunner, Timers } from './timers.ts';

export interface SubscriptionStatus {
  name: string;
  position: number;
  head: number;
  lagMessages: number;
  lagSeconds: number;
  processed: number;
  failures: number;
  deadLettered: number;
}

export interface ProcessingOptions {
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  idleCheckMs?: number;
  coalesceMs?: number;
  /** Deliver through NATS JetStream instead of reading the log in this process (PostgreSQL only). */
  nats?: NatsTransportOptions;
}

/**
 * The worker side of one process: every handler's subscription and the timer runner. The
 * subscriptions read the log in this process, or, with `nats`, are fed by the NATS transport.
 */
export class Processing {
  readonly timers: Timers;
  readonly deadLetters: DeadLetters;
  readonly subscriptions: HandlerSubscription[];
  /** The NATS transport (relay, leases, connection) when it delivers. */
  readonly transport: NatsTransport | undefined;
  readonly #timerRunner: TimerRunner;
  readonly #switch = new PauseSwitch({
    start: () => {
      this.transport?.start();
      for (const subscription of this.subscriptions) subscription.start();
      this.#timerRunner.start();
    },
    stop: async () => {
      await Promise.all([...this.subscriptions.map((s) => s.stop()), this.#timerRunner.stop()]);
      await this.transport?.stop();
    },
  });

  constructor(
    private readonly store: Store,
    registry: MessageRegistry,
    handlers: MessageHandler[],
    options: ProcessingOptions = {},
  ) {
    const names = new Set<string>();
    for (const handler of handlers) {
      if (names.has(handler.name)) throw new Error(`Two handlers are named ${handler.name}`);
      names.add(handler.name);
    }
    const logger = options.logger ?? silentLogger;
    this.timers = new Timers(store);
    this.deadLetters = new DeadLetters(store);
    const transport = options.nats
      ? new NatsTransport(store, registry, options.nats, { logger, retry: options.retry, idleCheckMs: options.idleCheckMs })
      : undefined;
    this.transport = transport;
    this.subscriptions = handlers.map((handler) =>
      transport
        ? transport.subscription(handler)
        : new Subscription(store, registry, handler, { logger, retry: options.retry, idleCheckMs: options.idleCheckMs, coalesceMs: options.coalesceMs }),
    );
    this.#timerRunner = new TimerRunner(store, this.timers, {
      idleCheckMs: options.idleCheckMs,
      onError: (error) => logger.error({ err: error }, 'timer runner failed; retrying'),
    });
  }

  /** Starts every subscription and the timers (unless paused: then on {@link resume}). */
  start(): void {
    this.#switch.start();
  }

  /** Finishes the messages in hand, then stops every subscription and the timers. */
  stop(): Promise<void> {
    return this.#switch.stop();
  }

  /**
   * Maintenance (DOMAIN 7.4): finishes the messages in hand, then takes no new ones and fires no
   * timers until {@link resume}; what is logged meanwhile waits in the log.
   */
  pause(): Promise<void> {
    return this.#switch.pause();
  }

  resume(): Promise<void> {
    return this.#switch.resume();
  }

  /** `paused` once the messages in hand are finished after a {@link pause}. */
  get state(): RunState {
    return this.#switch.state;
  }

  subscription(name: string): HandlerSubscription {
    const found = this.subscriptions.find((s) => s.name === name);
    if (!found) throw new Error(`No handler named ${name}`);
    return found;
  }

  /** Read-your-writes: waits (bounded) until a handler has dealt with every entry up to `position`. */
  waitFor(name: string, position: number, timeoutMs: number): Promise<boolean> {
    return this.subscription(name).waitFor(position, timeoutMs);
  }

  /**
   * Each subscription's position and lag. The positions are taken before the head: work still
   * passing from handler to handler (an entry committed, its handler not done with it) then always
   * shows as lag somewhere — taken after, a chain could move past a late position read and commit
   * its next entry above an early head, and every lag would read 0 while work is in flight.
   */
  async status(): Promise<SubscriptionStatus[]> {
    const seen = this.subscriptions.map((s) => s.seen);
    const head = await this.store.headPosition();
    return Promise.all(
      this.subscriptions.map(async (s, index) => {
        const position = seen[index];
        const behind = await this.store.readLog({ after: position, limit: 1, types: s.storedTypes, untilPosition: head });
        const oldest = behind[0]?.metadata.createdAt;
        return {
          name: s.name,
          position,
          head,
          lagMessages: await this.store.countLog(position, head, s.storedTypes),
          lagSeconds: oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0,
          processed: s.processed,
          failures: s.failures,
          deadLettered: s.deadLettered,
        };
      }),
    );
  }
}

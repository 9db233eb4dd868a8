import type { ChangeTopic } from '../store/dialect.ts';
import type { Store } from '../store/store.ts';
import { Wakeup } from './wakeup.ts';

/** Stored work that falls due at given times (timers, e-mails to send). */
export interface DueWork {
  /** Does what is due at `now` and may be claimed; answers how many items it dealt with. */
  runDue(now: Date): Promise<number>;
  /** When the earliest pending item is due, if any (also items other workers hold). */
  nextDue(): Promise<Date | undefined>;
}

export interface DueLoopOptions {
  /** Longest sleep: the re-check for changes no notification reports (default 5 s). */
  idleCheckMs?: number;
  onError?: (error: unknown) => void;
}

/** How soon the loop looks again at due items another worker has claimed. */
const CLAIMED_RECHECK_MS = 200;

/**
 * A background loop over {@link DueWork}: runs what is due, then sleeps until the next due time, a
 * change on `topic` (this process or, on PostgreSQL, any) or the idle re-check, whichever comes
 * first. It never busy-polls; after a failure it backs off (0.2 s doubling to 5 s).
 */
export class DueLoop {
  readonly #wakeup = new Wakeup();
  #running: Promise<void> | undefined;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly topic: ChangeTopic,
    private readonly work: DueWork,
    private readonly options: DueLoopOptions = {},
  ) {}

  start(): void {
    if (this.#running) return;
    this.#stopped = false;
    this.#unsubscribe = this.store.onChange(this.topic, () => this.#wakeup.wake());
    this.#running = this.#loop();
  }

  /** Lets the round in hand finish, then stops. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#wakeup.wake();
    await this.#running;
    this.#running = undefined;
  }

  async #loop(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      try {
        const now = new Date();
        const done = await this.work.runDue(now);
        failures = 0;
        if (done > 0) continue;
        const next = await this.work.nextDue();
        const idle = this.options.idleCheckMs ?? 5000;
        let wait = next ? Math.min(Math.max(next.getTime() - Date.now(), 0), idle) : idle;
        // Due when runDue looked, yet not taken: another worker holds it (SKIP LOCKED). Its commit
        // wakes this loop; look again after a pause in case it rolls back, rather than spinning.
        if (next && next.getTime() <= now.getTime()) wait = Math.min(CLAIMED_RECHECK_MS, idle);
        if (wait > 0) await this.#wakeup.wait(wait);
      } catch (error) {
        this.options.onError?.(error);
        failures++;
        await this.#wakeup.wait(Math.min(100 * 2 ** failures, 5000));
      }
    }
  }
}

import { setTimeout as delay } from 'node:timers/promises';
import type { Change, ChangeTopic } from './dialect.ts';

/** Keys a topic gathers before one notification; beyond them it goes without keys (everyone wakes). */
const MAX_KEYS = 200;

/**
 * Tells other processes about commits, after they happen and off the committing caller's path.
 * The first commit after a quiet spell is announced at once; changes that arrive while a
 * notification is on its way, or within `gapMs` after it, are sent together in the next one (their
 * keys merged; a change without keys absorbs the keys of its topic). So a busy store sends at most
 * one notification per gap however many transactions it commits — on PostgreSQL, NOTIFY inside
 * every write transaction would serialise the commits on the notification queue's lock (measured:
 * a quarter of the throughput of 8 writers).
 * A lost notification (a crash right after commit, the database unreachable) only delays readers
 * until their idle check.
 */
export class Announcer {
  /** Topics to announce with their keys; `undefined`: without keys. */
  readonly #pending = new Map<ChangeTopic, Set<string> | undefined>();
  #sending: Promise<void> | undefined;

  constructor(
    private readonly send: (changes: Change[]) => Promise<void>,
    private readonly gapMs = 5,
  ) {}

  announce(changes: Iterable<Change>): void {
    for (const { topic, keys } of changes) {
      const gathered = this.#pending.get(topic);
      if (this.#pending.has(topic) && gathered === undefined) continue;
      if (keys === undefined || keys.length === 0 || (gathered?.size ?? 0) + keys.length > MAX_KEYS) {
        this.#pending.set(topic, undefined);
        continue;
      }
      const set = gathered ?? new Set<string>();
      for (const key of keys) set.add(key);
      this.#pending.set(topic, set);
    }
    if (this.#sending === undefined && this.#pending.size > 0) this.#sending = this.#drain();
  }

  /** Resolves once everything announced so far has been sent (or failed to be). */
  async settled(): Promise<void> {
    await this.#sending;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.size > 0) {
        const changes = [...this.#pending].map(([topic, keys]): Change => (keys ? { topic, keys: [...keys] } : { topic }));
        this.#pending.clear();
        await this.send(changes).catch(() => {});
        await delay(this.gapMs);
      }
    } finally {
      this.#sending = undefined;
    }
  }
}

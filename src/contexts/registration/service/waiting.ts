/**
 * Read-your-writes for the registrant's views (API.md "Commands and waiting"): a view is read again
 * each time a read model commits a change to its flow (the order's correlation id) — in this
 * process, or elsewhere through the store's notifications — until it is what the caller waits for
 * or the time is up; and at least every second, should a signal be lost.
 */
import type { MessageHandler } from '../../../platform/processing/handler.ts';
import { type HandlerProgress, RECHECK_MS } from '../../../platform/processing/progress.ts';
import { Wakeup } from '../../../platform/processing/wakeup.ts';
import type { Store } from '../../../platform/store/store.ts';

/** What a wait came to: the last value read, and whether it is what was waited for. */
export interface WaitOutcome<T> {
  value: T;
  ready: boolean;
}

/** A deadline in milliseconds since the epoch; what is left of it. */
export class Deadline {
  readonly #at: number;
  constructor(waitMs: number) {
    this.#at = Date.now() + Math.max(0, waitMs);
  }
  get left(): number {
    return Math.max(0, this.#at - Date.now());
  }
}

/**
 * Reads with `read` until `ready` holds, re-reading on every `read_models` commit signal about
 * `flow` (a correlation id; every commit when undefined), until the deadline. The listener is in
 * place before the first read, so no commit between a read and the wait is missed.
 */
export async function readUntil<T>(
  store: Store,
  read: () => Promise<T>,
  ready: (value: T) => boolean,
  deadline: Deadline,
  flow?: string,
): Promise<WaitOutcome<T>> {
  const wakeup = new Wakeup();
  const stop = store.onChange('read_models', () => wakeup.wake(), flow);
  try {
    for (;;) {
      const value = await read();
      if (ready(value)) return { value, ready: true };
      const left = deadline.left;
      if (left <= 0) return { value, ready: false };
      await wakeup.wait(Math.min(left, RECHECK_MS));
    }
  } finally {
    stop();
  }
}

/**
 * Waits until every handler has dealt with the log up to `position` (none when it is undefined);
 * false when the deadline came first.
 */
export async function handlersReached(
  progress: HandlerProgress,
  handlers: ReadonlyArray<Pick<MessageHandler, 'name' | 'types'>>,
  position: number | undefined,
  deadline: Deadline,
): Promise<boolean> {
  if (position === undefined) return true;
  return progress.waitFor(handlers, position, deadline.left);
}

import type { MessageRegistry } from '../messages/registry.ts';
import type { ChangeTopic } from '../store/dialect.ts';
import type { Store } from '../store/store.ts';
import type { MessageHandler } from './handler.ts';
import type { Processing } from './processing.ts';
import { Wakeup } from './wakeup.ts';

/**
 * Signals after which a handler running elsewhere may have moved on: its own commits (projections
 * add `read_models` to their transactions), new log entries (perhaps none of its types) and dead
 * letters (a dead-lettered message moves the checkpoint too).
 */
const PROGRESS_TOPICS: readonly ChangeTopic[] = ['read_models', 'messages', 'dead_letters'];

/**
 * Read-your-writes on a handler, whatever the process's role (ARCHITECTURE 7). When this process
 * runs the handler, its subscription answers. Otherwise (a web-only process) the handler's
 * checkpoint is read, and read again whenever the store signals a change, until the handler has
 * dealt with every log entry up to the position or the time is up. No polling, except briefly while
 * an older PostgreSQL transaction holds entries below the position back.
 */
export class HandlerProgress {
  constructor(
    private readonly store: Store,
    private readonly registry: MessageRegistry,
    private readonly processing?: Processing,
  ) {}

  /** Resolves true once `handler` has dealt with every log entry up to `position`, false on time-out. */
  async waitFor(handler: Pick<MessageHandler, 'name' | 'types'>, position: number, timeoutMs: number): Promise<boolean> {
    const local = this.processing?.subscriptions.find((subscription) => subscription.name === handler.name);
    if (local) return local.waitFor(position, timeoutMs);
    const types = handler.types.flatMap((type) => this.registry.storedNamesOf(type));
    const wakeup = new Wakeup();
    const unsubscribe = PROGRESS_TOPICS.map((topic) => this.store.onChange(topic, () => wakeup.wake()));
    const deadline = Date.now() + timeoutMs;
    try {
      for (let backoffMs = 5; ; ) {
        const progress = await this.#progress(handler.name, types, position);
        if (progress === 'passed') return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        if (progress === 'held-back') {
          // Nothing signals when the older transaction ends: look again shortly (as subscriptions do).
          await wakeup.wait(Math.min(left, backoffMs));
          backoffMs = Math.min(backoffMs * 2, 1000);
        } else {
          await wakeup.wait(left);
        }
      }
    } finally {
      for (const stop of unsubscribe) stop();
    }
  }

  /**
   * The checkpoint is the last entry of the handler's types it dealt with: it has passed `position`
   * when the checkpoint is there, or when no entry of its types lies between them. Entries up to
   * `position` must be visible to readers: on PostgreSQL an older transaction still running may
   * hold them back ('held-back').
   */
  async #progress(name: string, types: readonly string[], position: number): Promise<'passed' | 'behind' | 'held-back'> {
    if ((await this.store.headPosition()) < position) {
      const written = await this.store.db
        .selectFrom('messages')
        .select((eb) => eb.fn.max('position').as('written'))
        .executeTakeFirst();
      return Number(written?.written ?? 0) >= position ? 'held-back' : 'behind';
    }
    const row = await this.store.db.selectFrom('checkpoints').select('position').where('name', '=', name).executeTakeFirst();
    const checkpoint = Number(row?.position ?? 0);
    if (checkpoint >= position) return 'passed';
    const pending = await this.store.readLog({ after: checkpoint, limit: 1, types, untilPosition: position });
    return pending.length === 0 ? 'passed' : 'behind';
  }
}

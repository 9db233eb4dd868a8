import type { MessageRegistry } from '../messages/registry.ts';
import type { Store, Tx } from '../store/store.ts';
import type { MessageHandler } from './handler.ts';
import type { Processing } from './processing.ts';
import { Wakeup } from './wakeup.ts';

/** A waiter looks again this often even without a signal (one lost, or a change nobody signals). */
export const RECHECK_MS = 1000;

/**
 * Tells waiters, in this process and others, that a checkpoint moved (in `tx`): a handler's (its
 * name), or on the NATS transport the relay's or a handler's partitions' (their keys).
 */
export function checkpointMoved(tx: Tx, key: string): void {
  tx.topics.add('checkpoints');
  tx.touch('checkpoints', key);
}

/**
 * Read-your-writes on a handler, whatever the process's role (ARCHITECTURE 7). When this process
 * runs the handler, its subscription answers. Otherwise (a web-only process) the handler's
 * checkpoint is read, and read again whenever the store signals that it moved ({@link
 * checkpointMoved}; other handlers' progress does not wake the waiter), until the handler has dealt
 * with every log entry up to the position or the time is up. While the position is not yet below
 * the log's read horizon (an older PostgreSQL transaction holds entries back), new log entries wake
 * it and it looks again shortly; and it looks at least every second whatever happens.
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
    let waitingForLog = false;
    const unsubscribe = [
      this.store.onChange('checkpoints', () => wakeup.wake(), handler.name),
      this.store.onChange('messages', () => waitingForLog && wakeup.wake()),
    ];
    const deadline = Date.now() + timeoutMs;
    try {
      for (let backoffMs = 5; ; ) {
        const progress = await this.#progress(handler.name, types, position);
        if (progress === 'passed') return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        waitingForLog = progress !== 'behind';
        if (progress === 'held-back') {
          // Nothing signals when the older transaction ends: look again shortly (as subscriptions do).
          await wakeup.wait(Math.min(left, backoffMs));
          backoffMs = Math.min(backoffMs * 2, RECHECK_MS);
        } else {
          await wakeup.wait(Math.min(left, RECHECK_MS));
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
   * hold them back ('held-back'); a position nobody has written yet is 'unwritten'.
   */
  async #progress(name: string, types: readonly string[], position: number): Promise<'passed' | 'behind' | 'held-back' | 'unwritten'> {
    // One statement (one round trip, one snapshot): the readable head, the last entry written, the checkpoint.
    const row = await this.store.db
      .selectNoFrom((eb) => [
        this.store.headQuery().as('head'),
        eb.selectFrom('messages').select((m) => m.fn.max('position').as('position')).as('written'),
        eb.selectFrom('checkpoints').select('position').where('name', '=', name).as('checkpoint'),
      ])
      .executeTakeFirstOrThrow();
    if (Number(row.head ?? 0) < position) return Number(row.written ?? 0) >= position ? 'held-back' : 'unwritten';
    const checkpoint = Number(row.checkpoint ?? 0);
    if (checkpoint >= position) return 'passed';
    const pending = await this.store.readLog({ after: checkpoint, limit: 1, types, untilPosition: position });
    return pending.length === 0 ? 'passed' : 'behind';
  }
}

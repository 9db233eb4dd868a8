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
 * Read-your-writes on handlers, whatever the process's role (ARCHITECTURE 7). When this process
 * runs a handler, its subscription answers. Otherwise (a web-only process) the handlers'
 * checkpoints are read — all of them in one statement — and read again whenever the store signals
 * that one of them moved ({@link checkpointMoved}; other handlers' progress does not wake the
 * waiter), until every handler has dealt with every log entry up to the position or the time is
 * up. While nobody has written the position yet, new log entries wake it; while it is written but not
 * yet below the log's read horizon (an older PostgreSQL transaction holds entries back), it looks
 * again shortly, backing off — other processes' new entries say nothing about that older
 * transaction, and under load they come every few milliseconds; and it looks at least every second
 * whatever happens.
 */
export class HandlerProgress {
  constructor(
    private readonly store: Store,
    private readonly registry: MessageRegistry,
    private readonly processing?: Processing,
  ) {}

  /** Resolves true once every one of `handlers` has dealt with every log entry up to `position`, false on time-out. */
  async waitFor(handlers: ReadonlyArray<Pick<MessageHandler, 'name' | 'types'>>, position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const remote: Array<{ name: string; types: string[] }> = [];
    for (const handler of handlers) {
      const local = this.processing?.subscriptions.find((subscription) => subscription.name === handler.name);
      if (!local) remote.push({ name: handler.name, types: handler.types.flatMap((type) => this.registry.storedNamesOf(type)) });
      else if (!(await local.waitFor(position, Math.max(0, deadline - Date.now())))) return false;
    }
    if (remote.length === 0) return true;
    const wakeup = new Wakeup();
    let unwritten = false;
    const unsubscribe = [
      ...remote.map(({ name }) => this.store.onChange('checkpoints', () => wakeup.wake(), name)),
      this.store.onChange('messages', () => unwritten && wakeup.wake()),
    ];
    try {
      for (let backoffMs = 5; ; ) {
        const progress = await this.#progress(remote, position);
        if (progress === 'passed') return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        unwritten = progress === 'unwritten';
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
   * A handler's checkpoint is the last entry of its types it dealt with: it has passed `position`
   * when the checkpoint is there, or when no entry of its types lies between them. Entries up to
   * `position` must be visible to readers: on PostgreSQL an older transaction still running may
   * hold them back ('held-back'); a position nobody has written yet is 'unwritten'.
   */
  async #progress(handlers: ReadonlyArray<{ name: string; types: readonly string[] }>, position: number): Promise<'passed' | 'behind' | 'held-back' | 'unwritten'> {
    // One statement (one round trip, one snapshot): the readable head, the last entry written, each checkpoint.
    const row: Record<string, unknown> = await this.store.db
      .selectNoFrom((eb) => [
        this.store.headQuery().as('head'),
        eb.selectFrom('messages').select((m) => m.fn.max('position').as('position')).as('written'),
        ...handlers.map(({ name }, index) => eb.selectFrom('checkpoints').select('position').where('name', '=', name).as(`checkpoint${index}`)),
      ])
      .executeTakeFirstOrThrow();
    if (Number(row.head ?? 0) < position) return Number(row.written ?? 0) >= position ? 'held-back' : 'unwritten';
    for (const [index, { types }] of handlers.entries()) {
      const checkpoint = Number(row[`checkpoint${index}`] ?? 0);
      if (checkpoint >= position) continue;
      const pending = await this.store.readLog({ after: checkpoint, limit: 1, types, untilPosition: position });
      if (pending.length > 0) return 'behind';
    }
    return 'passed';
  }
}

import type { Message } from '../messages/envelope.ts';
import type { Store, Tx } from '../store/store.ts';
import { Wakeup } from './wakeup.ts';

export interface PendingTimer {
  id: string;
  type: string;
  targetId: string;
  dueAt: string;
}

/**
 * Durable timers: a queued command that is sent when due. The timer id is the command's message id,
 * so a timer that fires twice (a crash between sending and forgetting it) logs its command once.
 */
export class Timers {
  constructor(private readonly store: Store) {}

  async schedule(tx: Tx, command: Message, dueAt: Date): Promise<void> {
    if (!command.metadata.target) throw new Error(`Timer command ${command.type} has no target`);
    await tx.db
      .insertInto('timers')
      .values({
        id: command.metadata.messageId,
        due_at: dueAt.toISOString(),
        type: command.type,
        target: command.metadata.target,
        command: JSON.stringify(command),
        created_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    tx.topics.add('timers');
  }

  /** True when a pending timer was cancelled. */
  async cancel(tx: Tx, id: string): Promise<boolean> {
    const result = await tx.db.deleteFrom('timers').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Pending timers, earliest first. */
  async list(options: { dueBefore?: string; limit?: number } = {}): Promise<PendingTimer[]> {
    let query = this.store.db
      .selectFrom('timers')
      .select(['id', 'type', 'target', 'due_at'])
      .orderBy('due_at')
      .orderBy('id')
      .limit(options.limit ?? 100);
    if (options.dueBefore !== undefined) query = query.where('due_at', '<', options.dueBefore);
    const rows = await query.execute();
    return rows.map((row) => ({ id: row.id, type: row.type, targetId: row.target, dueAt: row.due_at }));
  }

  async countDue(now = new Date()): Promise<number> {
    const row = await this.store.db
      .selectFrom('timers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('due_at', '<=', now.toISOString())
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * Sends the commands of due timers (never before they are due) and forgets the timers, in one
   * transaction per batch. Several workers may run this at once: rows are claimed with SKIP LOCKED.
   * Answers how many fired.
   */
  async fireDue(now = new Date(), batchSize = 100): Promise<number> {
    return this.store.transaction(async (tx) => {
      let query = tx.db
        .selectFrom('timers')
        .select(['id', 'command'])
        .where('due_at', '<=', now.toISOString())
        .orderBy('due_at')
        .limit(batchSize);
      if (this.store.dialect.skipLocked) query = query.forUpdate().skipLocked();
      const due = await query.execute();
      if (due.length === 0) return 0;
      await this.store.append(
        tx,
        due.map((row) => JSON.parse(row.command) as Message),
      );
      await tx.db
        .deleteFrom('timers')
        .where(
          'id',
          'in',
          due.map((row) => row.id),
        )
        .execute();
      return due.length;
    });
  }

  /** When the earliest pending timer is due, if any. */
  async nextDue(): Promise<Date | undefined> {
    const row = await this.store.db
      .selectFrom('timers')
      .select((eb) => eb.fn.min('due_at').as('due'))
      .executeTakeFirst();
    return row?.due ? new Date(row.due) : undefined;
  }
}

/** How soon a runner looks again at due timers another worker has claimed. */
const CLAIMED_RECHECK_MS = 200;

/** Fires timers as they fall due, woken by new timers (this process or, on PostgreSQL, any). */
export class TimerRunner {
  readonly #wakeup = new Wakeup();
  #running: Promise<void> | undefined;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;
  fired = 0;

  constructor(
    private readonly store: Store,
    private readonly timers: Timers,
    private readonly options: { idleCheckMs?: number; onError?: (error: unknown) => void } = {},
  ) {}

  start(): void {
    if (this.#running) return;
    this.#stopped = false;
    this.#unsubscribe = this.store.onChange('timers', () => this.#wakeup.wake());
    this.#running = this.#loop();
  }

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
        const fired = await this.timers.fireDue(now);
        this.fired += fired;
        failures = 0;
        if (fired > 0) continue;
        const next = await this.timers.nextDue();
        const idle = this.options.idleCheckMs ?? 5000;
        let wait = next ? Math.min(Math.max(next.getTime() - Date.now(), 0), idle) : idle;
        // Due when fireDue looked, yet not fired: another worker holds it (SKIP LOCKED). Its commit
        // wakes this runner; look again after a pause in case it rolls back, rather than spinning.
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

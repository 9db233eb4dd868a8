import type { Message } from '../messages/envelope.ts';
import type { Store, Tx } from '../store/store.ts';
import { DueLoop, type DueLoopOptions } from './due-loop.ts';

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
    }, { durable: false });
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

/** Fires timers as they fall due, woken by new timers (this process or, on PostgreSQL, any). */
export class TimerRunner {
  readonly #loop: DueLoop;
  fired = 0;

  constructor(store: Store, timers: Timers, options: DueLoopOptions = {}) {
    const work = {
      runDue: async (now: Date) => {
        const fired = await timers.fireDue(now);
        this.fired += fired;
        return fired;
      },
      nextDue: () => timers.nextDue(),
    };
    this.#loop = new DueLoop(store, 'timers', work, options);
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }
}

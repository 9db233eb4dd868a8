import { newOperatorAction } from '../messages/factory.ts';
import type { Store } from '../store/store.ts';

export interface DeadLetter {
  id: string;
  handler: string;
  messageId: string;
  position: number;
  type: string;
  sourceKey: string;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  retryRequested: boolean;
  /** Messages of the same source parked behind this one for its handler (DOMAIN 7.3). */
  waitingBehind: number;
}

/** Ids and handler names never hold NUL, which PostgreSQL text cannot even be compared with: such a selection finds nothing. */
const storable = (text: string) => !text.includes('\u0000');

/** The operator's view of the dead-letter lists of every handler: inspect, retry, discard. */
export class DeadLetters {
  constructor(private readonly store: Store) {}

  async list(options: { handler?: string; limit?: number } = {}): Promise<DeadLetter[]> {
    if (options.handler !== undefined && !storable(options.handler)) return [];
    let query = this.store.db
      .selectFrom('dead_letters as d')
      .selectAll('d')
      .select((eb) =>
        eb
          .selectFrom('parked_messages as p')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('p.handler', '=', 'd.handler')
          .whereRef('p.source_key', '=', 'd.source_key')
          .whereRef('p.position', '>', 'd.position')
          .as('waiting'),
      )
      .orderBy('d.position')
      .orderBy('d.handler')
      .limit(options.limit ?? 1000);
    if (options.handler !== undefined) query = query.where('d.handler', '=', options.handler);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      handler: row.handler,
      messageId: row.message_id,
      position: Number(row.position),
      type: row.type,
      sourceKey: row.source_key,
      error: row.error,
      attempts: row.attempts,
      firstFailedAt: row.first_failed_at,
      lastFailedAt: row.last_failed_at,
      retryRequested: row.retry_requested === 1,
      waitingBehind: Number(row.waiting ?? 0),
    }));
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    return (await this.list()).find((letter) => letter.id === id);
  }

  async count(): Promise<Record<string, number>> {
    const rows = await this.store.db
      .selectFrom('dead_letters')
      .select(['handler', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('handler')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.handler, Number(row.n)]));
  }

  /**
   * Asks the handlers to deliver these dead letters again (one attempt each), logged as an operator
   * action; the answer is the number of dead letters found. Works across processes: the running
   * handler picks the request up.
   */
  async retry(selection: { ids?: string[]; handler?: string }): Promise<number> {
    if (!selection.ids?.length && selection.handler === undefined) return 0;
    const ids = selection.ids?.filter(storable);
    if ((selection.ids?.length && !ids?.length) || (selection.handler !== undefined && !storable(selection.handler))) return 0;
    const updated = await this.store.transaction(async (tx) => {
      let query = tx.db.updateTable('dead_letters').set({ retry_requested: 1 });
      if (ids?.length) query = query.where('id', 'in', ids);
      if (selection.handler !== undefined) query = query.where('handler', '=', selection.handler);
      const updated = Number((await query.executeTakeFirst()).numUpdatedRows);
      if (updated === 0) return 0;
      const target = ids?.length ? ids.join(',') : `handler:${selection.handler}`;
      await this.store.append(tx, [newOperatorAction({ action: 'retry-dead-letter', target, reason: null })]);
      tx.topics.add('dead_letters');
      return updated;
    });
    return updated;
  }

  /**
   * Drops a dead letter for good, logged as an operator action with the reason; the messages parked
   * behind it are then delivered to the handler. False when there is no such dead letter.
   */
  async discard(id: string, reason: string): Promise<boolean> {
    if (!storable(id)) return false;
    return this.store.transaction(async (tx) => {
      const row = await tx.db.deleteFrom('dead_letters').where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) return false;
      await this.store.append(tx, [
        newOperatorAction({ action: 'discard-dead-letter', target: `${row.handler}:${row.message_id}`, reason }),
      ]);
      tx.topics.add('dead_letters');
      return true;
    });
  }
}

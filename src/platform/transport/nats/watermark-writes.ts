import { sql } from 'kysely';
import { checkpointMoved } from '../../processing/progress.ts';
import type { NatsTransport } from './transport.ts';

/**
 * Moves handlers' checkpoints up to their new low-watermarks, several handlers in one statement:
 * the writes asked for while one is under way go together in the next (the handlers of a process
 * look at their low-watermarks at about the same moments — when the relay moves on — so most of
 * their writes meet). A checkpoint never moves back; rows are written in name order, so two
 * processes writing the same rows cannot deadlock.
 */
export class WatermarkWrites {
  readonly #pending = new Map<string, number>();
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(private readonly transport: NatsTransport) {}

  /** Resolves once the handler's checkpoint is at least `position`. */
  write(handler: string, position: number): Promise<void> {
    this.#pending.set(handler, Math.max(position, this.#pending.get(handler) ?? 0));
    this.#next ??= (this.#running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        const rows = [...this.#pending].sort(([a], [b]) => (a < b ? -1 : 1));
        this.#pending.clear();
        this.#running = this.#write(rows).finally(() => {
          this.#running = undefined;
        });
        return this.#running;
      });
    return this.#next;
  }

  async #write(rows: Array<[string, number]>): Promise<void> {
    const updatedAt = new Date().toISOString();
    await this.transport.store.transaction(
      async (tx) => {
        await tx.db
          .insertInto('checkpoints')
          .values(rows.map(([name, position]) => ({ name, position, updated_at: updatedAt })))
          .onConflict((oc) =>
            oc.column('name').doUpdateSet({
              position: sql<number>`CASE WHEN excluded.position > checkpoints.position THEN excluded.position ELSE checkpoints.position END`,
              updated_at: updatedAt,
            }),
          )
          .execute();
        for (const [name] of rows) checkpointMoved(tx, name);
      },
      { durable: false },
    );
  }
}

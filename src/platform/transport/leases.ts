import { sql } from 'kysely';
import { newId } from '../messages/ids.ts';
import { DeliveryAborted } from '../processing/handler-runner.ts';
import type { Store, Tx } from '../store/store.ts';
import { transportDb } from './schema.ts';

/** The lease is no longer this worker's: what it did under it rolls back. */
export class LeaseLost extends DeliveryAborted {
  override readonly name = 'LeaseLost';
}

export interface LeaseTimings {
  /** How long a lease lasts without renewal; another worker takes it over after that. */
  leaseMs: number;
  /** How often the holder renews its leases (well below {@link leaseMs}). */
  renewMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { leaseMs: 15_000, renewMs: 5_000 };

/**
 * The database's clock in epoch milliseconds, read when the statement runs. Every lease expiry is
 * written and compared on this one clock, so the workers' machine clocks may disagree.
 */
export const databaseNowMs = () => sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export interface LeaseRow {
  position: number;
  sequence: number;
}

/**
 * This process's leases in `transport_leases` (the relay's, one per handler and partition), renewed
 * together in one statement every `renewMs`. Expiry is kept on the database's clock; a lease counts
 * as held here only until `leaseMs` minus a safety margin after its last renewal began (on this
 * process's clock, as a duration), so its holder stops before anyone may take it over;
 * work done under a lease is fenced by {@link save}, which fails once the lease is someone else's.
 */
export class LeaseKeeper {
  readonly owner = newId();
  readonly timings: LeaseTimings;
  readonly #held = new Map<string, { validUntil: number; onLost: () => void }>();
  /** Lease rows known to exist. */
  readonly #rows = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    timings: Partial<LeaseTimings> = {},
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.timings = { ...DEFAULT_LEASE_TIMINGS, ...timings };
  }

  get #margin(): number {
    return Math.min(1000, this.timings.leaseMs / 4);
  }

  /**
   * Takes the lease when it is free, expired or already ours. A new row starts at `initialPosition()`.
   * `onLost` is called when a renewal finds the lease gone.
   */
  async acquire(name: string, onLost: () => void, initialPosition: () => Promise<number> = async () => 0): Promise<boolean> {
    const db = transportDb(this.store.db);
    for (let attempt = 0; ; attempt++) {
      if (!this.#rows.has(name)) {
        // Inserted unexpired: a row that never ran out is not one {@link countLive} clears away.
        await db
          .insertInto('transport_leases')
          .values({ name, owner: null, expires_at: databaseNowMs(), position: await initialPosition(), sequence: 0, updated_at: new Date().toISOString() })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        this.#rows.add(name);
      }
      const startedAt = Date.now();
      const result = await db
        .updateTable('transport_leases')
        .set({ owner: this.owner, expires_at: sql<number>`${databaseNowMs()} + ${this.timings.leaseMs}`, updated_at: new Date().toISOString() })
        .where('name', '=', name)
        .where((eb) => eb.or([eb('owner', 'is', null), eb('owner', '=', this.owner), eb('expires_at', '<', databaseNowMs())]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) {
        this.#held.set(name, { validUntil: startedAt + this.timings.leaseMs - this.#margin, onLost });
        this.#timer ??= setInterval(() => void this.#renewAll(), this.timings.renewMs).unref();
        return true;
      }
      // Held by another worker — or the row is gone (a membership that ran out long ago was cleared):
      // then it is made again.
      const exists = await db.selectFrom('transport_leases').select('name').where('name', '=', name).executeTakeFirst();
      if (exists || attempt > 0) return false;
      this.#rows.delete(name);
    }
  }

  /** Whether this process may still work under the lease. */
  holds(name: string): boolean {
    const lease = this.#held.get(name);
    return lease !== undefined && Date.now() < lease.validUntil;
  }

  async row(name: string): Promise<LeaseRow> {
    const row = await transportDb(this.store.db)
      .selectFrom('transport_leases')
      .select(['position', 'sequence'])
      .where('name', '=', name)
      .executeTakeFirst();
    return { position: Number(row?.position ?? 0), sequence: Number(row?.sequence ?? 0) };
  }

  /** Saves how far the holder got, in `tx`; throws {@link LeaseLost} when the lease is not ours any more. */
  async save(tx: Tx, name: string, progress: Partial<LeaseRow>): Promise<void> {
    if (!this.holds(name)) throw new LeaseLost(`The lease ${name} is not held`);
    const result = await transportDb(tx.db)
      .updateTable('transport_leases')
      .set({ ...progress, updated_at: new Date().toISOString() })
      .where('name', '=', name)
      .where('owner', '=', this.owner)
      .where('expires_at', '>', databaseNowMs())
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new LeaseLost(`The lease ${name} was taken over`);
  }

  /** Gives the lease up at once (a clean stop): another worker may take it without waiting. */
  async release(name: string): Promise<void> {
    this.#held.delete(name);
    await transportDb(this.store.db)
      .updateTable('transport_leases')
      .set({ owner: null, expires_at: 0, updated_at: new Date().toISOString() })
      .where('name', '=', name)
      .where('owner', '=', this.owner)
      .execute();
  }

  /** Gives the lease up and deletes its row (leases that are not reused, such as memberships). */
  async remove(name: string): Promise<void> {
    this.#held.delete(name);
    this.#rows.delete(name);
    await transportDb(this.store.db).deleteFrom('transport_leases').where('name', '=', name).where('owner', '=', this.owner).execute();
  }

  /** Unexpired leases whose names start with `prefix`; rows that ran out long ago are deleted. */
  async countLive(prefix: string): Promise<number> {
    const db = transportDb(this.store.db);
    await db
      .deleteFrom('transport_leases')
      .where('name', 'like', `${prefix}%`)
      .where('expires_at', '<', sql<number>`${databaseNowMs()} - ${10 * this.timings.leaseMs}`)
      .execute();
    const row = await db
      .selectFrom('transport_leases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('name', 'like', `${prefix}%`)
      .where('owner', 'is not', null)
      .where('expires_at', '>', databaseNowMs())
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Stops renewing the lease without releasing it (what a crash leaves behind). */
  abandon(name: string): void {
    this.#held.delete(name);
  }

  /** Stops the renewals; leases still held run out. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#renewing;
  }

  async #renewAll(): Promise<void> {
    if (this.#renewing || this.#held.size === 0) return;
    const names = [...this.#held.keys()];
    const startedAt = Date.now();
    this.#renewing = (async () => {
      try {
        const renewed = await transportDb(this.store.db)
          .updateTable('transport_leases')
          .set({ expires_at: sql<number>`${databaseNowMs()} + ${this.timings.leaseMs}` })
          .where('name', 'in', names)
          .where('owner', '=', this.owner)
          .returning('name')
          .execute();
        const kept = new Set(renewed.map((row) => row.name));
        for (const name of names) {
          const lease = this.#held.get(name);
          if (!lease) continue;
          if (kept.has(name)) {
            lease.validUntil = startedAt + this.timings.leaseMs - this.#margin;
          } else {
            this.#held.delete(name);
            lease.onLost();
          }
        }
      } catch (error) {
        // The leases run out unless a later renewal gets through; their holders stop in time.
        this.onError(error);
      } finally {
        this.#renewing = undefined;
      }
    })();
    await this.#renewing;
  }
}

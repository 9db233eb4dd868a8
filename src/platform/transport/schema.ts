import type { Kysely } from 'kysely';
import type { Executor } from '../store/dialect.ts';
import type { MigrationSet } from '../store/migrations.ts';

/**
 * Leases of the distributed transport, one row each: the relay's (`relay:<stream>`) and one per
 * handler and partition (`<stream>/<handler>/<partition>`). The holder renews `expires_at`; once it
 * has passed, another worker may take the lease over. The row also keeps how far its holder got.
 */
export interface TransportLeasesTable {
  name: string;
  /** Null once released. */
  owner: string | null;
  /** Epoch milliseconds. */
  expires_at: number;
  /** Relay: last log position published. Partition: last log position handled (its checkpoint). */
  position: number;
  /** Partition: stream sequence of the last message handled, where its consumer resumes. */
  sequence: number;
  updated_at: string;
}

export interface TransportDatabase {
  transport_leases: TransportLeasesTable;
}

export function transportDb(executor: Executor): Kysely<TransportDatabase> {
  return executor as unknown as Kysely<TransportDatabase>;
}

export const transportMigrations: MigrationSet = (dialect) => ({
  '0012-transport-leases': {
    async up(db: Kysely<unknown>) {
      const big = dialect === 'postgres' ? 'bigint' : 'integer';
      await db.schema
        .createTable('transport_leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text')
        .addColumn('expires_at', big, (c) => c.notNull())
        .addColumn('position', big, (c) => c.notNull().defaultTo(0))
        .addColumn('sequence', big, (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
});

/**
 * The last log positions the partitions of these handlers have handled (their checkpoints); a
 * handler on the distributed transport may have handled entries past its low-watermark in some.
 */
export async function partitionPositions(executor: Executor, handlers: readonly string[]): Promise<number[]> {
  if (handlers.length === 0) return [];
  const rows = await transportDb(executor)
    .selectFrom('transport_leases')
    .select('position')
    .where((eb) => eb.or(handlers.map((handler) => eb('name', 'like', `%/${handler}/%`))))
    .execute();
  return rows.map((row) => Number(row.position));
}

import type { Kysely } from 'kysely';
import type { MigrationSet } from './migrations.ts';

/**
 * Indexes for the operator's log queries (`log-query.ts`): with those of `0001-platform` (type,
 * source id, correlation id, time), every filter of `GET /api/ops/messages` can lead a query through
 * an index `(column, position)`.
 */
export const logQueryIndexMigrations: MigrationSet = () => ({
  '0011-log-query-indexes': {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('messages_kind').on('messages').columns(['kind', 'position']).execute();
      await db.schema.createIndex('messages_source_type').on('messages').columns(['source_type', 'position']).execute();
    },
  },
});

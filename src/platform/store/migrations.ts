import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { DialectName } from './dialect.ts';

/**
 * A set of schema migrations, by name, for a dialect. The platform has its own; each context adds
 * its set (`src/app/migrations.ts` lists them). Names sort in the order they apply (`0002-…`) and are
 * unique across sets. Each migration is written once and never edited after release: a change is a
 * new migration.
 */
export type MigrationSet = (dialect: DialectName) => Record<string, Migration>;

/** The platform's tables: the log, checkpoints, dead letters, parked messages, timers, processes. */
export const platformMigrations: MigrationSet = (dialect) => {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    '0001-platform': {
      async up(db: Kysely<unknown>) {
        let messages = db.schema.createTable('messages');
        messages =
          dialect === 'sqlite'
            ? messages.addColumn('position', 'integer', (c) => c.primaryKey().autoIncrement())
            : // position = writer's transaction id · 65536 + row index: visible in position order (ADR 002)
              messages.addColumn('position', 'bigint', (c) => c.primaryKey());
        await messages
          .addColumn('message_id', 'text', (c) => c.notNull().unique())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('schema_version', 'integer', (c) => c.notNull())
          .addColumn('source_type', 'text', (c) => c.notNull())
          .addColumn('source_id', 'text', (c) => c.notNull())
          .addColumn('version', 'integer')
          .addColumn('correlation_id', 'text')
          .addColumn('causation_id', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('target', 'text')
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
          .execute();
        await db.schema
          .createIndex('messages_stream')
          .on('messages')
          .columns(['source_type', 'source_id', 'version'])
          .unique()
          .where(sql.ref('version'), 'is not', null)
          .execute();
        await db.schema.createIndex('messages_source_id').on('messages').columns(['source_id', 'position']).execute();
        await db.schema.createIndex('messages_type').on('messages').columns(['type', 'position']).execute();
        await db.schema
          .createIndex('messages_correlation')
          .on('messages')
          .columns(['correlation_id', 'position'])
          .execute();
        await db.schema.createIndex('messages_created_at').on('messages').columns(['created_at', 'position']).execute();

        await db.schema
          .createTable('checkpoints')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('position', big, (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('dead_letters')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('handler', 'text', (c) => c.notNull())
          .addColumn('position', big, (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('source_key', 'text', (c) => c.notNull())
          .addColumn('error', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('first_failed_at', 'text', (c) => c.notNull())
          .addColumn('last_failed_at', 'text', (c) => c.notNull())
          .addColumn('retry_requested', 'integer', (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint('dead_letters_handler_position', ['handler', 'position'])
          .execute();

        await db.schema
          .createTable('parked_messages')
          .addColumn('handler', 'text', (c) => c.notNull())
          .addColumn('position', big, (c) => c.notNull())
          .addColumn('source_key', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('parked_messages_pk', ['handler', 'position'])
          .execute();
        await db.schema
          .createIndex('parked_messages_source')
          .on('parked_messages')
          .columns(['handler', 'source_key', 'position'])
          .execute();

        await db.schema
          .createTable('timers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('due_at', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('command', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('timers_due').on('timers').columns(['due_at', 'id']).execute();

        await db.schema
          .createTable('processes')
          .addColumn('process_type', 'text', (c) => c.notNull())
          .addColumn('process_id', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('processes_pk', ['process_type', 'process_id'])
          .execute();
      },
    },
  };
};

class StaticProvider implements MigrationProvider {
  constructor(
    private readonly dialect: DialectName,
    private readonly sets: readonly MigrationSet[],
  ) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const all: Record<string, Migration> = {};
    for (const set of this.sets) {
      for (const [name, migration] of Object.entries(set(this.dialect))) {
        if (name in all) throw new Error(`Two migrations are named ${name}`);
        all[name] = migration;
      }
    }
    return all;
  }
}

/** Applies every pending migration of the sets; throws with the failing migration's error. */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: DialectName,
  sets: readonly MigrationSet[] = [platformMigrations],
): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect, sets) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

import type { Kysely } from 'kysely';
import type { StoreLocation } from '../config.ts';
import type { StoreDialect } from '../platform/store/dialect.ts';
import { migrateToLatest } from '../platform/store/migrations.ts';
import { postgresDialect } from '../platform/store/postgres.ts';
import { sqliteDialect } from '../platform/store/sqlite.ts';
import { loadLiveVersions } from '../platform/read-models/versions.ts';
import { Store } from '../platform/store/store.ts';
import { APP_MIGRATIONS } from './migrations.ts';
import { READ_MODEL_UNITS } from './read-models.ts';

/** SQLite under DATA_DIR, or PostgreSQL when DATABASE_URL is set. */
export function storeDialect(config: { store: StoreLocation }): StoreDialect {
  return config.store.kind === 'postgres' ? postgresDialect(config.store.url) : sqliteDialect(config.store.file);
}

/** Opens the configured store; the application's pending migrations are applied first. */
export async function openStore(config: { store: StoreLocation }, options: { listen?: boolean } = {}): Promise<Store> {
  const store = await Store.open(storeDialect(config), { ...options, migrations: APP_MIGRATIONS });
  await loadLiveVersions(store, READ_MODEL_UNITS);
  return store;
}

/** Applies the pending migrations and closes the store; answers the names of those applied. */
export async function migrateStore(config: { store: StoreLocation }): Promise<string[]> {
  const dialect = storeDialect(config);
  try {
    return await migrateToLatest(dialect.db as Kysely<unknown>, dialect.name, APP_MIGRATIONS);
  } finally {
    await dialect.close();
  }
}

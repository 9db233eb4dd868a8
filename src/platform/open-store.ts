import type { Kysely } from 'kysely';
import type { StoreLocation } from '../config.ts';
import type { StoreDialect } from './store/dialect.ts';
import { migrateToLatest } from './store/migrations.ts';
import { postgresDialect } from './store/postgres.ts';
import { sqliteDialect } from './store/sqlite.ts';
import { Store } from './store/store.ts';

/** SQLite under DATA_DIR, or PostgreSQL when DATABASE_URL is set. */
export function storeDialect(config: { store: StoreLocation }): StoreDialect {
  return config.store.kind === 'postgres' ? postgresDialect(config.store.url) : sqliteDialect(config.store.file);
}

/** Opens the configured store; pending migrations are applied first. */
export function openStore(config: { store: StoreLocation }, options: { listen?: boolean } = {}): Promise<Store> {
  return Store.open(storeDialect(config), options);
}

/** Applies the pending migrations and closes the store; answers the names of those applied. */
export async function migrateStore(config: { store: StoreLocation }): Promise<string[]> {
  const dialect = storeDialect(config);
  try {
    return await migrateToLatest(dialect.db as Kysely<unknown>, dialect.name);
  } finally {
    await dialect.close();
  }
}

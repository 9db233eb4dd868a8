import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { newId } from '../../src/platform/messages/ids.ts';
import type { StoreDialect } from '../../src/platform/store/dialect.ts';
import { postgresDialect } from '../../src/platform/store/postgres.ts';
import { sqliteDialect } from '../../src/platform/store/sqlite.ts';
import { Store } from '../../src/platform/store/store.ts';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

/** A fresh, empty store location: a new SQLite file or a new PostgreSQL database. */
export interface StoreLocation {
  kind: StoreKind;
  /** SQLite file path or PostgreSQL connection string. */
  url: string;
  dialect(): StoreDialect;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

export async function freshLocation(kind: StoreKind): Promise<StoreLocation> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'contoso-test-'));
    const file = join(dir, 'store.sqlite');
    return {
      kind,
      url: file,
      dialect: () => sqliteDialect(file),
      open: () => Store.open(sqliteDialect(file)),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `contoso_test_${newId().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    kind,
    url,
    dialect: () => postgresDialect(url),
    open: () => Store.open(postgresDialect(url)),
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreDialect } from '../../src/platform/store/dialect.ts';
import { postgresDialect } from '../../src/platform/store/postgres.ts';
import { sqliteDialect } from '../../src/platform/store/sqlite.ts';
import type { StoreKind } from './types.ts';

export const DEFAULT_POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, empty store location for one benchmark: a new SQLite file or a new PostgreSQL database. */
export interface BenchLocation {
  kind: StoreKind;
  /** SQLite file path or PostgreSQL connection string. */
  url: string;
  dialect(options?: { poolSize?: number }): StoreDialect;
  drop(): Promise<void>;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** SQLite files go under BENCH_DIR (default: the OS temp dir); it must be a real disk, not tmpfs, for fsync to count. */
export async function freshLocation(kind: StoreKind, postgresAdminUrl: string): Promise<BenchLocation> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'contoso-bench-'));
    const file = join(dir, 'store.sqlite');
    return {
      kind,
      url: file,
      dialect: () => sqliteDialect(file),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `bench_${randomBytes(6).toString('hex')}`;
  await withAdmin(postgresAdminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(postgresAdminUrl, name);
  return {
    kind,
    url,
    dialect: (options) => postgresDialect(url, options),
    drop: async () => {
      await withAdmin(postgresAdminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** The PostgreSQL server version, or undefined when the server does not answer. */
export async function postgresVersion(adminUrl: string): Promise<string | undefined> {
  try {
    return await withAdmin(adminUrl, async (admin) => {
      const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
      return rows[0].server_version;
    });
  } catch {
    return undefined;
  }
}

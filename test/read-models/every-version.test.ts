import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { readModelVersions } from '../../src/app/read-models.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { everyVersion } from '../../src/platform/read-models/every-version.ts';
import { Job, rebuild } from '../../src/platform/read-models/rebuild.ts';
import type { MigrationSet } from '../../src/platform/store/migrations.ts';
import { Store } from '../../src/platform/store/store.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';
import { unitNamed } from './support.ts';

/** A later release's migration of the payments read model: a column and an index on it. */
const addNote: MigrationSet = (dialect) => ({
  '9001-payments-note': everyVersion(dialect, ['reg_payments'], async (db, name) => {
    await db.schema.alterTable('reg_payments').addColumn('note', 'text').execute();
    await db.schema.createIndex(name('reg_payments_note')).on('reg_payments').column('note').execute();
  }),
});

describe.each(STORE_KINDS)('a read-model migration after a switch, on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS, listen: false });
  });
  afterAll(async () => {
    await store?.close();
    await location?.drop();
  });

  async function columnsOf(table: string): Promise<string[]> {
    const { rows } =
      kind === 'postgres'
        ? await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_name = ${table}`.execute(store.db)
        : await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(store.db);
    return rows.map((row) => row.name);
  }

  async function indexesOf(table: string): Promise<string[]> {
    const { rows } =
      kind === 'postgres'
        ? await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = ${table}`.execute(store.db)
        : await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table}`.execute(store.db);
    return rows.map((row) => row.name);
  }

  it('changes the live version 2, the kept version 1, and every version made later', async () => {
    const versions = readModelVersions(store, createMessageRegistry());
    const payments = unitNamed('payments');
    const built = await rebuild(versions, payments, new Job('payments'));
    expect(built).toMatchObject({ version: 2, switched: true });
    expect(store.tableNames.live.get('reg_payments')).toBe('reg_payments__v2');

    await store.close();
    store = await Store.open(location.dialect(), { migrations: [...APP_MIGRATIONS, addNote], listen: false });

    for (const table of ['reg_payments', 'reg_payments__v2']) expect(await columnsOf(table)).toContain('note');
    expect(await indexesOf('reg_payments')).toContain('reg_payments_note');
    expect(await indexesOf('reg_payments__v2')).toContain('reg_payments_note__v2');
    // The live version takes rows with the new column.
    await sql`INSERT INTO reg_payments__v2 (payment_id, order_id, conference_id, description, amount, status, initiated_at, updated_at, version, note)
      VALUES ('p', 'o', 'c', 'd', 1, 'Initiated', 't', 't', 0, 'noted')`.execute(store.db);

    const next = await rebuild(readModelVersions(store, createMessageRegistry()), payments, new Job('payments'), { switch: false });
    expect(await columnsOf(`reg_payments__v${next.version}`)).toContain('note');
  });
});

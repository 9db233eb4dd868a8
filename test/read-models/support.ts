import { afterAll, beforeAll, expect } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { READ_MODEL_UNITS, readModelVersions } from '../../src/app/read-models.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import type { ReadModelUnit } from '../../src/platform/read-models/unit.ts';
import { versionTables } from '../../src/platform/read-models/unit.ts';
import { Store } from '../../src/platform/store/store.ts';
import { type StoreKind, type StoreLocation, freshLocation } from '../support/stores.ts';
import { client, publishedConference } from '../web/orders-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';

export const unitNamed = (name: string): ReadModelUnit => READ_MODEL_UNITS.find((unit) => unit.name === name)!;

/** A store on a fresh location with every migration, opened before the describe block's tests and dropped after them. */
export function appStore(kind: StoreKind): { readonly store: Store } {
  let location: StoreLocation | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS, listen: false });
  });
  afterAll(async () => {
    await store?.close();
    await location?.drop();
  });
  return {
    get store() {
      return store!;
    },
  };
}

/** The data of a `PaymentInitiated` for an order. */
export const paymentInitiated = (orderId: string) => ({ paymentSourceId: orderId, conferenceId: newId(), amount: 100, description: 'Registration for a test', items: [] });

export const versionsOf = (server: TestServer) => readModelVersions(server.store, createMessageRegistry());

/** Every row of the unit's tables (the live version, or `version`), in a stable order. */
export async function dump(store: Store, unit: ReadModelUnit, version?: number): Promise<Record<string, string[]>> {
  const read = async () => {
    const tables: Record<string, string[]> = {};
    for (const table of unit.tables) {
      const rows = await (store.db as any).selectFrom(table).selectAll().execute();
      tables[table] = rows.map((row: unknown) => JSON.stringify(row)).sort();
    }
    return tables;
  };
  return version === undefined ? read() : store.tableNames.runWith(versionTables(unit, version), read);
}

const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };

/** Registrations through the public JSON API: each order placed, read, and every other one paid and confirmed. */
export function registrations(server: TestServer) {
  const api = client(server);
  let conference: Awaited<ReturnType<typeof publishedConference>> | undefined;
  let count = 0;
  return {
    async conference() {
      conference ??= await publishedConference(server, [
        { name: 'General admission', price: 19_900, quantity: 10_000 },
        { name: 'Workshop', price: 50_000, quantity: 10_000 },
      ]);
      return conference;
    },
    /** One registrant's whole path; every read must answer at once and fresh. */
    async register(): Promise<void> {
      const { slug, seatTypeIds } = await this.conference();
      const paid = ++count % 2 === 0;
      const placed = await api('POST', `/api/conferences/${slug}/orders`, { seats: [{ seatTypeId: seatTypeIds[count % 2], quantity: 1 + (count % 3) }] });
      expect(placed.status, JSON.stringify(placed.body)).toBe(202);
      const { id, accessCode } = placed.body;
      const reserved = await api('GET', `/api/orders/${id}?until=settled&waitMs=10000`, undefined, accessCode);
      expect(reserved.status).toBe(200);
      expect(reserved.headers['x-stale']).toBeUndefined();
      expect(reserved.body).toMatchObject({ id, status: 'reserved', total: expect.any(Number) });
      if (!paid) return;
      const checkout = await api('POST', `/api/orders/${id}/checkout`, { registrant: ada, paymentMethod: 'card' }, accessCode);
      expect(checkout.status, JSON.stringify(checkout.body)).toBe(202);
      const token = new URL(checkout.body.payment.redirectUrl, 'http://localhost').searchParams.get('token');
      expect((await api('POST', `/api/payments/${checkout.body.payment.id}/accept`, { token }, accessCode)).status).toBe(202);
      const confirmed = await api('GET', `/api/orders/${id}?until=final&waitMs=10000`, undefined, accessCode);
      expect(confirmed.status).toBe(200);
      expect(confirmed.headers['x-stale']).toBeUndefined();
      expect(confirmed.body).toMatchObject({ id, status: 'confirmed', registrant: ada });
    },
  };
}

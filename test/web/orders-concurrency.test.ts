import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import type { ConferenceManagementDatabase } from '../../src/contexts/conference-management/schema.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/stores.ts';
import { ordersServer, publishedConference, settle } from './orders-fixture.ts';
import type { TestServer } from './server-fixture.ts';

/**
 * No overbooking over real HTTP (DOMAIN 3.2.4): 40 registrants ask for the last seats at the same
 * moment; the SeatsAvailability aggregate's optimistic concurrency serialises their reservations.
 */
const ORDERS = 40;
const QUOTA = 10;

describe.each(STORE_KINDS)('simultaneous orders on %s', (kind) => {
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    server = await ordersServer(kind);
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  const json = async (method: string, path: string, body?: unknown, accessCode?: string) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(accessCode ? { 'x-access-code': accessCode } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };

  /** The order once its reservation has an outcome; a loaded machine may need more than one wait. */
  async function settledOrder(id: string, accessCode: string) {
    for (let attempt = 0; ; attempt++) {
      const answer = await json('GET', `/api/orders/${id}?until=settled&waitMs=10000`, undefined, accessCode);
      if (answer.body.status !== 'pending' || attempt === 5) return answer;
    }
  }

  it(`reserves exactly ${QUOTA} of ${ORDERS} one-seat orders on a ${QUOTA}-seat type`, async () => {
    const conference = await publishedConference(server, [{ name: 'Last seats', price: 10_000, quantity: QUOTA }]);
    const [seatTypeId] = conference.seatTypeIds;
    const placed = await Promise.all(
      Array.from({ length: ORDERS }, () => json('POST', `/api/conferences/${conference.slug}/orders`, { seats: [{ seatTypeId, quantity: 1 }] })),
    );
    expect(placed.map((response) => response.status)).toEqual(Array(ORDERS).fill(202));

    const orders = await Promise.all(placed.map(({ body }) => settledOrder(body.id, body.accessCode)));
    const byStatus = (status: string) => orders.filter(({ body }) => body.status === status).map(({ body }) => body);
    expect(byStatus('reserved')).toHaveLength(QUOTA);
    expect(byStatus('partially-reserved')).toHaveLength(ORDERS - QUOTA);
    for (const order of byStatus('reserved')) expect(order.lines).toEqual([expect.objectContaining({ requested: 1, reserved: 1 })]);
    for (const order of byStatus('partially-reserved')) {
      expect(order.lines).toEqual([expect.objectContaining({ requested: 1, reserved: 0, lineTotal: 0 })]);
      expect(order).toMatchObject({ total: 0, isFreeOfCharge: false });
    }

    await settle(server);
    const offered = await json('GET', `/api/conferences/${conference.slug}`);
    expect(offered.body.seatTypes).toEqual([expect.objectContaining({ id: seatTypeId, available: 0 })]);
    // The management side's seat sales, each term from its own events, add up to the quota.
    const sales = await (server.store.db as unknown as Kysely<ConferenceManagementDatabase>)
      .selectFrom('seat_sales')
      .select(['sold', 'held', 'remaining'])
      .where('seat_type_id', '=', seatTypeId)
      .executeTakeFirstOrThrow();
    expect(sales).toEqual({ sold: 0, held: QUOTA, remaining: 0 });
  });
});

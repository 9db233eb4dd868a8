import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/stores.ts';
import { eventually } from '../support/eventually.ts';
import { client, ordersServer, publishedConference, settle } from './orders-fixture.ts';
import type { TestServer } from './server-fixture.ts';

/**
 * DOMAIN 3.2.3's hold window on the server's clock, with a 3-second hold (RESERVATION_HOLD_SECONDS)
 * and a 5-second release buffer (SEAT_RELEASE_BUFFER_SECONDS).
 */
const HOLD_SECONDS = 3;
const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };

describe.each(STORE_KINDS)('the hold window of an order on %s', (kind) => {
  let server: TestServer;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await ordersServer(kind, { RESERVATION_HOLD_SECONDS: String(HOLD_SECONDS), SEAT_RELEASE_BUFFER_SECONDS: '5' });
    api = client(server);
  });
  afterAll(() => server.close());

  async function placeReserved(slug: string, seatTypeId: string, quantity: number) {
    const placed = await api('POST', `/api/conferences/${slug}/orders`, { seats: [{ seatTypeId, quantity }] });
    expect(placed.status).toBe(202);
    const order = await api('GET', `/api/orders/${placed.body.id}?until=settled&waitMs=10000`, undefined, placed.body.accessCode);
    expect(order.body.status).toBe('reserved');
    return order.body as { id: string; accessCode: string; expiresAt: string; expiresInSeconds: number };
  }

  /** Waits (in the test) until the server says the hold has ended. */
  const holdEnded = (order: { id: string; accessCode: string }) =>
    eventually(async () => {
      const view = await api('GET', `/api/orders/${order.id}`, undefined, order.accessCode);
      return view.body.holdExpired === true && view.body;
    });

  it('refuses seat changes and checkout once the hold has ended, then expires the order and releases its seats', async () => {
    const conference = await publishedConference(server, [{ name: 'GA', price: 10_000, quantity: 5 }]);
    const [seatType] = conference.seatTypeIds;
    const order = await placeReserved(conference.slug, seatType, 2);
    expect(order.expiresInSeconds).toBeLessThanOrEqual(HOLD_SECONDS);
    expect((await api('GET', `/api/conferences/${conference.slug}?minPosition=0`)).body.seatTypes[0].available).toBe(3);

    const ended = await holdEnded(order);
    expect(ended).toMatchObject({ status: 'reserved', expiresInSeconds: 0, expiresAt: order.expiresAt });
    for (const [method, path, body] of [
      ['PUT', '/seats', { seats: [{ seatTypeId: seatType, quantity: 1 }] }],
      ['POST', '/checkout', { registrant: ada }],
    ] as const) {
      const refused = await api(method, `/api/orders/${order.id}${path}`, body, order.accessCode);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toBe('The hold on these seats has ended.');
    }

    const expired = await api('GET', `/api/orders/${order.id}?until=final&waitMs=10000`, undefined, order.accessCode);
    expect(expired.headers['x-stale']).toBeUndefined();
    expect(expired.body).toMatchObject({ status: 'expired', holdExpired: true, expiresInSeconds: 0, lines: [expect.objectContaining({ requested: 2, reserved: 2 })] });
    const refused = await api('PUT', `/api/orders/${order.id}/seats`, { seats: [{ seatTypeId: seatType, quantity: 1 }] }, order.accessCode);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('This order has expired.');
    await settle(server);
    expect((await api('GET', `/api/conferences/${conference.slug}`)).body.seatTypes[0].available).toBe(5);
  });

  it('lets a payment started before the hold end confirm the order during the release buffer', async () => {
    const conference = await publishedConference(server, [{ name: 'GA', price: 10_000, quantity: 5 }]);
    const order = await placeReserved(conference.slug, conference.seatTypeIds[0], 1);
    const checkout = await api('POST', `/api/orders/${order.id}/checkout`, { registrant: ada }, order.accessCode);
    expect(checkout.status).toBe(202);
    const token = new URL(checkout.body.payment.redirectUrl, 'http://localhost').searchParams.get('token');
    await holdEnded(order);
    const accepted = await api('POST', `/api/payments/${checkout.body.payment.id}/accept`, { token }, order.accessCode);
    expect(accepted.status).toBe(202);
    const confirmed = await api('GET', `/api/orders/${order.id}?until=final&waitMs=10000`, undefined, order.accessCode);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', holdExpired: true, payment: { status: 'completed' } });
  });
});

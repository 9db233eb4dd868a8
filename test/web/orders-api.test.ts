import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/app/open-store.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { buildServer } from '../../src/web/server.ts';
import { ACCESS_CODE_ALPHABET } from '../../src/contexts/shared/access-code.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { conferenceEvent } from '../support/conference-events.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { client, ordersServer, publishedConference, settle } from './orders-fixture.ts';
import type { TestServer } from './server-fixture.ts';

const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };
const NOT_FOUND = { error: { code: 'not_found', message: 'Order not found.' } };

describe.each(STORE_KINDS)('the public order API on %s', (kind) => {
  let server: TestServer;
  let api: ReturnType<typeof client>;
  /** GA $199 (quota 100), WS $500 (quota 3), CP $50. */
  let conference: Awaited<ReturnType<typeof publishedConference>>;
  let [ga, ws, cp] = ['', '', ''];

  beforeAll(async () => {
    server = await ordersServer(kind);
    api = client(server);
    conference = await publishedConference(server, [
      { name: 'General admission', price: 19_900, quantity: 100 },
      { name: 'Workshop', price: 50_000, quantity: 3 },
      { name: 'Cocktail party', price: 5_000, quantity: 100 },
    ]);
    [ga, ws, cp] = conference.seatTypeIds;
  });
  afterAll(() => server.close());

  const seats = (...lines: Array<[string, number]>) => lines.map(([seatTypeId, quantity]) => ({ seatTypeId, quantity }));

  /** Places an order and answers it once reserved (or partially). */
  async function place(lines: Array<[string, number]>, slug = conference.slug) {
    const placed = await api('POST', `/api/conferences/${slug}/orders`, { seats: seats(...lines) });
    expect(placed.status, JSON.stringify(placed.body)).toBe(202);
    return settled(placed.body.id, placed.body.accessCode);
  }

  async function settled(orderId: string, accessCode: string, until = 'settled') {
    const order = await api('GET', `/api/orders/${orderId}?until=${until}&waitMs=10000`, undefined, accessCode);
    expect(order.status).toBe(200);
    expect(order.headers['x-stale']).toBeUndefined();
    return order.body;
  }

  /** Checks out a paid order; answers the payment id and its processor token. */
  async function checkoutPaid(order: { id: string; accessCode: string }) {
    const checkout = await api('POST', `/api/orders/${order.id}/checkout`, { registrant: ada, paymentMethod: 'card' }, order.accessCode);
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(202);
    const url = new URL(checkout.body.payment.redirectUrl, 'http://localhost');
    expect(url.pathname).toBe('/payment');
    expect(url.searchParams.get('paymentId')).toBe(checkout.body.payment.id);
    return { paymentId: checkout.body.payment.id as string, token: url.searchParams.get('token')!, order: checkout.body.order };
  }

  describe('placing an order', () => {
    it('answers 202 with the order once it is reserved, priced on the reserved seats', async () => {
      const placed = await api('POST', `/api/conferences/${conference.slug.toUpperCase()}/orders`, { seats: seats([ga, 3], [ws, 1], [cp, 2]) });
      expect(placed.status).toBe(202);
      const order = placed.headers['x-stale'] ? await settled(placed.body.id, placed.body.accessCode) : placed.body;
      expect(order).toMatchObject({
        conferenceSlug: conference.slug,
        status: 'reserved',
        holdExpired: false,
        total: 119_700,
        isFreeOfCharge: false,
        registrant: null,
        payment: null,
        lines: [
          { seatTypeId: ga, seatTypeName: 'General admission', requested: 3, reserved: 3, unitPrice: 19_900, lineTotal: 59_700 },
          { seatTypeId: ws, seatTypeName: 'Workshop', requested: 1, reserved: 1, unitPrice: 50_000, lineTotal: 50_000 },
          { seatTypeId: cp, seatTypeName: 'Cocktail party', requested: 2, reserved: 2, unitPrice: 5_000, lineTotal: 10_000 },
        ],
      });
      expect(order.accessCode).toMatch(new RegExp(`^[${ACCESS_CODE_ALPHABET}]{6}$`));
      expect(order.expiresInSeconds).toBeGreaterThan(800);
      expect(order.expiresInSeconds).toBeLessThanOrEqual(900);
      expect(Date.parse(order.expiresAt) - Date.now()).toBeLessThanOrEqual(900_000);
      expect(order.version).toBeGreaterThanOrEqual(2);
      expect(order.position).toBeGreaterThan(0);
    });

    it('reserves what is left: a partially reserved order keeps what it asked for', async () => {
      const order = await place([[ws, 5]]);
      expect(order.status).toBe('partially-reserved');
      expect(order.lines).toEqual([expect.objectContaining({ seatTypeId: ws, requested: 5, reserved: 2, lineTotal: 100_000 })]);
      expect(order.total).toBe(100_000);
    });

    it('refuses invalid seat selections with 400 naming the field', async () => {
      const cases: Array<[unknown, string, string]> = [
        [{ seats: seats([ga, 0]) }, 'seats', 'One or more items are required.'],
        [{ seats: [] }, 'seats', 'One or more items are required.'],
        [{ seats: seats([ga, -1], [cp, 1]) }, 'seats.0.quantity', 'Invalid registration.'],
        [{ seats: seats([ga, 21]) }, 'seats.0.quantity', 'You can order at most 20 seats of each type.'],
        [{ seats: seats([ga, 1], [ga, 2]) }, 'seats.1.seatTypeId', 'Invalid registration.'],
        [{ seats: seats([newId(), 1]) }, 'seats.0.seatTypeId', 'Invalid registration.'],
        [{ seats: seats([ga, 1.5]) }, 'seats.0.quantity', expect.any(String)],
        [{ seats: seats([ga, 1]), currency: 'USD' }, 'currency', 'is not allowed'],
        [{ seats: seats([ga, 1]), orderId: 'nope' }, 'orderId', expect.any(String)],
        [{}, 'seats', 'is required'],
      ] as Array<[unknown, string, string]>;
      for (const [body, field, message] of cases) {
        const response = await api('POST', `/api/conferences/${conference.slug}/orders`, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.error.code).toBe('validation_failed');
        expect(response.body.error.fields[field], JSON.stringify(response.body)).toEqual(message);
      }
    });

    it('answers 404 for an unknown or unpublished conference', async () => {
      const draft = await publishedConference(server, [{ name: 'GA', price: 100, quantity: 5 }], { published: false });
      for (const slug of ['nowhere', draft.slug]) {
        const response = await api('POST', `/api/conferences/${slug}/orders`, { seats: seats([ga, 1]) });
        expect(response.status).toBe(404);
        expect(response.body.error.message).toBe('Conference not found.');
      }
    });

    it('is idempotent with an orderId: the same seats and the access code answer 200 and the order, unchanged', async () => {
      const orderId = newId();
      const body = { orderId, seats: seats([ga, 1], [cp, 0]) };
      const first = await api('POST', `/api/conferences/${conference.slug}/orders`, body);
      expect(first.status).toBe(202);
      expect(first.body.id).toBe(orderId);
      const order = await settled(orderId, first.body.accessCode);
      const again = await api('POST', `/api/conferences/${conference.slug}/orders`, { orderId, seats: seats([ga, 1]) }, order.accessCode.toLowerCase());
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: orderId, accessCode: order.accessCode, version: order.version, status: 'reserved' });

      const other = await publishedConference(server, [{ name: 'GA', price: 100, quantity: 5 }]);
      const EXISTS = 'This order already exists; change it with PUT /api/orders/{orderId}/seats.';
      for (const [slug, lines, code] of [
        [conference.slug, seats([ga, 1]), undefined],
        [conference.slug, seats([ga, 1]), 'ZZZZZZ'],
        [conference.slug, seats([ga, 2]), order.accessCode],
        [other.slug, seats([other.seatTypeIds[0], 1]), order.accessCode],
      ] as const) {
        const response = await api('POST', `/api/conferences/${slug}/orders`, { orderId, seats: lines }, code);
        expect(response.status).toBe(409);
        expect(response.body.error).toEqual({ code: 'conflict', message: EXISTS });
      }
      expect((await settled(orderId, order.accessCode)).version).toBe(order.version);
    });
  });

  describe('credentials', () => {
    let order: { id: string; accessCode: string };
    beforeAll(async () => {
      order = await place([[ga, 1]]);
    });

    it('needs x-access-code: missing → 401, wrong, another order’s or an unknown order → the same 404', async () => {
      const missing = await api('GET', `/api/orders/${order.id}`);
      expect(missing.status).toBe(401);
      expect(missing.body.error.code).toBe('unauthorized');
      const another = await place([[cp, 1]]);
      for (const [orderId, code] of [
        [order.id, 'ZZZZZZ'],
        [order.id, another.accessCode],
        [newId(), order.accessCode],
      ]) {
        for (const [method, path] of [
          ['GET', ''],
          ['GET', '/assignments'],
        ] as const) {
          const response = await api(method, `/api/orders/${orderId}${path}`, undefined, code);
          expect(response.status).toBe(404);
          expect(response.body).toEqual(NOT_FOUND);
        }
        const put = await api('PUT', `/api/orders/${orderId}/seats`, { seats: seats([ga, 1]) }, code);
        expect(put.body).toEqual(NOT_FOUND);
      }
      const lower = await api('GET', `/api/orders/${order.id}`, undefined, order.accessCode.toLowerCase());
      expect(lower.status).toBe(200);
      const invalidId = await api('GET', '/api/orders/not-a-uuid', undefined, order.accessCode);
      expect(invalidId.status).toBe(400);
    });

    it('allows 10 failures per order and client, then answers 429 with Retry-After, even for the right code', async () => {
      const target = await place([[cp, 1]]);
      for (let attempt = 0; attempt < 10; attempt++) {
        expect((await api('GET', `/api/orders/${target.id}`, undefined, 'WRONG1')).status).toBe(404);
      }
      const limited = await api('GET', `/api/orders/${target.id}`, undefined, target.accessCode);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Other orders are other targets.
      expect((await api('GET', `/api/orders/${order.id}`, undefined, order.accessCode)).status).toBe(200);
    });
  });

  describe('waiting', () => {
    it('answers at once with what there is, x-stale when the wait runs out', async () => {
      const order = await place([[ga, 1]]);
      const notYet = await api('GET', `/api/orders/${order.id}?minVersion=${order.version + 5}&waitMs=300`, undefined, order.accessCode);
      expect(notYet.status).toBe(200);
      expect(notYet.headers['x-stale']).toBe('true');
      expect(notYet.body.version).toBe(order.version);
      const reached = await api('GET', `/api/orders/${order.id}?minVersion=${order.version}&minPosition=${order.position}&waitMs=10000`, undefined, order.accessCode);
      expect(reached.headers['x-stale']).toBeUndefined();
      expect(reached.body.version).toBe(order.version);
    });

    it('parks a request until the order changes (until=confirmed wakes on the payment’s rejection)', async () => {
      const order = await place([[ga, 1]]);
      const { paymentId, token } = await checkoutPaid(order);
      let answered = false;
      const waiting = api('GET', `/api/orders/${order.id}?until=confirmed&waitMs=10000`, undefined, order.accessCode).finally(() => (answered = true));
      await settle(server);
      expect(answered).toBe(false);
      expect((await api('POST', `/api/payments/${paymentId}/reject`, { token }, order.accessCode)).status).toBe(202);
      const outcome = await waiting;
      expect(outcome.headers['x-stale']).toBeUndefined();
      expect(outcome.body).toMatchObject({ status: 'reserved', payment: { id: paymentId, status: 'rejected' } });
    });

    it('answers a command whose view is not there in time with the pending body, x-stale; a GET with what there is', async () => {
      const order = await place([[ga, 1]]);
      await server.processing!.stop();
      try {
        const placed = await api('POST', `/api/conferences/${conference.slug}/orders`, { seats: seats([ga, 1]) });
        expect(placed.status).toBe(202);
        expect(placed.headers['x-stale']).toBe('true');
        expect(placed.body).toEqual({ id: expect.any(String), accessCode: expect.any(String), status: 'pending', position: expect.any(Number) });
        const unseen = await api('GET', `/api/orders/${placed.body.id}`, undefined, placed.body.accessCode);
        expect(unseen.headers['x-stale']).toBe('true');
        expect(unseen.body).toEqual({ ...placed.body, position: 0 });

        const changed = await api('PUT', `/api/orders/${order.id}/seats`, { seats: seats([ga, 2]) }, order.accessCode);
        expect(changed.status).toBe(202);
        expect(changed.body).toEqual({ id: order.id, accessCode: order.accessCode, status: 'pending', position: expect.any(Number) });
        const older = await api('GET', `/api/orders/${order.id}?minPosition=${changed.body.position}&waitMs=100`, undefined, order.accessCode);
        expect(older.headers['x-stale']).toBe('true');
        expect(older.body).toMatchObject({ id: order.id, version: order.version, status: 'reserved' });

        server.processing!.start();
        const caughtUp = await api('GET', `/api/orders/${placed.body.id}?minPosition=${placed.body.position}&until=settled&waitMs=10000`, undefined, placed.body.accessCode);
        expect(caughtUp.headers['x-stale']).toBeUndefined();
        expect(caughtUp.body).toMatchObject({ id: placed.body.id, status: 'reserved' });
        expect(caughtUp.body.position).toBeGreaterThanOrEqual(placed.body.position);
      } finally {
        server.processing!.start();
      }
    });

    it('waits the same way in a web process that runs no handlers (woken by the store’s notifications)', async () => {
      const webStore = kind === 'postgres' ? await openStore(server.config) : server.store;
      const web = await buildServer({ config: server.config, store: webStore, registry: createMessageRegistry(), logger: pino({ level: 'silent' }) });
      try {
        const webApi = client({ ...server, app: web });
        const placed = await webApi('POST', `/api/conferences/${conference.slug}/orders`, { seats: seats([ga, 1]) });
        expect(placed.status).toBe(202);
        const order = await webApi('GET', `/api/orders/${placed.body.id}?minPosition=${placed.body.position}&until=settled&waitMs=10000`, undefined, placed.body.accessCode);
        expect(order.headers['x-stale']).toBeUndefined();
        expect(order.body).toMatchObject({ status: 'reserved', total: 19_900 });
        const { paymentId, token } = await checkoutPaid(order.body);
        const waiting = webApi('GET', `/api/orders/${order.body.id}?until=final&waitMs=10000`, undefined, order.body.accessCode);
        expect((await webApi('POST', `/api/payments/${paymentId}/accept`, { token }, order.body.accessCode)).status).toBe(202);
        expect((await waiting).body).toMatchObject({ status: 'confirmed', payment: { id: paymentId, status: 'completed' } });
      } finally {
        await web.close();
        if (webStore !== server.store) await webStore.close();
      }
    });

    it('refuses bad waiting parameters with 400', async () => {
      const order = await place([[ga, 1]]);
      for (const query of ['until=soon', 'waitMs=10001', 'minVersion=-1', 'minPosition=x', 'colour=red']) {
        expect((await api('GET', `/api/orders/${order.id}?${query}`, undefined, order.accessCode)).status, query).toBe(400);
      }
    });
  });

  describe('changing seats', () => {
    it('re-reserves with the same hold deadline', async () => {
      const order = await place([[ga, 1]]);
      const changed = await api('PUT', `/api/orders/${order.id}/seats`, { seats: seats([ga, 2], [cp, 1]) }, order.accessCode);
      expect(changed.status).toBe(202);
      const after = await settled(order.id, order.accessCode);
      expect(after).toMatchObject({ status: 'reserved', expiresAt: order.expiresAt, total: 2 * 19_900 + 5_000 });
      expect(after.version).toBeGreaterThan(order.version);
    });

    it('accepts what a partial reservation obtained, which makes it reserved', async () => {
      const other = await publishedConference(server, [{ name: 'Rare', price: 1_000, quantity: 2 }]);
      const order = await place([[other.seatTypeIds[0], 3]], other.slug);
      expect(order.status).toBe('partially-reserved');
      const checkout = await api('POST', `/api/orders/${order.id}/checkout`, { registrant: ada }, order.accessCode);
      expect(checkout.status).toBe(409);
      expect(checkout.body.error.message).toBe('Only an order whose seats are all reserved can be checked out.');
      await api('PUT', `/api/orders/${order.id}/seats`, { seats: seats([other.seatTypeIds[0], 2]) }, order.accessCode);
      expect(await settled(order.id, order.accessCode)).toMatchObject({ status: 'reserved', total: 2_000 });
    });

    it('refuses invalid seats with 400 as placing does', async () => {
      const order = await place([[ga, 1]]);
      const response = await api('PUT', `/api/orders/${order.id}/seats`, { seats: seats([ga, 0]) }, order.accessCode);
      expect(response.status).toBe(400);
      expect(response.body.error.fields).toEqual({ seats: 'One or more items are required.' });
    });

    it('refuses while a payment is in progress, and once the conference is unpublished', async () => {
      const order = await place([[ga, 1]]);
      await checkoutPaid(order);
      const inProgress = await api('PUT', `/api/orders/${order.id}/seats`, { seats: seats([ga, 2]) }, order.accessCode);
      expect(inProgress.status).toBe(409);
      expect(inProgress.body.error.message).toBe('A payment for this order is in progress.');

      const closing = await publishedConference(server, [{ name: 'GA', price: 100, quantity: 5 }]);
      const held = await place([[closing.seatTypeIds[0], 1]], closing.slug);
      await server.store.transaction((tx) => server.store.append(tx, [conferenceEvent('ConferenceUnpublished', closing.id, 2)]));
      await settle(server);
      const closed = await api('PUT', `/api/orders/${held.id}/seats`, { seats: seats([closing.seatTypeIds[0], 2]) }, held.accessCode);
      expect(closed.status).toBe(409);
      expect(closed.body.error.message).toBe('Registration for this conference is closed.');
      // Its order stays reachable and payable.
      expect((await api('GET', `/api/orders/${held.id}`, undefined, held.accessCode)).body.conferenceSlug).toBe(closing.slug);
      await checkoutPaid(held);
    });
  });

  describe('checkout and payment', () => {
    it('pays an order: place → reserved → checkout → accept → confirmed', async () => {
      const order = await place([[ga, 1], [cp, 1]]);
      const { paymentId, token, order: checkedOut } = await checkoutPaid(order);
      expect(checkedOut).toMatchObject({ id: order.id, registrant: ada, payment: { id: paymentId, status: 'initiated' } });

      const payment = await api('GET', `/api/payments/${paymentId}`, undefined, order.accessCode);
      expect(payment.status).toBe(200);
      expect(payment.body).toEqual({ id: paymentId, orderId: order.id, status: 'initiated', amount: 24_900, description: `Registration for ${conference.name}` });

      const accepted = await api('POST', `/api/payments/${paymentId}/accept`, { token }, order.accessCode);
      expect(accepted.status).toBe(202);
      expect(accepted.body).toMatchObject({ id: paymentId, status: 'completed', amount: 24_900 });
      const confirmed = await settled(order.id, order.accessCode, 'final');
      expect(confirmed).toMatchObject({ status: 'confirmed', total: 24_900, payment: { id: paymentId, status: 'completed' } });

      for (const [method, path, body] of [
        ['PUT', '/seats', { seats: seats([ga, 2]) }],
        ['POST', '/checkout', { registrant: ada }],
      ] as const) {
        const refused = await api(method, `/api/orders/${order.id}${path}`, body, order.accessCode);
        expect(refused.status).toBe(409);
        expect(refused.body.error.message).toBe('This order is already confirmed.');
      }
    });

    it('a rejected payment leaves the order payable; a processor token is used once', async () => {
      const order = await place([[ga, 1]]);
      const first = await checkoutPaid(order);
      const wrongToken = await api('POST', `/api/payments/${first.paymentId}/accept`, { token: 'not-the-token' }, order.accessCode);
      expect(wrongToken.status).toBe(404);
      const missingToken = await api('POST', `/api/payments/${first.paymentId}/accept`, {}, order.accessCode);
      expect(missingToken.status).toBe(404);
      const rejected = await api('POST', `/api/payments/${first.paymentId}/reject`, { token: first.token }, order.accessCode);
      expect(rejected.status).toBe(202);
      expect(rejected.body.status).toBe('rejected');
      for (const answer of ['reject', 'accept']) {
        const again = await api('POST', `/api/payments/${first.paymentId}/${answer}`, { token: first.token }, order.accessCode);
        expect(again.status).toBe(409);
        expect(again.body.error.message).toBe('This payment link has been used already.');
      }
      expect(await settled(order.id, order.accessCode, 'confirmed')).toMatchObject({ status: 'reserved', payment: { id: first.paymentId, status: 'rejected' } });

      const second = await checkoutPaid(order);
      expect(second.paymentId).not.toBe(first.paymentId);
      // A token only answers its own payment.
      expect((await api('POST', `/api/payments/${second.paymentId}/accept`, { token: first.token }, order.accessCode)).status).toBe(404);
      expect((await api('POST', `/api/payments/${second.paymentId}/accept`, { token: second.token }, order.accessCode)).status).toBe(202);
      expect(await settled(order.id, order.accessCode, 'final')).toMatchObject({ status: 'confirmed', payment: { id: second.paymentId, status: 'completed' } });
    });

    it('payments need the x-access-code of their order', async () => {
      const order = await place([[ga, 1]]);
      const other = await place([[cp, 1]]);
      const { paymentId, token } = await checkoutPaid(order);
      expect((await api('GET', `/api/payments/${paymentId}`)).status).toBe(401);
      expect((await api('POST', `/api/payments/${paymentId}/accept`, { token })).status).toBe(401);
      for (const [id, code] of [
        [paymentId, other.accessCode],
        [newId(), order.accessCode],
      ]) {
        const response = await api('GET', `/api/payments/${id}`, undefined, code);
        expect(response.status).toBe(404);
        expect(response.body).toEqual(NOT_FOUND);
        expect((await api('POST', `/api/payments/${id}/accept`, { token }, code)).body).toEqual(NOT_FOUND);
      }
      // The token was not used by the refused attempts.
      expect((await api('POST', `/api/payments/${paymentId}/accept`, { token }, order.accessCode)).status).toBe(202);
    });

    it('counts wrong tokens as failed credential checks of the payment', async () => {
      const order = await place([[ga, 1]]);
      const { paymentId, token } = await checkoutPaid(order);
      for (let attempt = 0; attempt < 10; attempt++) {
        expect((await api('POST', `/api/payments/${paymentId}/accept`, { token: `wrong-${attempt}` }, order.accessCode)).status).toBe(404);
      }
      const limited = await api('POST', `/api/payments/${paymentId}/accept`, { token }, order.accessCode);
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
      expect((await api('GET', `/api/orders/${order.id}`, undefined, order.accessCode)).status).toBe(200);
    });

    it('confirms a free order without a payment', async () => {
      const free = await publishedConference(server, [{ name: 'Free', price: 0, quantity: 10 }]);
      const order = await place([[free.seatTypeIds[0], 2]], free.slug);
      expect(order).toMatchObject({ status: 'reserved', total: 0, isFreeOfCharge: true });
      const checkout = await api('POST', `/api/orders/${order.id}/checkout`, { registrant: ada }, order.accessCode);
      expect(checkout.status).toBe(202);
      expect(checkout.body.order).toBeUndefined();
      const confirmed = checkout.headers['x-stale'] ? await settled(order.id, order.accessCode, 'final') : checkout.body;
      expect(confirmed).toMatchObject({ id: order.id, status: 'confirmed', payment: null, registrant: ada });
    });

    it('refuses invalid registrant details with 400, naming the fields', async () => {
      const order = await place([[ga, 1]]);
      const cases: Array<[unknown, Record<string, string>]> = [
        [{ registrant: { ...ada, firstName: ' ', email: 'nope' } }, { 'registrant.firstName': 'The FirstName field is required.', 'registrant.email': expect.any(String) }],
        [{ registrant: { ...ada, lastName: 'x'.repeat(101) } }, { 'registrant.lastName': expect.any(String) }],
        [{ registrant: { firstName: 'Ada' } }, { 'registrant.lastName': 'is required', 'registrant.email': 'is required' }],
        [{ registrant: ada, paymentMethod: 'invoice' }, { paymentMethod: expect.any(String) }],
      ] as Array<[unknown, Record<string, string>]>;
      for (const [body, fields] of cases) {
        const response = await api('POST', `/api/orders/${order.id}/checkout`, body, order.accessCode);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.error.fields).toEqual(fields);
      }
      expect((await settled(order.id, order.accessCode)).registrant).toBeNull();
    });
  });

  describe('locating an order', () => {
    it('finds an order by the registrant’s e-mail and the access code in any case, also for an unpublished conference', async () => {
      const closing = await publishedConference(server, [{ name: 'GA', price: 100, quantity: 5 }]);
      const order = await place([[closing.seatTypeIds[0], 1]], closing.slug);
      const find = (body: unknown, slug = closing.slug) => api('POST', `/api/conferences/${slug}/orders/find`, body);
      const NO_ORDER = { error: { code: 'not_found', message: 'No order was found for this e-mail address and order number.' } };
      // No registrant yet: not findable.
      expect((await find({ email: ada.email, accessCode: order.accessCode })).body).toEqual(NO_ORDER);
      await checkoutPaid(order);
      await settle(server);
      await server.store.transaction((tx) => server.store.append(tx, [conferenceEvent('ConferenceUnpublished', closing.id, 2)]));
      await settle(server);
      const found = await find({ email: ' ADA@Example.com ', accessCode: order.accessCode.toLowerCase() }, closing.slug.toLowerCase());
      expect(found.status).toBe(200);
      expect(found.body).toEqual({ orderId: order.id, conferenceSlug: closing.slug });
      for (const [body, slug] of [
        [{ email: 'bob@example.com', accessCode: order.accessCode }, closing.slug],
        [{ email: ada.email, accessCode: 'ZZZZZZ' }, closing.slug],
        [{ email: ada.email, accessCode: order.accessCode }, conference.slug],
        [{ email: ada.email, accessCode: order.accessCode }, 'nowhere'],
      ] as const) {
        const response = await find(body, slug);
        expect(response.status).toBe(404);
        expect(response.body).toEqual(NO_ORDER);
      }
      expect((await find({ email: ada.email })).status).toBe(400);
    });

    it('allows 10 failed look-ups per e-mail and client, then 429', async () => {
      const email = `${newId()}@example.com`;
      for (let attempt = 0; attempt < 10; attempt++) {
        expect((await api('POST', `/api/conferences/${conference.slug}/orders/find`, { email, accessCode: 'ZZZZZZ' })).status).toBe(404);
      }
      const limited = await api('POST', `/api/conferences/${conference.slug}/orders/find`, { email: email.toUpperCase(), accessCode: 'ZZZZZZ' });
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
    });
  });

  describe('seat assignment', () => {
    it('is refused until the order is confirmed', async () => {
      const order = await place([[ga, 1]]);
      for (const [method, path, body] of [
        ['GET', '', undefined],
        ['PUT', '/0', ada],
        ['DELETE', '/0', undefined],
      ] as const) {
        const response = await api(method, `/api/orders/${order.id}/assignments${path}`, body, order.accessCode);
        expect(response.status).toBe(409);
        expect(response.body.error.message).toBe('Seats can be assigned once the order is completed.');
      }
    });

    it('lists the seats of a confirmed order, assigns and frees them', async () => {
      const order = await place([[ga, 2], [cp, 1]]);
      const { paymentId, token } = await checkoutPaid(order);
      await api('POST', `/api/payments/${paymentId}/accept`, { token }, order.accessCode);
      await settled(order.id, order.accessCode, 'final');
      const path = `/api/orders/${order.id}/assignments`;

      const listed = await api('GET', path, undefined, order.accessCode);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([
        { position: 0, seatTypeId: ga, seatTypeName: 'General admission', attendee: null },
        { position: 1, seatTypeId: ga, seatTypeName: 'General admission', attendee: null },
        { position: 2, seatTypeId: cp, seatTypeName: 'Cocktail party', attendee: null },
      ]);

      const grace = { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' };
      const assigned = await api('PUT', `${path}/2`, { ...grace, email: ' grace@example.com ' }, order.accessCode);
      expect(assigned.status).toBe(202);
      expect(assigned.body).toEqual({ position: 2, seatTypeId: cp, seatTypeName: 'Cocktail party', attendee: grace });
      expect((await api('GET', `${path}?minPosition=0`, undefined, order.accessCode)).body[2].attendee).toEqual(grace);

      const invalid = await api('PUT', `${path}/1`, { ...grace, email: 'not-an-address', firstName: '' }, order.accessCode);
      expect(invalid.status).toBe(400);
      expect(Object.keys(invalid.body.error.fields).sort()).toEqual(['email', 'firstName']);
      expect((await api('PUT', `${path}/1`, { firstName: 'Grace' }, order.accessCode)).status).toBe(400);
      for (const [method, body] of [
        ['PUT', grace],
        ['DELETE', undefined],
      ] as const) {
        const unknown = await api(method, `${path}/3`, body, order.accessCode);
        expect(unknown.status).toBe(404);
        expect(unknown.body.error.message).toBe('There is no seat at this position.');
      }

      const freed = await api('DELETE', `${path}/2`, undefined, order.accessCode);
      expect(freed.status).toBe(202);
      expect(freed.body).toEqual({ position: 2, seatTypeId: cp, seatTypeName: 'Cocktail party', attendee: null });
      expect((await api('GET', path, undefined, order.accessCode)).body[2].attendee).toBeNull();
    });
  });

  it('documents every route, its answers and the access-code scheme in the OpenAPI document', async () => {
    const response = await server.app.inject({ url: '/api/docs/json' });
    const document = response.json();
    expect(document.components.securitySchemes.orderAccessCode).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-access-code' });
    const expected: Record<string, Record<string, string[]>> = {
      '/api/conferences/{slug}/orders': { post: ['200', '202', '400', '404', '409', '429'] },
      '/api/orders/{orderId}': { get: ['200', '400', '401', '404', '429'] },
      '/api/orders/{orderId}/seats': { put: ['202', '400', '401', '404', '409', '429'] },
      '/api/orders/{orderId}/checkout': { post: ['202', '400', '401', '404', '409', '429'] },
      '/api/conferences/{slug}/orders/find': { post: ['200', '400', '404', '429'] },
      '/api/orders/{orderId}/assignments': { get: ['200', '400', '401', '404', '409', '429'] },
      '/api/orders/{orderId}/assignments/{position}': { put: ['202', '400', '401', '404', '409', '429'], delete: ['202', '400', '401', '404', '409', '429'] },
      '/api/payments/{paymentId}': { get: ['200', '400', '401', '404', '429'] },
      '/api/payments/{paymentId}/accept': { post: ['202', '400', '401', '404', '409', '429'] },
      '/api/payments/{paymentId}/reject': { post: ['202', '400', '401', '404', '409', '429'] },
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const [method, statuses] of Object.entries(methods)) {
        const operation = document.paths[path]?.[method];
        expect(operation, `${method} ${path}`).toBeDefined();
        expect(Object.keys(operation.responses).sort(), `${method} ${path}`).toEqual(statuses);
      }
    }
    const order = document.paths['/api/orders/{orderId}'].get;
    expect(order.security).toEqual([{ orderAccessCode: [] }]);
    expect(order.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(expect.arrayContaining(['until', 'minVersion', 'minPosition', 'waitMs']));
  });
});

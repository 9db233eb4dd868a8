import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seatSelectionForm } from '../web/registration-site-fixture.ts';
import { type PlacedOrder, Registrant, type World, buildWorld, logIds, placeOrder, settle } from './security-fixture.ts';

/**
 * The processor's callbacks (DOMAIN 3.3, 6.1; API.md `POST /api/payments/{id}/accept|reject`): only
 * the payment's one-time token answers a payment, once; a refused callback writes nothing.
 */
describe('payment processor callbacks', () => {
  let w: World;
  let ip = 0;
  const browser = () => new Registrant(w.server, `198.19.0.${++ip}`);

  beforeAll(async () => {
    w = await buildWorld();
  });
  afterAll(() => w.server.close());

  /** Runs `refused` requests and proves the log is as it was (processing settled before and after). */
  async function writesNothing(label: string, refused: () => Promise<void>) {
    await settle(w.server);
    const before = await logIds(w.server);
    await refused();
    await settle(w.server);
    expect(await logIds(w.server), `${label} wrote to the log`).toEqual(before);
  }

  const api = (order: PlacedOrder, answer: 'accept' | 'reject', body: unknown, accessCode = order.accessCode) =>
    w.server.app.inject({ method: 'POST', url: `/api/payments/${order.payment!.id}/${answer}`, payload: body as object, headers: { 'x-access-code': accessCode }, remoteAddress: `198.19.1.${++ip}` });

  it('API: a missing, empty, wrong or another payment’s token is refused (404); the token answers once; a second answer is refused (409)', async () => {
    const order = await placeOrder(w.server, w.a);
    const other = await placeOrder(w.server, w.a);
    const { token } = order.payment!;
    await writesNothing('answers with bad tokens', async () => {
      for (const answer of ['accept', 'reject'] as const) {
        for (const [label, body] of [
          ['no token', {}],
          ['an empty token', { token: '' }],
          ['a wrong token', { token: 'not-the-token' }],
          ['a token of the right length but wrong', { token: token.replace(/^./, token[0] === 'A' ? 'B' : 'A') }],
          ['another payment’s token', { token: other.payment!.token }],
          ['the token in another case', { token: token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase() }],
        ] as const) {
          const response = await api(order, answer, body);
          expect(response.statusCode, `${answer} with ${label}`).toBe(404);
          expect(response.json().error.code).toBe('not_found');
        }
        // The right token with another order's code: the credentials fail first.
        expect((await api(order, answer, { token }, other.accessCode)).statusCode).toBe(404);
      }
    });
    // The refusals used nothing up: the token answers now.
    expect((await api(order, 'accept', { token })).statusCode).toBe(202);
    await settle(w.server);
    const confirmed = await w.server.app.inject({ url: `/api/orders/${order.id}?until=final&waitMs=5000`, headers: { 'x-access-code': order.accessCode } });
    expect(confirmed.json().status).toBe('confirmed');
    await writesNothing('answers with a used token', async () => {
      for (const answer of ['accept', 'reject'] as const) {
        const again = await api(order, answer, { token });
        expect(again.statusCode, `${answer} again`).toBe(409);
      }
    });
    // The other payment's token still answers its own payment: the refusals used nothing up.
    expect((await api(other, 'reject', { token: other.payment!.token })).statusCode).toBe(202);
  });

  /** A paid order checked out through the pages: its processor link carries a token bound to this browser's session. */
  async function checkoutInBrowser(registrant: Registrant) {
    const selection = await registrant.get(`/${w.a.slug}/register`);
    const placed = await registrant.post(`/${w.a.slug}/register`, seatSelectionForm(selection.body, { [w.a.seatTypeIds[0]]: 1 }));
    const checkout = await registrant.follow(placed);
    const orderId = new URL(checkout.url, 'http://x').searchParams.get('orderId')!;
    const email = `page${ip}@example.com`;
    const sent = await registrant.post(`/${w.a.slug}/registrant?orderId=${orderId}`, { firstName: 'Ada', lastName: 'Lovelace', email, confirmEmail: email, paymentMethod: 'card' });
    const processor = await registrant.follow(sent);
    const link = new URL(processor.url, 'http://x');
    expect(link.pathname).toBe('/payment');
    const details = await registrant.get(`/${w.a.slug}/order/${orderId}`);
    const accessCode = /<dd class="access-code">(\w+)</.exec(details.body)![1];
    return { orderId, accessCode, paymentId: link.searchParams.get('paymentId')!, token: link.searchParams.get('token')! };
  }

  const post = (registrant: Registrant, answer: 'accept' | 'reject', paymentId: string, token: string | undefined): Promise<LightMyRequestResponse> =>
    registrant.post(`/${w.a.slug}/third-party-payment/${answer}`, token === undefined ? { paymentId } : { paymentId, token });

  it('pages: the processor’s return addresses need this session’s token, used once; another browser and the API get nothing from it', async () => {
    const owner = browser();
    const { orderId, accessCode, paymentId, token } = await checkoutInBrowser(owner);
    const stranger = browser();
    await stranger.get(`/${w.a.slug}/order/find`);

    await writesNothing('refused page callbacks', async () => {
      for (const answer of ['accept', 'reject'] as const) {
        for (const [label, who, given] of [
          ['no token', owner, undefined],
          ['an empty token', owner, ''],
          ['a wrong token', owner, 'not-the-token'],
          ['another payment’s token', owner, w.pending.payment!.token],
          ['the token in another browser', stranger, token],
        ] as const) {
          const response = await post(who, answer, paymentId, given);
          expect(response.statusCode, `${answer} with ${label}`).toBe(404);
          expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
        }
        // Nor does the processor page open in another browser.
        const elsewhere = await stranger.get(`/payment?paymentId=${paymentId}&token=${encodeURIComponent(token)}`);
        expect(elsewhere.statusCode).toBe(404);
        // The API does not take a token bound to a browser session, even with the order's code.
        const viaApi = await w.server.app.inject({ method: 'POST', url: `/api/payments/${paymentId}/${answer}`, payload: { token }, headers: { 'x-access-code': accessCode } });
        expect(viaApi.statusCode).toBe(404);
      }
    });

    const accepted = await post(owner, 'accept', paymentId, token);
    expect(accepted.statusCode, accepted.body).toBe(303);
    expect(accepted.headers.location).toMatch(new RegExp(`^/${w.a.slug}/confirmation\\?orderId=${orderId}`));
    await writesNothing('answers with a used token', async () => {
      for (const answer of ['accept', 'reject'] as const) {
        const again = await post(owner, answer, paymentId, token);
        expect(again.statusCode, `${answer} again`).toBe(409);
      }
      expect((await owner.get(`/payment?paymentId=${paymentId}&token=${encodeURIComponent(token)}`)).statusCode).toBe(409);
    });
  });
});

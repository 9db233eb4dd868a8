import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURES_PER_CLIENT, FAILURES_PER_TARGET } from '../../src/web/credential-limits.ts';
import { TOO_MANY_ATTEMPTS } from '../../src/web/rate-limiter.ts';
import { Registrant, type World, buildWorld, ownerOf } from './security-fixture.ts';

/**
 * A credential check (API.md Credentials): `attempt(ip, right)` sends the credentials from one
 * client, wrong ones or the right ones.
 */
interface Check {
  name: string;
  kind: 'api' | 'page';
  attempt(w: World, ip: string, right: boolean): Promise<LightMyRequestResponse>;
}

/** A browser with a session and a CSRF token, opened on `page`. */
async function browserOn(w: World, ip: string, page: string): Promise<Registrant> {
  const browser = new Registrant(w.server, ip);
  await browser.get(page);
  return browser;
}

const browsers = new Map<string, Registrant>();
async function browserFor(w: World, ip: string, page: string) {
  const key = `${ip} ${page}`;
  if (!browsers.has(key)) browsers.set(key, await browserOn(w, ip, page));
  return browsers.get(key)!;
}

const CHECKS: Check[] = [
  {
    name: 'operator log-in (/ops)',
    kind: 'page',
    attempt: async (w, ip, right) => (await browserFor(w, ip, '/ops')).post('/ops', { token: right ? w.server.config.operatorToken : 'wrong-token' }),
  },
  {
    name: 'operator token (/api/ops)',
    kind: 'api',
    attempt: (w, ip, right) => w.server.app.inject({ url: '/api/ops/messages?limit=1', headers: { authorization: `Bearer ${right ? w.server.config.operatorToken : 'wrong'}` }, remoteAddress: ip }),
  },
  {
    name: 'operator token (/metrics)',
    kind: 'api',
    attempt: (w, ip, right) => w.server.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${right ? w.server.config.operatorToken : 'wrong'}` }, remoteAddress: ip }),
  },
  {
    name: 'management log-in (/manage/locate)',
    kind: 'page',
    attempt: async (w, ip, right) => (await browserFor(w, ip, '/manage/locate')).post('/manage/locate', { email: w.a.ownerEmail, accessCode: right ? w.a.accessCode : 'WRONG1' }),
  },
  {
    name: 'management Basic auth',
    kind: 'api',
    attempt: (w, ip, right) =>
      w.server.app.inject({ url: `/api/management/conferences/${w.a.slug}`, headers: ownerOf({ ownerEmail: w.a.ownerEmail, accessCode: right ? w.a.accessCode : 'WRONG1' }), remoteAddress: ip }),
  },
  {
    name: 'order lookup page (/{slug}/order/find)',
    kind: 'page',
    attempt: async (w, ip, right) =>
      (await browserFor(w, ip, `/${w.a.slug}/order/find`)).post(`/${w.a.slug}/order/find`, { email: w.paid.email, accessCode: right ? w.paid.accessCode : 'WRONG1' }),
  },
  {
    name: 'order lookup API (…/orders/find)',
    kind: 'api',
    attempt: (w, ip, right) =>
      w.server.app.inject({ method: 'POST', url: `/api/conferences/${w.a.slug}/orders/find`, payload: { email: w.paid.email, accessCode: right ? w.paid.accessCode : 'WRONG1' }, remoteAddress: ip }),
  },
  {
    name: 'order access code (x-access-code on /api/orders)',
    kind: 'api',
    attempt: (w, ip, right) => w.server.app.inject({ url: `/api/orders/${w.paid.id}`, headers: { 'x-access-code': right ? w.paid.accessCode : 'WRONG1' }, remoteAddress: ip }),
  },
  {
    name: 'order access code (placing again under an existing orderId)',
    kind: 'api',
    attempt: (w, ip, right) =>
      w.server.app.inject({
        method: 'POST',
        url: `/api/conferences/${w.a.slug}/orders`,
        payload: { orderId: w.paid.id, seats: [{ seatTypeId: w.a.seatTypeIds[0], quantity: 1 }] },
        headers: { 'x-access-code': right ? w.paid.accessCode : 'WRONG1' },
        remoteAddress: ip,
      }),
  },
  {
    name: 'payment access code (x-access-code on /api/payments)',
    kind: 'api',
    attempt: (w, ip, right) => w.server.app.inject({ url: `/api/payments/${w.paid.payment!.id}`, headers: { 'x-access-code': right ? w.paid.accessCode : 'WRONG1' }, remoteAddress: ip }),
  },
  {
    name: 'payment token (API accept)',
    kind: 'api',
    attempt: (w, ip, right) =>
      w.server.app.inject({
        method: 'POST',
        url: `/api/payments/${w.pending.payment!.id}/accept`,
        payload: { token: right ? w.pending.payment!.token : 'wrong-token' },
        headers: { 'x-access-code': w.pending.accessCode },
        remoteAddress: ip,
      }),
  },
  {
    name: 'payment token (processor page /payment)',
    kind: 'page',
    attempt: (w, ip, right) =>
      w.server.app.inject({ url: `/payment?paymentId=${w.pending.payment!.id}&token=${right ? encodeURIComponent(w.pending.payment!.token) : 'wrong-token'}`, remoteAddress: ip }),
  },
  {
    name: 'payment token (return address /{slug}/third-party-payment/accept)',
    kind: 'page',
    attempt: async (w, ip, right) =>
      (await browserFor(w, ip, `/${w.a.slug}/order/find`)).post(`/${w.a.slug}/third-party-payment/accept`, { paymentId: w.pending.payment!.id, token: right ? w.pending.payment!.token : 'wrong-token' }),
  },
];

function expectLimited(response: LightMyRequestResponse, check: Check, label: string) {
  expect(response.statusCode, `${label}: ${response.body.slice(0, 200)}`).toBe(429);
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= FAILURES_PER_TARGET.windowMs / 1000, `${label}: Retry-After ${response.headers['retry-after']}`).toBe(true);
  if (check.kind === 'api') {
    expect(response.json(), label).toEqual({ error: { code: 'rate_limited', message: TOO_MANY_ATTEMPTS } });
  } else {
    expect(response.headers['content-type'], label).toBe('text/html; charset=utf-8');
    expect(response.body, label).toContain(TOO_MANY_ATTEMPTS);
  }
}

describe('rate limits on every credential check', () => {
  let w: World;
  let ip = 0;
  const nextIp = () => `198.18.${Math.floor(++ip / 250)}.${(ip % 250) + 1}`;

  beforeAll(async () => {
    w = await buildWorld();
  });
  afterAll(() => w.server.close());

  it(`allows ${FAILURES_PER_TARGET.max} failures per client and target, then answers 429 with Retry-After, even to the right credentials`, async () => {
    expect(FAILURES_PER_TARGET).toMatchObject({ max: 10, windowMs: 15 * 60 * 1000 });
    for (const check of CHECKS) {
      const client = nextIp();
      for (let failure = 1; failure <= FAILURES_PER_TARGET.max; failure++) {
        const response = await check.attempt(w, client, false);
        expect(response.statusCode, `${check.name}: failure ${failure}`).not.toBe(429);
        expect(response.statusCode, `${check.name}: failure ${failure}`).toBeGreaterThanOrEqual(400);
      }
      expectLimited(await check.attempt(w, client, false), check, `${check.name}: one more wrong`);
      expectLimited(await check.attempt(w, client, true), check, `${check.name}: then the right credentials`);
      // Another client is not limited by this one's failures. (The first to answer the payment uses its
      // token up, which proves the limited right answer before it did not: the later token checks find it used.)
      const other = await check.attempt(w, nextIp(), true);
      expect(other.statusCode, `${check.name}: another client`).toBeLessThan(other.statusCode === 409 && check.name.startsWith('payment token') ? 410 : 400);
      if (check.name === 'payment token (API accept)') expect(other.statusCode, 'the limited right token was not used up').toBe(202);
    }
  });

  it(`allows ${FAILURES_PER_CLIENT.max} failures per client over all targets`, async () => {
    expect(FAILURES_PER_CLIENT).toMatchObject({ max: 100, windowMs: 15 * 60 * 1000 });
    const client = nextIp();
    for (let failure = 1; failure <= FAILURES_PER_CLIENT.max; failure++) {
      // Each failure is for another order: no target reaches its own limit.
      const response = await w.server.app.inject({ url: `/api/orders/${randomUUID()}`, headers: { 'x-access-code': 'WRONG1' }, remoteAddress: client });
      expect(response.statusCode, `failure ${failure}`).toBe(404);
    }
    const check = CHECKS.find(({ name }) => name.startsWith('order access code (x-access-code'))!;
    expectLimited(await check.attempt(w, client, true), check, 'an order never tried before');
    // The budget is the client's over every kind of credential.
    const basic = CHECKS.find(({ name }) => name === 'management Basic auth')!;
    expectLimited(await basic.attempt(w, client, true), basic, 'management credentials');
    const locate = CHECKS.find(({ name }) => name.startsWith('order lookup page'))!;
    expectLimited(await locate.attempt(w, client, true), locate, 'order lookup page');
  });

  it('counts the failures of a client behind TRUST_PROXY by the address the proxy reports', async () => {
    // Without TRUST_PROXY, X-Forwarded-For is the client's own claim: changing it buys no new budget.
    const socket = nextIp();
    for (let failure = 1; failure <= FAILURES_PER_TARGET.max; failure++) {
      await w.server.app.inject({ url: `/api/orders/${w.paid.id}`, headers: { 'x-access-code': 'WRONG1', 'x-forwarded-for': `203.0.113.${failure}` }, remoteAddress: socket });
    }
    const spoofed = await w.server.app.inject({ url: `/api/orders/${w.paid.id}`, headers: { 'x-access-code': w.paid.accessCode, 'x-forwarded-for': '203.0.113.200' }, remoteAddress: socket });
    expect(spoofed.statusCode).toBe(429);
  });
});


import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_SESSION_COOKIE, PUBLIC_SESSION_SECONDS, SESSION_COOKIE } from '../../src/web/sessions.ts';
import { type World, buildWorld } from './security-fixture.ts';

const FORM = 'application/x-www-form-urlencoded';

interface SetCookie {
  name: string;
  attributes: Map<string, string>;
  raw: string;
}

function parseSetCookie(header: string): SetCookie {
  const [pair, ...rest] = header.split(';').map((part) => part.trim());
  const attributes = new Map(
    rest.map((attribute) => {
      const at = attribute.indexOf('=');
      return at < 0 ? [attribute.toLowerCase(), ''] : [attribute.slice(0, at).toLowerCase(), attribute.slice(at + 1)];
    }),
  );
  return { name: pair.slice(0, pair.indexOf('=')), attributes, raw: header };
}

/**
 * A browser going through every flow that sets cookies — management log-in and log-out, operator
 * log-in and log-out, a new order and an order located — with extra headers on every request (as
 * a proxy adds them). Answers every Set-Cookie it received.
 */
async function cookiesOfEveryFlow(w: World, headers: Record<string, string>): Promise<SetCookie[]> {
  const jar = new Map<string, string>();
  const seen: SetCookie[] = [];
  let csrf = '';
  const remember = (response: LightMyRequestResponse) => {
    for (const header of [response.headers['set-cookie'] ?? []].flat()) {
      const cookie = parseSetCookie(String(header));
      seen.push(cookie);
      jar.set(cookie.name, String(header).split(';', 1)[0].slice(cookie.name.length + 1));
    }
    csrf = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1] ?? csrf;
    return response;
  };
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const get = async (url: string) => remember(await w.server.app.inject({ url, headers: { ...headers, cookie: cookie() } }));
  const post = async (url: string, fields: Record<string, string>) =>
    remember(
      await w.server.app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
        headers: { ...headers, cookie: cookie(), 'content-type': FORM },
      }),
    );

  await get('/manage/locate');
  expect((await post('/manage/locate', { email: w.a.ownerEmail, accessCode: w.a.accessCode })).statusCode).toBe(303);
  expect((await get(`/manage/${w.a.slug}/`)).statusCode).toBe(200);
  await post('/manage/logout', {});
  await get('/ops');
  expect((await post('/ops', { token: w.server.config.operatorToken })).statusCode).toBe(303);
  await post('/ops/logout', {});
  const selection = await get(`/${w.a.slug}/register`);
  const orderId = /name="orderId" value="([^"]*)"/.exec(selection.body)![1];
  const placed = await post(`/${w.a.slug}/register`, { orderId, orderVersion: '-1', [`quantity-${w.a.seatTypeIds[1]}`]: '1' });
  expect(placed.statusCode, placed.body).toBe(303);
  await get(`/${w.a.slug}/order/find`);
  expect((await post(`/${w.a.slug}/order/find`, { email: w.paid.email, accessCode: w.paid.accessCode })).statusCode).toBe(303);
  return seen;
}

describe('session cookies', () => {
  let w: World;

  beforeAll(async () => {
    w = await buildWorld({ TRUST_PROXY: '1' });
  });
  afterAll(() => w.server.close());

  function expectSafe(cookies: SetCookie[]) {
    expect(new Set(cookies.map(({ name }) => name))).toEqual(new Set([SESSION_COOKIE, PUBLIC_SESSION_COOKIE]));
    for (const { name, attributes, raw } of cookies) {
      expect(attributes.has('httponly'), raw).toBe(true);
      expect(['lax', 'strict'], raw).toContain(attributes.get('samesite')?.toLowerCase());
      expect(attributes.get('path'), raw).toBe('/');
      expect(attributes.has('domain'), raw).toBe(false);
      if (name === PUBLIC_SESSION_COOKIE && attributes.get('max-age') !== '0') expect(Number(attributes.get('max-age')), raw).toBeLessThanOrEqual(PUBLIC_SESSION_SECONDS);
      // Encrypted: nothing readable of what it holds — no JSON punctuation, no field name (short words
      // such as "ops" turn up in random base64 by chance; these characters never do).
      const value = decodeURIComponent(raw.split(';', 1)[0].slice(name.length + 1));
      expect(value, raw).not.toMatch(/managedConferences|[{}":]/);
    }
  }

  it('are HttpOnly, SameSite=Lax, host-only and not Secure over plain HTTP', async () => {
    const cookies = await cookiesOfEveryFlow(w, {});
    expectSafe(cookies);
    for (const { raw } of cookies) expect(raw.toLowerCase(), raw).not.toContain('secure');
  });

  it('are Secure when the proxy (TRUST_PROXY) reports TLS', async () => {
    const cookies = await cookiesOfEveryFlow(w, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' });
    expectSafe(cookies);
    for (const { attributes, raw } of cookies) expect(attributes.has('secure'), raw).toBe(true);
  });
});

describe('session cookies without TRUST_PROXY', () => {
  let w: World;

  beforeAll(async () => {
    w = await buildWorld();
  });
  afterAll(() => w.server.close());

  it('take no word of a client claiming TLS (x-forwarded-proto is not trusted), and stay HttpOnly and SameSite', async () => {
    const cookies = await cookiesOfEveryFlow(w, { 'x-forwarded-proto': 'https' });
    for (const { attributes, raw } of cookies) {
      expect(attributes.has('httponly'), raw).toBe(true);
      expect(attributes.get('samesite')?.toLowerCase(), raw).toBe('lax');
      expect(attributes.has('secure'), raw).toBe(false);
    }
  });
});

describe('session cookies of a site whose public URL is https', () => {
  let w: World;

  beforeAll(async () => {
    w = await buildWorld({ PUBLIC_URL: 'https://conference.example' });
  });
  afterAll(() => w.server.close());

  it('are Secure even when the proxy in front is not trusted to report TLS', async () => {
    const cookies = await cookiesOfEveryFlow(w, {});
    expect(cookies.length).toBeGreaterThan(0);
    for (const { attributes, raw } of cookies) {
      expect(attributes.has('secure'), raw).toBe(true);
      expect(attributes.has('httponly'), raw).toBe(true);
    }
  });
});

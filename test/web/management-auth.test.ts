import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/stores.ts';
import { BASE, type ConferenceJson, ManagementClient, basic, newConferenceBody } from './management-fixture.ts';
import { type TestServer, testServerOn } from './server-fixture.ts';

type Answer = Awaited<ReturnType<ManagementClient['inject']>>;

/** What a client can tell about a 401: status, body and challenge. */
const seen = (response: Answer) => ({ status: response.statusCode, body: response.json(), challenge: response.headers['www-authenticate'] });

describe.each(STORE_KINDS)('management credentials on %s', (kind) => {
  let server: TestServer;
  let client: ManagementClient;
  let conference: ConferenceJson;
  let other: ConferenceJson;
  let ip = 0;
  /** Each test's requests come from their own client address, so failures of one never limit another. */
  const nextAddress = () => `198.51.100.${++ip}`;

  beforeAll(async () => {
    server = await testServerOn(kind, { env: { CONFERENCE_CREATION_LIMIT: '0' } });
    client = new ManagementClient(server);
    conference = await client.create();
    other = await client.create({ ownerEmail: 'someone@example.com' });
  });
  afterAll(() => server?.close());

  const get = (slug: string, headers: Record<string, string>, remoteAddress: string) =>
    client.inject({ method: 'GET', url: `${BASE}/${slug}`, headers, remoteAddress });
  const owner = () => basic(conference.ownerEmail, conference.accessCode);
  const wrong = () => basic(conference.ownerEmail, conference.accessCode === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA');

  it('answers the same 401 to missing, wrong and foreign credentials and to unknown slugs', async () => {
    const address = nextAddress();
    const cases: Array<[string, Record<string, string>]> = [
      [conference.slug, {}],
      [conference.slug, wrong()],
      [conference.slug, basic('someone@example.com', conference.accessCode)],
      [conference.slug, basic(other.ownerEmail, other.accessCode)],
      [conference.slug, { authorization: 'Basic !!!' }],
      [conference.slug, { authorization: `Bearer ${server.config.operatorToken}` }],
      [conference.slug, basic(`${conference.ownerEmail}\u0000`, conference.accessCode)],
      ['no_such_conference', owner()],
      ['not-a-slug', owner()],
      ['%00', owner()],
    ];
    const answers = [];
    for (const [slug, headers] of cases) answers.push(seen(await get(slug, headers, address)));
    expect(answers[0]).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: expect.any(String) } },
      challenge: 'Basic realm="Contoso Conference"',
    });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    for (const [method, path] of [['PATCH', ''], ['POST', '/publish'], ['POST', '/seat-types'], ['DELETE', `/seat-types/${conference.id}`], ['GET', '/orders'], ['GET', '/stats']] as const) {
      const response = await client.inject({ method, url: `${BASE}/${other.slug}${path}`, headers: owner(), remoteAddress: address, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
      expect(seen(response), `${method} ${path}`).toEqual(answers[0]);
    }
  });

  it('answers 429 with Retry-After once a client failed 10 times for a conference, even with the right code', async () => {
    const address = nextAddress();
    for (let i = 0; i < 10; i++) expect((await get(conference.slug, wrong(), address)).statusCode).toBe(401);
    const limited = await get(conference.slug, owner(), address);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: { code: 'rate_limited', message: 'Too many attempts. Please try again later.' } });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // The slug in another case is the same target; other conferences and other clients are not limited.
    expect((await get(conference.slug.toUpperCase(), owner(), address)).statusCode).toBe(429);
    expect((await get(other.slug, basic(other.ownerEmail, other.accessCode), address)).statusCode).toBe(200);
    expect((await get(conference.slug, owner(), nextAddress())).statusCode).toBe(200);
  });

  it('counts failures on unknown slugs like any other; a success resets nothing; missing credentials are no failure', async () => {
    const address = nextAddress();
    for (let i = 0; i < 25; i++) expect((await get(conference.slug, {}, address)).statusCode).toBe(401);
    for (let i = 0; i < 9; i++) expect((await get(conference.slug, wrong(), address)).statusCode).toBe(401);
    expect((await get(conference.slug, owner(), address)).statusCode).toBe(200);
    expect((await get(conference.slug, wrong(), address)).statusCode).toBe(401);
    expect((await get(conference.slug, owner(), address)).statusCode).toBe(429);

    const probing = nextAddress();
    for (let i = 0; i < 10; i++) expect((await get('ghost_conference', owner(), probing)).statusCode).toBe(401);
    expect((await get('ghost_conference', owner(), probing)).statusCode).toBe(429);
  });

  it('limits a client to 100 failures over all conferences', async () => {
    const address = nextAddress();
    for (let target = 0; target < 10; target++) {
      for (let i = 0; i < 10; i++) expect((await get(`unknown_${target}`, owner(), address)).statusCode).toBe(401);
    }
    const limited = await get(conference.slug, owner(), address);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(conference.slug, owner(), nextAddress())).statusCode).toBe(200);
  });

  describe('client addresses', () => {
    const behindProxy: Record<string, TestServer> = {};
    beforeAll(async () => {
      behindProxy.trusted = await testServerOn(kind, { env: { CONFERENCE_CREATION_LIMIT: '0', TRUST_PROXY: '1' } });
      behindProxy.untrusted = await testServerOn(kind, { env: { CONFERENCE_CREATION_LIMIT: '0' } });
    });
    afterAll(async () => {
      await Promise.all(Object.values(behindProxy).map((s) => s.close()));
    });

    /** Ten failures through the proxy at 10.0.0.1 for `forwardedFor`, then a correct attempt for `next`. */
    async function afterTenFailures(target: TestServer, forwardedFor: string, next: string): Promise<number> {
      const proxied = new ManagementClient(target);
      const own = await proxied.create();
      const attempt = (headers: Record<string, string>, xff: string) =>
        proxied.inject({ method: 'GET', url: `${BASE}/${own.slug}`, headers: { ...headers, 'x-forwarded-for': xff }, remoteAddress: '10.0.0.1' });
      for (let i = 0; i < 10; i++) await attempt(basic(own.ownerEmail, 'WRONG1'), forwardedFor);
      return (await attempt(basic(own.ownerEmail, own.accessCode), next)).statusCode;
    }

    it('with TRUST_PROXY, tells clients apart by the address the proxy reports', async () => {
      expect(await afterTenFailures(behindProxy.trusted, '203.0.113.7', '203.0.113.7')).toBe(429);
      expect(await afterTenFailures(behindProxy.trusted, '203.0.113.8', '203.0.113.9')).toBe(200);
      // Entries before the proxy's are the client's own claims: changing them changes nothing.
      expect(await afterTenFailures(behindProxy.trusted, '192.0.2.1, 203.0.113.10', '192.0.2.2, 203.0.113.10')).toBe(429);
    });

    it('without TRUST_PROXY, ignores X-Forwarded-For', async () => {
      expect(await afterTenFailures(behindProxy.untrusted, '203.0.113.7', '203.0.113.9')).toBe(429);
    });
  });

  describe('conference creation', () => {
    let limited: TestServer;
    beforeAll(async () => {
      limited = await testServerOn(kind, { env: { CONFERENCE_CREATION_LIMIT: '2' } });
    });
    afterAll(() => limited?.close());

    const create = (remoteAddress: string, body = newConferenceBody()) => limited.app.inject({ method: 'POST', url: BASE, payload: body, remoteAddress });

    it('allows CONFERENCE_CREATION_LIMIT creations per client and hour; refused ones do not count', async () => {
      expect((await create('192.0.2.50', newConferenceBody({ slug: 'admin' }))).statusCode).toBe(400);
      expect((await create('192.0.2.50')).statusCode).toBe(201);
      expect((await create('192.0.2.50')).statusCode).toBe(201);
      const refused = await create('192.0.2.50');
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.code).toBe('rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(59 * 60);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60 * 60);
      expect((await create('192.0.2.51')).statusCode).toBe(201);
    });
  });
});

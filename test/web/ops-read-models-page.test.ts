import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { Job, rebuild } from '../../src/platform/read-models/rebuild.ts';
import { unitNamed, versionsOf } from '../read-models/support.ts';
import { PageAgent, expectPage } from './management-pages-fixture.ts';
import { type TestServer, testServer } from './server-fixture.ts';

/** The operator's read-model page (DOMAIN 7.2): versions with status, position and lag; switch and retire forms. */
describe('the read-models page', () => {
  let server: TestServer;
  let browser: PageAgent;

  beforeAll(async () => {
    server = await testServer({ env: { DEMO_DATA: '0' }, registry: createMessageRegistry() });
    browser = new PageAgent(server, '192.0.2.71');
    await browser.get('/ops');
    expect((await browser.post('/ops', { token: server.config.operatorToken })).statusCode).toBe(303);
  });
  afterAll(() => server.close());

  const rows = (page: string, name: string) =>
    [...page.matchAll(/<tr class="(\w+)"><td>([\w-]+)<\/td><td>(\d+)<\/td>/g)].filter((m) => m[2] === name).map((m) => ({ status: m[1], version: Number(m[3]) }));

  it('lists every read model, linked from the operator pages', async () => {
    expect(expectPage(await browser.get('/ops'), 200)).toContain('href="/ops/read-models"');
    const page = expectPage(await browser.get('/ops/read-models'), 200);
    for (const name of ['conferences', 'seat-types', 'draft-orders', 'priced-orders', 'seat-assignments', 'payments', 'management-orders', 'seat-sales', 'sales-over-time']) {
      expect(rows(page, name)).toEqual([{ status: 'live', version: 1 }]);
    }
  });

  it('switches to a kept version and retires the old one with its forms', async () => {
    await rebuild(versionsOf(server), unitNamed('payments'), new Job('payments'), { switch: false });
    expect(rows(expectPage(await browser.get('/ops/read-models'), 200), 'payments')).toEqual([
      { status: 'live', version: 1 },
      { status: 'standby', version: 2 },
    ]);
    const switched = await browser.post('/ops/read-models/payments/versions/2/switch', {});
    expect(switched.statusCode, switched.body).toBe(303);
    expect(rows(expectPage(await browser.get('/ops/read-models'), 200), 'payments')).toEqual([
      { status: 'standby', version: 1 },
      { status: 'live', version: 2 },
    ]);
    await browser.get('/ops/read-models');
    expectPage(await browser.post('/ops/read-models/payments/versions/2/retire', {}), 409);
    await browser.get('/ops/read-models');
    expect((await browser.post('/ops/read-models/payments/versions/1/retire', {})).statusCode).toBe(303);
    expect(rows(expectPage(await browser.get('/ops/read-models'), 200), 'payments')).toEqual([{ status: 'live', version: 2 }]);
    await browser.get('/ops/read-models');
    expectPage(await browser.post('/ops/read-models/payments/versions/2/switch', {}, { csrf: false }), 403);
    for (const version of ['abc', '0', '1.5', '99999999999']) {
      await browser.get('/ops/read-models');
      const refused = expectPage(await browser.post(`/ops/read-models/payments/versions/${version}/retire`, {}), 400);
      expect(refused).toContain('A version is a positive whole number.');
    }
  });
});

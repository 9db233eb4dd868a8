import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/app/open-store.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { pauseWithProcessingSwitch } from '../../src/platform/maintenance/pause-processing.ts';
import { MaintenanceSwitches } from '../../src/platform/maintenance/switches.ts';
import { MAINTENANCE_TEXT, MAINTENANCE_TITLE } from '../../src/web/maintenance/page.tsx';
import { buildServer } from '../../src/web/server.ts';
import { writtenPosition } from '../support/conference-events.ts';
import { eventually } from '../support/eventually.ts';
import { operatorActions as operatorActionsIn } from '../support/operator-actions.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { client, ordersServer, publishedConference } from './orders-fixture.ts';
import { type TestServer, testServerOn } from './server-fixture.ts';

/** Maintenance mode (DOMAIN 7.4, API.md Maintenance): the switches, what they close, processing paused. */

const UNAVAILABLE = { error: { code: 'unavailable', message: MAINTENANCE_TEXT } };

/** Sets switches through the operator API; answers the state it reports. */
async function switchMaintenance(server: TestServer, changes: Record<string, unknown>) {
  const response = await server.app.inject({ method: 'POST', url: '/api/ops/maintenance', headers: server.auth, payload: changes });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

function expectMaintenancePage(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(response.statusCode, response.body).toBe(503);
  expect(response.headers['content-type']).toMatch(/^text\/html/);
  expect(response.headers['retry-after']).toBeDefined();
  expect(response.headers['content-security-policy']).toBeDefined();
  expect(response.body).toContain(`<h1>${MAINTENANCE_TITLE}</h1>`);
  expect(response.body).toContain(`<p>${MAINTENANCE_TEXT}</p>`);
}

function expectUnavailable(response: { statusCode: number; body: string }) {
  expect(response.statusCode, response.body).toBe(503);
  expect(JSON.parse(response.body)).toEqual(UNAVAILABLE);
}

describe.each(STORE_KINDS)('maintenance of the sites on %s', (kind) => {
  let server: TestServer;
  let slug = '';

  beforeAll(async () => {
    server = await ordersServer(kind);
    slug = (await publishedConference(server, [{ name: 'General admission', price: 10_000, quantity: 10 }])).slug;
  });
  afterAll(() => server.close());

  const get = (url: string, headers: Record<string, string> = {}) => server.app.inject({ url, headers });
  const operatorActions = () => operatorActionsIn(server.store);

  it('starts with every switch off', async () => {
    const response = await get('/api/ops/maintenance', server.auth);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ public: false, management: false, processing: false, processingStatus: 'running' });
  });

  it('closes every page and API route of the public site, and nothing else', async () => {
    expect(await switchMaintenance(server, { public: true })).toMatchObject({ public: true, management: false, processing: false });
    for (const url of ['/', `/${slug}`, `/${slug}/`, `/${slug}/register`, `/${slug}/order/find`, '/payment?paymentId=x&token=y', '/no-such-conference/x/y']) {
      expectMaintenancePage(await get(url));
    }
    // A form post is closed before its CSRF token or body is looked at.
    expectMaintenancePage(await server.app.inject({ method: 'POST', url: `/${slug}/register`, payload: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    expectUnavailable(await get('/api/conferences'));
    expectUnavailable(await get(`/api/conferences/${slug}`));
    expectUnavailable(await server.app.inject({ method: 'POST', url: `/api/conferences/${slug}/orders`, payload: { seats: [] } }));
    expectUnavailable(await get('/api/orders/00000000-0000-0000-0000-000000000000'));
    expectUnavailable(await get('/api/payments/00000000-0000-0000-0000-000000000000'));

    // The management site, the operator's pages and API, health, metrics, docs and assets stay up.
    expect((await get('/manage')).statusCode).toBe(200);
    expect((await get('/manage/assets/manage.css')).statusCode).toBe(200);
    expect((await get('/api/management/conferences/x')).statusCode).toBe(401);
    expect((await get('/ops')).statusCode).toBe(200);
    expect((await get('/api/ops/maintenance', server.auth)).statusCode).toBe(200);
    expect((await get('/health')).statusCode).toBe(200);
    expect((await get('/health/ready')).statusCode).toBe(200);
    expect((await get('/assets/site.css')).statusCode).toBe(200);
    expect((await get('/assets/registration.css')).statusCode).toBe(200);
    const metrics = await get('/metrics', server.auth);
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('contoso_maintenance{switch="public"} 1');
    expect(metrics.body).toContain('contoso_maintenance{switch="management"} 0');
    const docs = await get('/api/docs/json');
    expect(docs.statusCode).toBe(200);
    expect(Object.keys(docs.json().paths['/api/ops/maintenance'])).toEqual(['get', 'post']);
  });

  it('closes the management site on its own switch', async () => {
    await switchMaintenance(server, { public: false, management: true });
    expect((await get('/')).statusCode).toBe(200);
    expect((await get(`/${slug}/`)).statusCode).toBe(200);
    for (const url of ['/manage', '/manage/', '/manage/locate', `/manage/${slug}/seats`]) expectMaintenancePage(await get(url));
    expectUnavailable(await get('/api/management/conferences/x'));
    expectUnavailable(await server.app.inject({ method: 'POST', url: '/api/management/conferences', payload: {} }));
    expect((await get('/manage/assets/manage.css')).statusCode).toBe(200);
    expect((await get('/api/conferences')).statusCode).toBe(200);
    await switchMaintenance(server, { management: false });
    expect((await get('/manage')).statusCode).toBe(200);
  });

  it('logs each change as an operator action', async () => {
    expect(await operatorActions()).toEqual([
      { action: 'start-maintenance', target: 'public', reason: null },
      { action: 'end-maintenance', target: 'public', reason: null },
      { action: 'start-maintenance', target: 'management', reason: null },
      { action: 'end-maintenance', target: 'management', reason: null },
    ]);
  });

  it('refuses invalid changes (400) and callers without the operator token (401)', async () => {
    for (const payload of [{ public: 'yes' }, { everything: true }, []]) {
      const response = await server.app.inject({ method: 'POST', url: '/api/ops/maintenance', headers: server.auth, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await server.app.inject({ method: 'POST', url: '/api/ops/maintenance', payload: { public: true } })).statusCode).toBe(401);
    expect((await get('/api/ops/maintenance')).statusCode).toBe(401);
    expect((await get('/')).statusCode).toBe(200);
  });
});

describe.each(STORE_KINDS)('processing paused on %s', (kind) => {
  let server: TestServer;
  let switches: MaintenanceSwitches;
  let conference: Awaited<ReturnType<typeof publishedConference>>;

  beforeAll(async () => {
    server = await ordersServer(kind);
    // As `conference serve` does for the worker side of the process.
    switches = await MaintenanceSwitches.open(server.store);
    pauseWithProcessingSwitch(switches, [server.processing!]);
    conference = await publishedConference(server, [{ name: 'General admission', price: 10_000, quantity: 10 }]);
  });
  afterAll(async () => {
    switches.close();
    await server.close();
  });

  const status = async () => (await server.app.inject({ url: '/api/ops/maintenance', headers: server.auth })).json();

  it('finishes the messages in hand, accepts orders meanwhile, and processes them all on resume', async () => {
    const api = client(server);
    expect(await switchMaintenance(server, { processing: true })).toMatchObject({ processing: true });
    await eventually(async () => (await status()).processingStatus === 'paused');
    expect(server.processing!.subscriptions.every((subscription) => !subscription.running)).toBe(true);
    const metrics = await server.app.inject({ url: '/metrics', headers: server.auth });
    expect(metrics.body).toContain('contoso_processing_paused 1');

    // The sites stay open and accept commands: logged, their follow-up work waits.
    const placed = [];
    for (let i = 0; i < 3; i++) {
      const response = await api('POST', `/api/conferences/${conference.slug}/orders`, { seats: [{ seatTypeId: conference.seatTypeIds[0], quantity: 2 }] });
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({ status: 'pending' });
      placed.push(response.body as { id: string; accessCode: string });
    }
    const commands = await server.store.db.selectFrom('messages').select('payload').where('kind', '=', 'command').where('type', '=', 'RegisterToConference').execute();
    expect(commands.map((row) => JSON.parse(row.payload).orderId).sort()).toEqual(placed.map((order) => order.id).sort());
    const written = await writtenPosition(server.store);
    for (const subscription of server.processing!.subscriptions) expect(subscription.seen, subscription.name).toBeLessThan(written);

    expect(await switchMaintenance(server, { processing: false })).toMatchObject({ processing: false });
    for (const order of placed) {
      const settled = await api('GET', `/api/orders/${order.id}?until=settled&waitMs=10000`, undefined, order.accessCode);
      expect(settled.status).toBe(200);
      expect(settled.body).toMatchObject({ status: 'reserved', total: 20_000 });
    }
    expect((await status()).processingStatus).toBe('running');
    expect(await operatorActionsIn(server.store)).toEqual([
      { action: 'start-maintenance', target: 'processing', reason: null },
      { action: 'end-maintenance', target: 'processing', reason: null },
    ]);
  });
});

describe('maintenance switches shared by two servers on one PostgreSQL database', () => {
  let first: TestServer;
  let second: Awaited<ReturnType<typeof buildServer>>;
  let secondStore: Awaited<ReturnType<typeof openStore>>;

  beforeAll(async () => {
    first = await testServerOn('postgres', { registry: createMessageRegistry(), env: { DEMO_DATA: '0' } });
    secondStore = await openStore(first.config);
    second = await buildServer({ config: first.config, store: secondStore, registry: createMessageRegistry(), logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await second.close();
    await secondStore.close();
    await first.close();
  });

  it('a switch set through one server closes the area on the other', async () => {
    expect((await second.inject({ url: '/' })).statusCode).toBe(200);
    await switchMaintenance(first, { public: true, management: true });
    await eventually(async () => (await second.inject({ url: '/' })).statusCode === 503);
    expectMaintenancePage(await second.inject({ url: '/manage' }));
    const seen = await second.inject({ url: '/api/ops/maintenance', headers: first.auth });
    expect(seen.json()).toEqual({ public: true, management: true, processing: false });
    await switchMaintenance(first, { public: false, management: false });
    await eventually(async () => (await second.inject({ url: '/manage' })).statusCode === 200);
    expect((await second.inject({ url: '/' })).statusCode).toBe(200);
  });
});

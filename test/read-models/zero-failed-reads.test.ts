import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job, rebuild } from '../../src/platform/read-models/rebuild.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { ordersServer, settle } from '../web/orders-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';
import { dump, registrations, unitNamed, versionsOf } from './support.ts';

describe.each(STORE_KINDS)('rebuilding under live traffic on %s', (kind) => {
  let server: TestServer;
  let traffic: ReturnType<typeof registrations>;
  const ops = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    server.app.inject({ method, url: `/api/ops${url}`, headers: server.auth, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    server = await ordersServer(kind);
    traffic = registrations(server);
    for (let i = 0; i < 20; i++) await traffic.register();
  });
  afterAll(() => server.close());

  it('answers every read, fresh, while draft and priced orders are rebuilt and switched; the results equal a rebuild from scratch', async () => {
    const jobs: string[] = [];
    const running = async () => {
      const states = await Promise.all(jobs.map(async (id) => (await ops('GET', `/jobs/${id}`)).json().status));
      expect(states).not.toContain('failed');
      return states.includes('running');
    };
    // Three registrants at a time, each checking every answer, from before the rebuilds start until a few
    // registrations after both switched.
    let registered = 0;
    let trafficFlowing!: () => void;
    const flowing = new Promise<void>((resolve) => (trafficFlowing = resolve));
    const registrant = async () => {
      for (let after = 0; ; ) {
        await traffic.register();
        if (++registered === 3) trafficFlowing();
        if (jobs.length < 2 || (await running())) continue;
        if (after++ >= 2) return;
      }
    };
    const registrants = Promise.all([registrant(), registrant(), registrant()]);
    await flowing;
    const before = registered;
    for (const name of ['draft-orders', 'priced-orders']) {
      const started = await ops('POST', `/read-models/${name}/rebuild`, {});
      expect(started.statusCode, started.body).toBe(202);
      jobs.push(started.json().jobId);
    }
    await registrants;
    expect(registered).toBeGreaterThan(before + 3);
    for (const id of jobs) expect((await ops('GET', `/jobs/${id}`)).json()).toMatchObject({ status: 'done', eta: null });

    const listed = (await ops('GET', '/read-models')).json() as Array<{ name: string; version: number; status: string }>;
    for (const name of ['draft-orders', 'priced-orders']) {
      expect(listed.filter((entry) => entry.name === name).map(({ version, status }) => ({ version, status }))).toEqual([
        { version: 1, status: 'standby' },
        { version: 2, status: 'live' },
      ]);
    }

    await settle(server);
    const versions = versionsOf(server);
    for (const name of ['draft-orders', 'priced-orders']) {
      const unit = unitNamed(name);
      const fresh = await rebuild(versions, unit, new Job(name), { switch: false });
      expect(fresh).toMatchObject({ version: 3, switched: false, failed: 0 });
      expect(await dump(server.store, unit)).toEqual(await dump(server.store, unit, 3));
    }
  });

  it('switches back through the API, refuses to retire the live version, retires a kept one', async () => {
    expect((await ops('POST', '/read-models/draft-orders/switch', { version: 1 })).statusCode).toBe(200);
    expect((await ops('DELETE', '/read-models/draft-orders/versions/1')).statusCode).toBe(409);
    expect((await ops('DELETE', '/read-models/draft-orders/versions/2')).statusCode).toBe(204);
    expect((await ops('POST', '/read-models/draft-orders/switch', { version: 9 })).statusCode).toBe(404);
    expect((await ops('POST', '/read-models/nothing/rebuild', {})).statusCode).toBe(404);
    await traffic.register();
    const listed = (await ops('GET', '/read-models')).json() as Array<{ name: string; version: number; status: string }>;
    expect(listed.filter((entry) => entry.name === 'draft-orders').map(({ version, status }) => ({ version, status }))).toEqual([
      { version: 1, status: 'live' },
      { version: 3, status: 'standby' },
    ]);
    expect(listed.filter((entry) => entry.name === 'seat-types')).toEqual([{ name: 'seat-types', version: 1, status: 'live', position: expect.any(Number), lagMessages: expect.any(Number), lagSeconds: expect.any(Number) }]);
  });
});

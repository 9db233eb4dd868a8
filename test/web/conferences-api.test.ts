import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/app/open-store.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { catalogueProjection } from '../../src/contexts/registration/catalogue/projection.ts';
import { newEvent, originFromRequest } from '../../src/platform/messages/factory.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { type Server, buildServer } from '../../src/web/server.ts';
import { appendEvents, createConference, writtenPosition } from '../support/conference-events.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { type TestServer, testServerOn } from './server-fixture.ts';

const registry = createMessageRegistry();
let slugs = 0;
const uniqueSlug = (prefix: string) => `${prefix}_${++slugs}`;

describe.each(STORE_KINDS)('the public conference API on %s', (kind) => {
  let server: TestServer;
  let catalogueId: string;

  beforeAll(async () => {
    server = await testServerOn(kind, { registry, handlers: [catalogueProjection] });
    server.processing!.start();
    catalogueId = (
      await createConference(server.store, {
        conference: { slug: 'Spring_Conf', name: 'Spring', tagline: null, twitterSearch: '#spring', startDate: '2030-04-01', endDate: '2030-04-02' },
        seats: [
          { name: 'Conference', description: 'Main days', price: 119_700, quantity: 250 },
          { name: 'Workshop', description: 'Hands-on', price: 0, quantity: 0 },
        ],
      })
    ).id;
    await createConference(server.store, { conference: { slug: 'autumn', name: 'Autumn', startDate: '2030-10-01', endDate: '2030-10-01' } });
    await createConference(server.store, { conference: { slug: 'draft', name: 'Draft' }, published: false });
    await settle();
  });
  afterAll(() => server.close());
  afterEach(() => server.processing!.start());

  const get = (url: string, app: Server = server.app) => app.inject({ url });

  async function settle(): Promise<void> {
    await expect(server.processing!.waitFor(catalogueProjection.name, await writtenPosition(server.store), 10_000)).resolves.toBe(true);
  }

  it('lists the published conferences by start date', async () => {
    const response = await get('/api/conferences');
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-stale']).toBeUndefined();
    expect(response.json()).toEqual([
      { slug: 'Spring_Conf', name: 'Spring', tagline: null, location: 'Redmond, WA', startDate: '2030-04-01', endDate: '2030-04-02' },
      { slug: 'autumn', name: 'Autumn', tagline: 'Commands and queries, apart', location: 'Redmond, WA', startDate: '2030-10-01', endDate: '2030-10-01' },
    ]);
  });

  it('answers a published conference by its slug in any case, with its seat types', async () => {
    const response = await get('/api/conferences/spring_CONF');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      id: catalogueId,
      slug: 'Spring_Conf',
      name: 'Spring',
      description: 'Two days of event sourcing.',
      tagline: null,
      location: 'Redmond, WA',
      twitterSearch: '#spring',
      startDate: '2030-04-01',
      endDate: '2030-04-02',
      currency: 'USD',
      seatTypes: [
        { id: expect.any(String), name: 'Conference', description: 'Main days', price: 119_700, available: 250 },
        { id: expect.any(String), name: 'Workshop', description: 'Hands-on', price: 0, available: 0 },
      ],
    });
    expect(JSON.stringify(body)).not.toContain('olivia@example.com');
  });

  it('answers 404 for unknown and unpublished conferences', async () => {
    for (const slug of ['nowhere', 'draft', 'DRAFT']) {
      const response = await get(`/api/conferences/${slug}`);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'not_found', message: 'Conference not found.' } });
    }
  });

  it('refuses bad waiting parameters with 400 naming the field', async () => {
    for (const [query, field] of [
      ['waitMs=10001', 'waitMs'],
      ['waitMs=-1', 'waitMs'],
      ['minPosition=abc', 'minPosition'],
      ['minPosition=1.5', 'minPosition'],
      ['colour=red', 'colour'],
    ]) {
      for (const url of [`/api/conferences?${query}`, `/api/conferences/autumn?${query}`]) {
        const response = await get(url);
        expect(response.statusCode, url).toBe(400);
        expect(response.json().error.fields).toHaveProperty(field);
      }
    }
  });

  describe.each(['processing here', 'web-only'])('waiting for minPosition (%s)', (role) => {
    let web: Server;
    let webStore: Store | undefined;

    beforeAll(async () => {
      if (role === 'processing here') {
        web = server.app;
        return;
      }
      // A web process without handlers: on PostgreSQL a store of its own, woken through notifications.
      webStore = kind === 'postgres' ? await openStore(server.config) : server.store;
      web = await buildServer({ config: server.config, store: webStore, registry, logger: pino({ level: 'silent' }) });
    });
    afterAll(async () => {
      if (web === server.app) return;
      await web.close();
      if (webStore !== server.store) await webStore?.close();
    });

    /** A log entry the catalogue does not read: its checkpoint never moves to it. */
    async function appendUnrelated() {
      const event = newEvent('SomethingElse', {}, { sourceType: 'Elsewhere', sourceId: newId(), version: 0, origin: originFromRequest('test') });
      return (await appendEvents(server.store, [event]))[0];
    }

    /** Publishes a conference while the projection is stopped: its position is not yet projected. */
    async function publishWhileStopped(slug: string): Promise<number> {
      await server.processing!.stop();
      return (await createConference(server.store, { conference: { slug, name: slug } })).position;
    }

    it('parks the request until the projection has caught up, then answers fresh data', async () => {
      const slug = uniqueSlug('fresh');
      const position = await publishWhileStopped(slug);
      let answered = false;
      const details = get(`/api/conferences/${slug}?minPosition=${position}&waitMs=10000`, web).finally(() => (answered = true));
      const list = get(`/api/conferences?minPosition=${position}&waitMs=10000`, web);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(answered).toBe(false);
      server.processing!.start();
      const started = Date.now();
      const response = await details;
      // Woken by the projection's commit, not by the end of the wait.
      expect(Date.now() - started).toBeLessThan(5000);
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-stale']).toBeUndefined();
      expect(response.json()).toMatchObject({ slug, name: slug });
      const listed = await list;
      expect(listed.headers['x-stale']).toBeUndefined();
      expect(listed.json()).toEqual(expect.arrayContaining([expect.objectContaining({ slug })]));
    });

    it('answers what it has, marked x-stale, when the wait runs out', async () => {
      const slug = uniqueSlug('late');
      const position = await publishWhileStopped(slug);
      const timedOut = await get(`/api/conferences?minPosition=${position}&waitMs=200`, web);
      expect(timedOut.statusCode).toBe(200);
      expect(timedOut.headers['x-stale']).toBe('true');
      expect(timedOut.json()).not.toEqual(expect.arrayContaining([expect.objectContaining({ slug })]));
      const notYet = await get(`/api/conferences/${slug}?minPosition=${position}`, web);
      expect(notYet.statusCode).toBe(404);
      expect(notYet.headers['x-stale']).toBe('true');
    });

    it('does not wait when the position is projected already, or when no catalogue event precedes it', async () => {
      const { position } = await createConference(server.store, { conference: { slug: uniqueSlug('done') } });
      await settle();
      expect((await get(`/api/conferences?minPosition=${position}&waitMs=10000`, web)).headers['x-stale']).toBeUndefined();
      const unrelated = await appendUnrelated();
      const response = await get(`/api/conferences?minPosition=${unrelated.metadata.position}&waitMs=10000`, web);
      expect(response.headers['x-stale']).toBeUndefined();
    });

    if (kind === 'postgres') it('waits out an older transaction that holds the position back, though nothing signals its end', async () => {
      const holder = new pg.Client({ connectionString: server.config.databaseUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_current_xact_id()');
        const unrelated = await appendUnrelated();
        const response = get(`/api/conferences?minPosition=${unrelated.metadata.position}&waitMs=10000`, web);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await holder.query('COMMIT');
        const started = Date.now();
        expect((await response).headers['x-stale']).toBeUndefined();
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        await holder.end();
      }
    });
  });
});

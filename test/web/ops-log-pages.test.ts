import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedMessage } from '../../src/platform/messages/envelope.ts';
import { newCommand, newEvent, originFromRequest } from '../../src/platform/messages/factory.ts';
import { Timers } from '../../src/platform/processing/timers.ts';
import { toyRegistry } from '../support/toy-domain.ts';
import { PageAgent, expectPage } from './management-pages-fixture.ts';
import { type TestServer, testServer } from './server-fixture.ts';

/** The operator's message log, timeline, dead-letter and timer pages (DOMAIN 7.1, 7.3). */

const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute));
const FORM = 'application/x-www-form-urlencoded';

/** The positions of a log page's rows, in order. */
const positions = (page: string) => [...page.matchAll(/<tr class="message"><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
const nextLink = (page: string) => /<a href="([^"]+)" rel="next">/.exec(page)?.[1].replaceAll('&amp;', '&');

describe('operator log pages', () => {
  let server: TestServer;
  let browser: PageAgent;
  let logged: LoggedMessage[];
  let address = 0;
  const pos = (index: number) => logged[index].metadata.position;

  async function operator(): Promise<PageAgent> {
    const agent = new PageAgent(server, `198.51.100.${++address}`);
    await agent.get('/ops');
    expect((await agent.post('/ops', { token: server.config.operatorToken })).statusCode).toBe(303);
    return agent;
  }

  beforeAll(async () => {
    server = await testServer();
    const event = (type: string, sourceId: string, version: number, minute: number, data: unknown = { n: minute }) =>
      newEvent(type, data, { sourceType: 'Order', sourceId, version, origin: { correlationId: sourceId, causationId: `cause-${minute}` }, createdAt: at(minute) });
    const messages = [
      event('OrderPlaced', 'o1', 0, 0), // 0
      event('OrderPlaced', 'o2', 0, 1), // 1
      newCommand('MakeSeatReservation', { orderId: 'o1' }, { target: 'c1', origin: originFromRequest('o1'), createdAt: at(2) }), // 2
      event('SeatsReserved', 'o1', 1, 3, { note: '<script>alert(1)</script>' }), // 3
      event('OrderConfirmed', 'o1', 2, 4), // 4
      newEvent('SeatsAdded', { seats: 5 }, { sourceType: 'Conference', sourceId: 'c1', version: 0, origin: originFromRequest('c1'), createdAt: at(5) }), // 5
      event('OrderExpired', 'o2', 1, 6), // 6
    ];
    logged = await server.store.transaction((tx) => server.store.append(tx, messages));
    browser = await operator();
  });
  afterAll(() => server.close());

  describe('message log', () => {
    it('lists everything in position order with every column', async () => {
      const page = expectPage(await browser.get('/ops/messages'), 200);
      expect(positions(page)).toEqual(logged.map((m) => m.metadata.position));
      const first = logged[0].metadata;
      expect(page).toContain(`<td>${first.position}</td><td>${at(0).toISOString()}</td><td>event</td><td>OrderPlaced</td>`);
      expect(page).toContain('<a href="/ops/messages?sourceType=Order&amp;sourceId=o1" class="source">Order o1</a>');
      expect(page).toContain(`<dd>${first.messageId}</dd>`);
      expect(page).toContain('<dt>causation</dt><dd>cause-0</dd>');
      expect(page).toContain('<dt>causation</dt><dd>—</dd>');
      expect(page).toContain('<a href="/ops/timeline?correlationId=o1">o1</a>');
      expect(page).toContain('<pre class="payload">{\n  &quot;n&quot;: 0\n}</pre>');
      expect(page).toContain('<pre class="metadata">{\n  &quot;target&quot;: &quot;c1&quot;\n}</pre>');
    });

    it('escapes payload text', async () => {
      const page = expectPage(await browser.get('/ops/messages'), 200);
      expect(page).not.toContain('<script>alert');
      expect(page).toContain('&lt;script>alert(1)&lt;/script>');
    });

    it('applies each filter, OR within one and AND across them', async () => {
      const shown = async (query: string) => positions(expectPage(await browser.get(`/ops/messages?${query}`), 200));
      expect(await shown('kind=command')).toEqual([pos(2)]);
      expect(await shown('type=OrderPlaced,%20OrderExpired')).toEqual([pos(0), pos(1), pos(6)]);
      expect(await shown('sourceType=Conference')).toEqual([pos(5)]);
      expect(await shown('sourceId=o2,c1')).toEqual([pos(1), pos(5), pos(6)]);
      expect(await shown('sourceType=Order&sourceId=c1')).toEqual([]);
      expect(await shown('correlationId=o1')).toEqual([pos(0), pos(2), pos(3), pos(4)]);
      expect(await shown('correlationId=o1&kind=event&type=SeatsReserved,OrderConfirmed')).toEqual([pos(3), pos(4)]);
      expect(await shown(`from=${at(3).toISOString()}&until=${at(5).toISOString()}`)).toEqual([pos(3), pos(4)]);
      expect(await shown('from=2024-01-01T01:06:00%2B01:00')).toEqual([pos(6)]);
      expect(await shown(`after=${pos(4)}`)).toEqual([pos(5), pos(6)]);
    });

    it('keeps the filters in the form', async () => {
      const page = expectPage(await browser.get('/ops/messages?type=OrderPlaced&correlationId=o2'), 200);
      expect(page).toContain('<input id="type" name="type" type="text" value="OrderPlaced"');
      expect(page).toContain('<input id="correlationId" name="correlationId" type="text" value="o2"');
    });

    it('pages with the filters kept, up to the last page', async () => {
      const first = expectPage(await browser.get('/ops/messages?sourceType=Order&limit=2'), 200);
      expect(positions(first)).toEqual([pos(0), pos(1)]);
      const next = nextLink(first)!;
      expect(next).toBe(`/ops/messages?sourceType=Order&after=${pos(1)}&limit=2`);
      const second = expectPage(await browser.get(next), 200);
      expect(positions(second)).toEqual([pos(3), pos(4)]);
      const third = expectPage(await browser.get(nextLink(second)!), 200);
      expect(positions(third)).toEqual([pos(6)]);
      expect(nextLink(third)).toBeUndefined();
    });

    it('refuses unknown kinds, times without a zone and bad numbers with field errors (400)', async () => {
      for (const [query, field] of [
        ['kind=signal', 'kind'],
        ['from=2024-01-01T00:00:00', 'from'],
        ['until=soon', 'until'],
        ['after=-1', 'after'],
        ['limit=0', 'limit'],
        ['limit=1001', 'limit'],
      ]) {
        const page = expectPage(await browser.get(`/ops/messages?${query}`), 400);
        expect(page).toContain(`<input id="${field}" name="${field}" aria-invalid="true"`);
        expect(positions(page)).toEqual([]);
      }
    });
  });

  describe('timeline', () => {
    it('shows everything of one correlation id in order, readably', async () => {
      const page = expectPage(await browser.get('/ops/timeline?correlationId=o1'), 200);
      const types = [...page.matchAll(/<strong class="type">([^<]+)<\/strong>/g)].map((m) => m[1]);
      expect(types).toEqual(['OrderPlaced', 'MakeSeatReservation', 'SeatsReserved', 'OrderConfirmed']);
      expect(page).toContain(`<time>${at(3).toISOString()}</time>`);
      expect(page).toContain('Order o1 v1</a>');
      expect(page).toContain('<code>{&quot;note&quot;:&quot;&lt;script>alert(1)&lt;/script>&quot;}</code>');
      expect(page).not.toContain('<script>alert');
    });

    it('is also at the order’s address', async () => {
      const page = expectPage(await browser.get('/ops/orders/o2/timeline'), 200);
      const types = [...page.matchAll(/<strong class="type">([^<]+)<\/strong>/g)].map((m) => m[1]);
      expect(types).toEqual(['OrderPlaced', 'OrderExpired']);
      expect(expectPage(await browser.get('/ops/orders/nobody/timeline'), 200)).toContain('Nothing in the log for nobody.');
    });
  });

  describe('dead letters', () => {
    const letter = (id: string, handler: string, index: number, sourceKey: string) => ({
      id,
      handler,
      position: pos(index),
      message_id: logged[index].metadata.messageId,
      type: logged[index].type,
      source_key: sourceKey,
      error: `Error: failed ${id} <b>`,
      attempts: 5,
      first_failed_at: '2024-01-01T00:00:00.000Z',
      last_failed_at: '2024-01-01T00:05:00.000Z',
      retry_requested: 0,
    });

    beforeAll(async () => {
      await server.store.db
        .insertInto('dead_letters')
        .values([letter('d1', 'projector', 0, 'Order:o1'), letter('d2', 'projector', 1, 'Order:o2'), letter('d3', 'mailer', 3, 'Order:o1'), letter('d4', 'mailer', 5, 'Conference:c1')])
        .execute();
      await server.store.db
        .insertInto('parked_messages')
        .values([
          { handler: 'projector', position: pos(3), source_key: 'Order:o1' },
          { handler: 'projector', position: pos(4), source_key: 'Order:o1' },
        ])
        .execute();
    });

    const retryRequested = async () =>
      (await server.store.db.selectFrom('dead_letters').select(['id', 'retry_requested']).orderBy('id').execute()).filter((row) => row.retry_requested === 1).map((row) => row.id);
    const resetRetries = () => server.store.db.updateTable('dead_letters').set({ retry_requested: 0 }).execute();
    const operatorActions = async () => (await server.store.queryLog({ kinds: ['operator-action'], limit: 100 })).messages.map((m) => m.data);
    const rows = (page: string) => [...page.matchAll(/<tr id="dead-letter-([^"]+)">/g)].map((m) => m[1]);

    it('lists them with handler, message, error, attempts, failures and the messages waiting behind', async () => {
      const page = expectPage(await browser.get('/ops/dead-letters'), 200);
      expect(rows(page)).toEqual(['d1', 'd2', 'd3', 'd4']);
      expect(page).toContain('<pre class="error">Error: failed d1 &lt;b></pre>');
      expect(page).toContain(`<a href="/ops/messages?after=${pos(0) - 1}&amp;limit=1">OrderPlaced #${pos(0)}</a>`);
      expect(page).toContain('<td>5</td><td>2024-01-01T00:00:00.000Z</td><td>2024-01-01T00:05:00.000Z</td><td>2</td>');
      expect(page).toContain('mailer: 2');
      expect(page).toContain('projector: 2');
    });

    it('filters by handler', async () => {
      const page = expectPage(await browser.get('/ops/dead-letters?handler=mailer'), 200);
      expect(rows(page)).toEqual(['d3', 'd4']);
      expect(page).toContain('<option value="mailer" selected>');
    });

    it('retries one, a selection and all of a handler, each logged as an operator action', async () => {
      await resetRetries();
      const one = await browser.post('/ops/dead-letters/d2/retry');
      expect(one.statusCode).toBe(303);
      expect(one.headers.location).toBe('/ops/dead-letters?done=retried');
      expect(await retryRequested()).toEqual(['d2']);
      expect(expectPage(await browser.get('/ops/dead-letters?done=retried'), 200)).toContain('Retry requested');

      await resetRetries();
      const selected = await server.app.inject({
        method: 'POST',
        url: '/ops/dead-letters/retry',
        payload: `_csrf=${encodeURIComponent(browser.csrf)}&ids=d1&ids=d4`,
        headers: { cookie: browser.cookie, 'content-type': FORM },
      });
      expect(selected.statusCode).toBe(303);
      expect(await retryRequested()).toEqual(['d1', 'd4']);

      await resetRetries();
      expect((await browser.post('/ops/dead-letters/retry', { handler: 'mailer' })).statusCode).toBe(303);
      expect(await retryRequested()).toEqual(['d3', 'd4']);
      // Nothing selected, or no such dead letter: back to the list, nothing done, nothing logged.
      await resetRetries();
      for (const [url, fields] of [
        ['/ops/dead-letters/retry', {}],
        ['/ops/dead-letters/nothing/retry', {}],
      ] as const) {
        const none = await browser.post(url, fields);
        expect(none.headers.location).toBe('/ops/dead-letters');
      }
      expect(await retryRequested()).toEqual([]);
      expect(await operatorActions()).toEqual([
        { action: 'retry-dead-letter', target: 'd2', reason: null },
        { action: 'retry-dead-letter', target: 'd1,d4', reason: null },
        { action: 'retry-dead-letter', target: 'handler:mailer', reason: null },
      ]);
    });

    it('refuses a form without the CSRF token, and changes nothing', async () => {
      await resetRetries();
      await browser.get('/ops/dead-letters');
      expectPage(await browser.post('/ops/dead-letters/d1/retry', {}, { csrf: false }), 403);
      expectPage(await browser.post('/ops/dead-letters/d1/discard', { reason: 'stale' }, { csrf: false }), 403);
      expect(await retryRequested()).toEqual([]);
      expect(rows(expectPage(await browser.get('/ops/dead-letters'), 200))).toContain('d1');
    });

    it('refuses to discard without a reason (field error), and discards with one, logged with the reason', async () => {
      await browser.get('/ops/dead-letters');
      const actionsBefore = (await operatorActions()).length;
      const refused = expectPage(await browser.post('/ops/dead-letters/d1/discard', { reason: '   ' }), 400);
      expect(refused).toContain('Give the reason for discarding it.');
      expect(refused).toContain('<input id="reason-d1" name="reason" type="text" required value aria-invalid="true"');
      expect(rows(refused)).toContain('d1');
      expect(await operatorActions()).toHaveLength(actionsBefore);

      const done = await browser.post('/ops/dead-letters/d1/discard', { reason: 'Projection fixed by <hand>' });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/ops/dead-letters?done=discarded');
      expect(rows(expectPage(await browser.get('/ops/dead-letters'), 200))).not.toContain('d1');
      expect((await operatorActions()).slice(actionsBefore)).toEqual([
        { action: 'discard-dead-letter', target: `projector:${logged[0].metadata.messageId}`, reason: 'Projection fixed by <hand>' },
      ]);
      const gone = expectPage(await browser.post('/ops/dead-letters/d1/discard', { reason: 'again' }), 400);
      expect(gone).toContain('There is no such dead letter');
    });
  });

  describe('timers', () => {
    it('lists pending timers earliest first, the due ones marked', async () => {
      const timers = new Timers(server.store);
      const soon = new Date(Date.now() + 3_600_000);
      await server.store.transaction(async (tx) => {
        for (const [target, due] of [
          ['o9', soon],
          ['o7', at(7)],
          ['o8', at(8)],
        ] as const) {
          await timers.schedule(tx, newCommand('ExpireOrder', { orderId: target }, { target: `Order:${target}`, origin: originFromRequest(target) }), due);
        }
      });
      const page = expectPage(await browser.get('/ops/timers'), 200);
      const listed = [...page.matchAll(/<td>(\d{4}-[^<]+)(<strong class="due-mark"> due<\/strong>)?<\/td><td>ExpireOrder<\/td><td>Order:(o\d)<\/td>/g)].map((m) => [m[3], m[2] !== undefined]);
      expect(listed).toEqual([
        ['o7', true],
        ['o8', true],
        ['o9', false],
      ]);
      expect(page).toContain('3 pending, 2 due');
    });
  });

  it('opens none of these pages or forms without the operator session', async () => {
    const stranger = new PageAgent(server, '198.51.100.250');
    for (const url of ['/ops/messages', '/ops/timeline?correlationId=o1', '/ops/orders/o1/timeline', '/ops/dead-letters', '/ops/timers']) {
      const response = await stranger.get(url);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location).toBe('/ops');
    }
    await stranger.get('/ops');
    for (const url of ['/ops/dead-letters/d2/retry', '/ops/dead-letters/retry', '/ops/dead-letters/d2/discard']) {
      const response = await stranger.post(url, { reason: 'x', handler: 'mailer' });
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location).toBe('/ops');
    }
  });

  it('links the pages from the operator home', async () => {
    const home = expectPage(await browser.get('/ops'), 200);
    for (const path of ['/ops/messages', '/ops/timeline', '/ops/dead-letters', '/ops/timers']) expect(home).toContain(`href="${path}"`);
  });
});

describe('message log page with the registry', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await testServer({ registry: toyRegistry() });
  });
  afterAll(() => server.close());

  it('finds a type under its legacy names too, shown as stored', async () => {
    const event = (type: string, version: number) =>
      newEvent(type, { by: 1 }, { sourceType: 'Counter', sourceId: 'c1', version, origin: originFromRequest('c1'), createdAt: at(version) });
    await server.store.transaction((tx) => server.store.append(tx, [event('Bumped', 0), event('Incremented', 1), event('Ping', 2)]));
    const browser = new PageAgent(server, '198.51.100.251');
    await browser.get('/ops');
    await browser.post('/ops', { token: server.config.operatorToken });
    const page = expectPage(await browser.get('/ops/messages?type=Incremented'), 200);
    expect([...page.matchAll(/<td>event<\/td><td>(\w+)<\/td>/g)].map((m) => m[1])).toEqual(['Bumped', 'Incremented']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/platform/messages/envelope.ts';
import { newCommand, newEvent, originFromRequest } from '../../src/platform/messages/factory.ts';
import { Timers } from '../../src/platform/processing/timers.ts';
import { toyRegistry } from '../support/toy-domain.ts';
import { type TestServer, testServer } from './server-fixture.ts';

interface Entry {
  position: number;
  messageId: string;
  kind: string;
  type: string;
  sourceType: string;
  sourceId: string;
  correlationId: string | null;
  createdAt: string;
  payload: unknown;
  metadata: Record<string, unknown>;
}

const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute));

describe('operator API', () => {
  let server: TestServer;
  let logged: Message[];

  beforeAll(async () => {
    server = await testServer({ registry: toyRegistry() });
    const event = (type: string, sourceId: string, version: number, minute: number, extra?: Record<string, unknown>) =>
      newEvent(type, { n: minute }, { sourceType: 'Counter', sourceId, version, origin: originFromRequest(`flow-${sourceId}`), createdAt: at(minute), extra });
    logged = [
      event('Incremented', 'c1', 0, 0),
      event('Bumped', 'c1', 1, 1, { Imported: true }), // legacy name, upcast into Incremented
      event('Ping', 'c2', 0, 2),
      newCommand('Increment', { counterId: 'c2', by: 1 }, { target: 'c2', origin: originFromRequest('flow-c2'), createdAt: at(3) }),
      event('Incremented', 'c2', 1, 4),
      newEvent('Ping', { n: 5 }, { sourceType: 'Pinger', sourceId: 'p1', version: 0, origin: originFromRequest('flow-p1'), createdAt: at(5) }),
    ];
    await server.store.transaction((tx) => server.store.append(tx, logged));
  });
  afterAll(() => server.close());

  const get = (url: string, headers: Record<string, string> = server.auth) => server.app.inject({ url, headers });
  const post = (url: string, payload?: object) => server.app.inject({ method: 'POST', url, headers: server.auth, ...(payload ? { payload } : {}) });
  const messages = async (query: string) => {
    const response = await get(`/api/ops/messages?${query}`);
    expect(response.statusCode).toBe(200);
    return response.json() as { messages: Entry[]; next: number | null };
  };
  const ids = (page: { messages: Entry[] }) => page.messages.map((m) => m.messageId);
  const idsOf = (...indexes: number[]) => indexes.map((i) => logged[i].metadata.messageId);

  describe('authentication', () => {
    it('answers 401 to a missing, wrong or non-bearer token on every operator route', async () => {
      for (const url of ['/api/ops/messages', '/api/ops/dead-letters', '/api/ops/timers']) {
        const token = server.config.operatorToken;
        const wrong: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${token}` }, { authorization: `Bearer ${token}x` }];
        for (const headers of wrong) {
          const response = await get(url, headers);
          expect(response.statusCode).toBe(401);
          expect(response.json().error.code).toBe('unauthorized');
        }
        expect((await get(url)).statusCode).toBe(200);
      }
      const discard = await server.app.inject({ method: 'POST', url: '/api/ops/dead-letters/x/discard', payload: { reason: 'r' } });
      expect(discard.statusCode).toBe(401);
    });
  });

  describe('GET /api/ops/messages', () => {
    it('answers every log field, payload as stored and the extra metadata only', async () => {
      const page = await messages('');
      expect(ids(page)).toEqual(idsOf(0, 1, 2, 3, 4, 5));
      expect(page.next).toBeNull();
      const [first, imported, , command] = page.messages;
      expect(first).toEqual({
        position: expect.any(Number),
        messageId: logged[0].metadata.messageId,
        kind: 'event',
        type: 'Incremented',
        schemaVersion: 1,
        sourceType: 'Counter',
        sourceId: 'c1',
        version: 0,
        correlationId: 'flow-c1',
        causationId: null,
        createdAt: '2024-01-01T00:00:00.000Z',
        payload: { n: 0 },
        metadata: {},
      });
      expect(imported.metadata).toEqual({ Imported: true });
      expect(command).toMatchObject({ kind: 'command', type: 'Increment', version: null, metadata: { target: 'c2' } });
      expect(page.messages.map((m) => m.position)).toEqual([...page.messages.map((m) => m.position)].sort((a, b) => a - b));
    });

    it('ORs the values of one parameter and ANDs the parameters', async () => {
      expect(ids(await messages('sourceId=c1,p1'))).toEqual(idsOf(0, 1, 5));
      expect(ids(await messages('kind=command,event&correlationId=flow-c2'))).toEqual(idsOf(2, 3, 4));
      expect(ids(await messages('kind=event&sourceType=Counter&sourceId=c2,p1'))).toEqual(idsOf(2, 4));
      expect(ids(await messages('kind=command'))).toEqual(idsOf(3));
      expect(ids(await messages('type=Ping&sourceType=Counter'))).toEqual(idsOf(2));
      expect(ids(await messages('type=Ping,Increment&correlationId=flow-c2'))).toEqual(idsOf(2, 3));
      expect(ids(await messages('sourceType=Nobody'))).toEqual([]);
    });

    it('matches a type filter to the stored names upcast into it', async () => {
      const page = await messages('type=Incremented');
      expect(ids(page)).toEqual(idsOf(0, 1, 4));
      expect(page.messages.map((m) => m.type)).toEqual(['Incremented', 'Bumped', 'Incremented']);
      expect(ids(await messages('type=Bumped'))).toEqual(idsOf(1));
    });

    it('bounds by position (after, exclusive) and time (from inclusive, until exclusive)', async () => {
      const all = await messages('');
      expect(ids(await messages(`after=${all.messages[2].position}`))).toEqual(idsOf(3, 4, 5));
      expect(ids(await messages('from=2024-01-01T00:02:00Z'))).toEqual(idsOf(2, 3, 4, 5));
      expect(ids(await messages('until=2024-01-01T00:02:00.000Z'))).toEqual(idsOf(0, 1));
      // Other zones and precisions mean the same instants.
      expect(ids(await messages('from=2024-01-01T01:01:00%2B01:00&until=2024-01-01T00:03:00.000001Z'))).toEqual(idsOf(1, 2, 3));
      const bad = await get('/api/ops/messages?from=2024-01-01&until=tomorrow');
      expect(bad.statusCode).toBe(400);
      expect(Object.keys(bad.json().error.fields).sort()).toEqual(['from', 'until']);
    });

    it('pages with limit and next until next is null', async () => {
      const seen: string[] = [];
      let after: number | null = null;
      let pages = 0;
      do {
        const page: { messages: Entry[]; next: number | null } = await messages(`limit=4${after === null ? '' : `&after=${after}`}`);
        seen.push(...ids(page));
        after = page.next;
        pages++;
        if (after !== null) expect(after).toBe(page.messages.at(-1)!.position);
      } while (after !== null);
      expect(pages).toBe(2);
      expect(seen).toEqual(idsOf(0, 1, 2, 3, 4, 5));
      expect((await messages('limit=6')).next).toBeNull();
      expect((await messages('limit=1000')).messages).toHaveLength(6);
      expect((await get('/api/ops/messages?limit=1001')).statusCode).toBe(400);
    });
  });

  describe('dead letters', () => {
    const letter = (id: string, handler: string, position: number, sourceKey: string) => ({
      id,
      handler,
      position,
      message_id: `m-${id}`,
      type: 'Ping',
      source_key: sourceKey,
      error: `Error: failed ${id}\n    at somewhere`,
      attempts: 5,
      first_failed_at: '2024-01-01T00:00:00.000Z',
      last_failed_at: '2024-01-01T00:05:00.000Z',
      retry_requested: 0,
    });

    beforeAll(async () => {
      await server.store.db
        .insertInto('dead_letters')
        .values([letter('d1', 'projector', 10, 'Counter:c1'), letter('d2', 'projector', 20, 'Counter:c2'), letter('d3', 'mailer', 30, 'Counter:c1'), letter('d4', 'mailer', 40, 'Counter:c9')])
        .execute();
      await server.store.db
        .insertInto('parked_messages')
        .values([
          { handler: 'projector', position: 11, source_key: 'Counter:c1' },
          { handler: 'projector', position: 12, source_key: 'Counter:c1' },
          { handler: 'mailer', position: 31, source_key: 'Counter:c1' },
        ])
        .execute();
    });

    const retryRequested = async () =>
      (await server.store.db.selectFrom('dead_letters').select(['id', 'retry_requested']).orderBy('id').execute())
        .filter((row) => row.retry_requested === 1)
        .map((row) => row.id);

    it('lists them, with the messages waiting behind each, optionally for one handler', async () => {
      const all = await get('/api/ops/dead-letters');
      expect(all.statusCode).toBe(200);
      expect(all.json()).toHaveLength(4);
      expect(all.json()[0]).toEqual({
        id: 'd1',
        handler: 'projector',
        messageId: 'm-d1',
        position: 10,
        type: 'Ping',
        error: 'Error: failed d1\n    at somewhere',
        attempts: 5,
        firstFailedAt: '2024-01-01T00:00:00.000Z',
        lastFailedAt: '2024-01-01T00:05:00.000Z',
        waitingBehind: 2,
      });
      const mailer = (await get('/api/ops/dead-letters?handler=mailer')).json() as { id: string; waitingBehind: number }[];
      expect(mailer.map((d) => [d.id, d.waitingBehind])).toEqual([['d3', 1], ['d4', 0]]);
      expect((await get('/api/ops/dead-letters?handler=nobody')).json()).toEqual([]);
    });

    it('retries one by id (202), and answers 404 for an unknown id', async () => {
      const response = await post('/api/ops/dead-letters/d1/retry');
      expect(response.statusCode).toBe(202);
      expect(response.json()).toEqual({ retried: 1 });
      expect(await retryRequested()).toEqual(['d1']);
      const unknown = await post('/api/ops/dead-letters/nope/retry');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.code).toBe('not_found');
    });

    it('retries a selection of ids or all of one handler, and needs one of them', async () => {
      expect((await post('/api/ops/dead-letters/retry', { ids: ['d2', 'nope'] })).json()).toEqual({ retried: 1 });
      expect(await retryRequested()).toEqual(['d1', 'd2']);
      const byHandler = await post('/api/ops/dead-letters/retry', { handler: 'mailer' });
      expect(byHandler.statusCode).toBe(202);
      expect(byHandler.json()).toEqual({ retried: 2 });
      expect(await retryRequested()).toEqual(['d1', 'd2', 'd3', 'd4']);
      const neither = await post('/api/ops/dead-letters/retry', {});
      expect(neither.statusCode).toBe(400);
      expect(Object.keys(neither.json().error.fields).sort()).toEqual(['handler', 'ids']);
      // Every retry that found something is an operator action in the log (the unknown id's was not).
      const retries = (await messages('kind=operator-action')).messages.map((m) => m.payload);
      expect(retries).toEqual([
        { action: 'retry-dead-letter', target: 'd1', reason: null },
        { action: 'retry-dead-letter', target: 'd2,nope', reason: null },
        { action: 'retry-dead-letter', target: 'handler:mailer', reason: null },
      ]);
    });

    it('discards with a non-blank reason, logged as an operator action', async () => {
      for (const payload of [{}, { reason: '' }, { reason: '   ' }]) {
        const refused = await post('/api/ops/dead-letters/d4/discard', payload);
        expect(refused.statusCode).toBe(400);
        expect(refused.json().error.fields).toHaveProperty('reason');
      }
      expect((await post('/api/ops/dead-letters/nope/discard', { reason: 'gone' })).statusCode).toBe(404);
      const response = await post('/api/ops/dead-letters/d4/discard', { reason: ' poison message ' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ id: 'd4', discarded: true });
      expect(((await get('/api/ops/dead-letters?handler=mailer')).json() as { id: string }[]).map((d) => d.id)).toEqual(['d3']);
      const actions = (await messages('kind=operator-action')).messages.map((m) => m.payload as { action: string });
      expect(actions.filter((a) => a.action === 'discard-dead-letter')).toEqual([
        { action: 'discard-dead-letter', target: 'mailer:m-d4', reason: 'poison message' },
      ]);
      expect((await post('/api/ops/dead-letters/d4/discard', { reason: 'again' })).statusCode).toBe(404);
    });
  });

  describe('GET /api/ops/timers', () => {
    beforeAll(async () => {
      const timers = new Timers(server.store);
      await server.store.transaction(async (tx) => {
        for (const [target, minute] of [['o3', 30], ['o1', 10], ['o2', 20]] as const) {
          const command = newCommand('ExpireOrder', { orderId: target }, { target, origin: originFromRequest(target) });
          await timers.schedule(tx, command, at(minute));
        }
      });
    });

    it('lists pending timers earliest first, before an instant, up to a limit', async () => {
      const all = await get('/api/ops/timers');
      expect(all.statusCode).toBe(200);
      expect(all.json()).toEqual(
        ['o1', 'o2', 'o3'].map((target, i) => ({ id: expect.any(String), type: 'ExpireOrder', targetId: target, dueAt: at(10 * (i + 1)).toISOString() })),
      );
      const before = (await get('/api/ops/timers?dueBefore=2024-01-01T00:20:00Z')).json() as { targetId: string }[];
      expect(before.map((t) => t.targetId)).toEqual(['o1']);
      expect(((await get('/api/ops/timers?limit=2')).json() as unknown[]).length).toBe(2);
      for (const query of ['limit=0', 'limit=1001', 'dueBefore=soon']) expect((await get(`/api/ops/timers?${query}`)).statusCode).toBe(400);
    });
  });
});

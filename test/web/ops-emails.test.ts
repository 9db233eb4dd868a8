import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEmail } from '../../src/contexts/notifications/outbox.ts';
import { notificationsDb } from '../../src/contexts/notifications/schema.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { type TestServer, testServerOn } from './server-fixture.ts';

/**
 * `GET /api/ops/emails` (API.md Operator): the operator's view of recorded e-mails, newest first, as a
 * plain array; the next page's `after` in header `x-next-after`.
 */

interface Page {
  emails: { id: string; trigger: string; to: string; status: string }[];
  /** Header `x-next-after`; null when absent. */
  next: string | null;
}

const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute));

describe.each(STORE_KINDS)('GET /api/ops/emails on %s', (kind) => {
  let server: TestServer;
  /** Ids by trigger id. */
  const ids = new Map<string, string>();

  beforeAll(async () => {
    server = await testServerOn(kind);
    // t1…t5 recorded a minute apart; t5 twice in the same millisecond (two recipients).
    const recorded: [string, string, number][] = [
      ['t1', 'Ann@Example.com', 1],
      ['t2', 'bob@example.com', 2],
      ['t3', 'ann@example.com', 3],
      ['t4', 'cy@example.com', 4],
      ['t5', 'bob@example.com', 5],
      ['t5', 'owner@example.com', 5],
    ];
    for (const [triggerId, to, minute] of recorded) {
      await server.store.transaction((tx) => recordEmail(tx, { triggerId, to, subject: `About ${triggerId}`, body: `Body of ${triggerId}` }, at(minute)));
    }
    const db = notificationsDb(server.store.db);
    await db.updateTable('emails').set({ status: 'sent', sent_at: at(10).toISOString() }).where('trigger_id', 'in', ['t1', 't2']).execute();
    await db.updateTable('emails').set({ status: 'failed', attempts: 5, last_error: 'connect ECONNREFUSED' }).where('trigger_id', '=', 't3').execute();
    for (const row of await db.selectFrom('emails').select(['id', 'trigger_id', 'recipient']).execute()) {
      ids.set(row.trigger_id === 't5' ? `t5:${row.recipient}` : row.trigger_id, row.id);
    }
  });
  afterAll(() => server.close());

  const get = (query: string, headers: Record<string, string> = server.auth) => server.app.inject({ url: `/api/ops/emails?${query}`, headers });
  async function page(query: string): Promise<Page> {
    const response = await get(query);
    expect(response.statusCode, response.body).toBe(200);
    const emails: unknown = response.json();
    expect(Array.isArray(emails), response.body).toBe(true);
    const next = response.headers['x-next-after'];
    expect(next === undefined || typeof next === 'string', String(next)).toBe(true);
    return { emails: emails as Page['emails'], next: (next as string | undefined) ?? null };
  }
  /** The answer as trigger ids (t5 by recipient). */
  const keys = (answer: Page) => answer.emails.map((e) => (e.trigger === 't5' ? `t5:${e.to}` : e.trigger));
  const [t5bob, t5owner] = ['t5:bob@example.com', 't5:owner@example.com'];
  /** Newest first; the two of t5 share their time and go by id, the later first. */
  const newestFirst = () => [...[t5bob, t5owner].sort((a, b) => ids.get(b)!.localeCompare(ids.get(a)!)), 't4', 't3', 't2', 't1'];

  it('answers every recorded e-mail, newest first, with its delivery state', async () => {
    const all = await page('');
    expect(keys(all)).toEqual(newestFirst());
    expect(all.next).toBeNull();
    const byKey = new Map(all.emails.map((e, i) => [keys(all)[i], e]));
    expect(byKey.get('t1')).toEqual({
      id: ids.get('t1'),
      to: 'Ann@Example.com',
      trigger: 't1',
      subject: 'About t1',
      body: 'Body of t1',
      status: 'sent',
      attempts: 0,
      lastError: null,
      createdAt: at(1).toISOString(),
      nextAttemptAt: null,
      sentAt: at(10).toISOString(),
    });
    expect(byKey.get('t3')).toMatchObject({ status: 'failed', attempts: 5, lastError: 'connect ECONNREFUSED', nextAttemptAt: null, sentAt: null });
    expect(byKey.get('t4')).toMatchObject({ status: 'queued', attempts: 0, lastError: null, nextAttemptAt: at(4).toISOString(), sentAt: null });
  });

  it('ORs the values of one filter (recipients in any case) and ANDs the filters', async () => {
    expect(keys(await page('to=ann@example.com'))).toEqual(['t3', 't1']);
    expect(keys(await page('to=BOB@example.com,cy@example.com'))).toEqual(['t5:bob@example.com', 't4', 't2']);
    expect(keys(await page('trigger=t5'))).toEqual(newestFirst().slice(0, 2));
    expect(keys(await page('trigger=t1,t4,nope'))).toEqual(['t4', 't1']);
    expect(keys(await page('status=queued'))).toEqual(newestFirst().slice(0, 3));
    expect(keys(await page('status=sent,failed'))).toEqual(['t3', 't2', 't1']);
    expect(keys(await page('status=sent&to=ann@example.com'))).toEqual(['t1']);
    expect(keys(await page('status=queued&to=bob@example.com&trigger=t2,t5'))).toEqual(['t5:bob@example.com']);
    expect(keys(await page('to=nobody@example.com'))).toEqual([]);
  });

  it('pages with limit and header x-next-after until it is absent, filters kept', async () => {
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const answer: Page = await page(`limit=2${next === null ? '' : `&after=${next}`}`);
      seen.push(...keys(answer));
      if (answer.next !== null) expect(answer.next).toBe(answer.emails.at(-1)!.id);
      next = answer.next;
      pages++;
    } while (next !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst());
    expect((await page('limit=6')).next).toBeNull();

    const first = await page('status=queued&limit=1');
    expect(keys(first)).toEqual(newestFirst().slice(0, 1));
    expect(keys(await page(`status=queued&after=${first.next}`))).toEqual(newestFirst().slice(1, 3));
  });

  it('answers 400 naming the field for a bad status, limit, cursor or parameter', async () => {
    const fieldsOf = async (query: string) => {
      const response = await get(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
      return Object.keys(response.json().error.fields);
    };
    expect(await fieldsOf('status=sent,bounced')).toEqual(['status']);
    expect(await fieldsOf('limit=0')).toEqual(['limit']);
    expect(await fieldsOf('limit=1001')).toEqual(['limit']);
    expect(await fieldsOf('limit=ten')).toEqual(['limit']);
    expect(await fieldsOf('after=no-such-email')).toEqual(['after']);
    // The former names are unknown parameters now.
    expect(await fieldsOf('recipient=ann@example.com')).toEqual(['recipient']);
    expect(await fieldsOf('triggerId=t1')).toEqual(['triggerId']);
    expect((await page('limit=1000')).emails).toHaveLength(6);
  });

  it('answers 401 without the operator token or with a wrong one', async () => {
    const wrong: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${server.config.operatorToken}` }];
    for (const headers of wrong) {
      const response = await get('', headers);
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
    }
  });

  it('is described in the OpenAPI document, with its filters and the operator token', async () => {
    const document = (await server.app.inject({ url: '/api/docs/json' })).json() as {
      paths: Record<
        string,
        Record<string, { parameters: { name: string; in: string }[]; security: unknown[]; responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: { type?: string } }> }> }>
      >;
    };
    const operation = document.paths['/api/ops/emails'].get;
    expect(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(['after', 'limit', 'status', 'to', 'trigger']);
    expect(operation.security).toEqual([{ operatorToken: [] }]);
    expect(Object.keys(operation.responses).sort()).toEqual(['200', '400', '401']);
    expect(operation.responses['200'].content?.['application/json'].schema.type).toBe('array');
    expect(Object.keys(operation.responses['200'].headers ?? {})).toEqual(['x-next-after']);
  });
});

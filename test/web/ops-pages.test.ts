import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEmail } from '../../src/contexts/notifications/outbox.ts';
import { notificationsDb } from '../../src/contexts/notifications/schema.ts';
import { PageAgent, expectPage } from './management-pages-fixture.ts';
import { type TestServer, testServer } from './server-fixture.ts';

/** The operator pages (DOMAIN 7, API.md Page routes): log-in with the operator token, e-mails. */

const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute));

function expectLoginRedirect(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(response.statusCode, response.body).toBe(303);
  expect(response.headers.location).toBe('/ops');
}

describe('operator pages', () => {
  let server: TestServer;
  let address = 0;
  /** A browser of its own client IP (each test's failed log-ins count apart). */
  const agent = () => new PageAgent(server, `192.0.2.${++address}`);

  async function operator(): Promise<PageAgent> {
    const browser = agent();
    await browser.get('/ops');
    expectLoginRedirect(await browser.post('/ops', { token: server.config.operatorToken }));
    return browser;
  }

  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  describe('log-in', () => {
    it('shows the log-in form with a masked token field', async () => {
      const page = expectPage(await agent().get('/ops'), 200);
      expect(page).toContain('<input id="token" name="token" type="password"');
      expect(page).not.toContain('href="/ops/emails"');
    });

    it('logs in with the operator token and shows the operator home', async () => {
      const browser = await operator();
      const home = expectPage(await browser.get('/ops'), 200);
      expect(home).toContain('href="/ops/emails"');
      expect(home).toContain('action="/ops/logout"');
      expect(home).not.toContain('name="token"');
    });

    it('refuses a wrong token with the form again, and opens nothing', async () => {
      const browser = agent();
      await browser.get('/ops');
      const page = expectPage(await browser.post('/ops', { token: `${server.config.operatorToken}x` }), 401);
      expect(page).toContain('The operator token is wrong.');
      expect(page).toContain('name="token"');
      expect(page).not.toContain(server.config.operatorToken);
      expectLoginRedirect(await browser.get('/ops/emails'));
    });

    it('answers 429 with Retry-After after 10 failures, even to the right token', async () => {
      const browser = agent();
      await browser.get('/ops');
      for (let i = 0; i < 10; i++) expectPage(await browser.post('/ops', { token: 'guess' }), 401);
      const limited = await browser.post('/ops', { token: server.config.operatorToken });
      expect(expectPage(limited, 429)).toContain('Too many attempts. Please try again later.');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expectLoginRedirect(await browser.get('/ops/emails'));
      // One budget for the one secret: the same client's API calls are limited too.
      const api = await server.app.inject({
        url: '/api/ops/timers',
        remoteAddress: `192.0.2.${address}`,
        headers: { authorization: `Bearer ${server.config.operatorToken}` },
      });
      expect(api.statusCode).toBe(429);
      // Another client still logs in.
      await operator();
    });

    it('refuses a log-in form without the CSRF token (403)', async () => {
      const browser = agent();
      await browser.get('/ops');
      const page = expectPage(await browser.post('/ops', { token: server.config.operatorToken }, { csrf: false }), 403);
      expect(page).toContain('This form has expired');
      expectLoginRedirect(await browser.get('/ops/emails'));
    });

    it('redirects every operator page to the log-in without the operator session', async () => {
      expectLoginRedirect(await agent().get('/ops/emails'));
      expectLoginRedirect(await agent().get('/ops/emails?status=sent'));
    });

    it('logs out with the form (CSRF token required)', async () => {
      const browser = await operator();
      await browser.get('/ops');
      expectPage(await browser.post('/ops/logout', {}, { csrf: false }), 403);
      expectPage(await browser.get('/ops/emails'), 200);
      expectLoginRedirect(await browser.post('/ops/logout'));
      expectLoginRedirect(await browser.get('/ops/emails'));
      expect(expectPage(await browser.get('/ops'), 200)).toContain('name="token"');
    });
  });

  describe('e-mails', () => {
    let browser: PageAgent;

    beforeAll(async () => {
      // 53 e-mails, a minute apart: m0…m52; m1 sent, m2 failed, m3 with a script in subject and body.
      for (let minute = 0; minute < 53; minute++) {
        const to = minute % 2 === 0 ? 'even@example.com' : 'Odd@Example.com';
        const text = minute === 3 ? '<script>alert(1)</script>' : `m${minute}`;
        await server.store.transaction((tx) => recordEmail(tx, { triggerId: `t${minute}`, to, subject: `Subject ${text}`, body: `Body ${text}` }, at(minute)));
      }
      const db = notificationsDb(server.store.db);
      await db.updateTable('emails').set({ status: 'sent', attempts: 1, sent_at: at(59).toISOString() }).where('trigger_id', '=', 't1').execute();
      await db.updateTable('emails').set({ status: 'failed', attempts: 5, last_error: 'connect ECONNREFUSED <smtp>' }).where('trigger_id', '=', 't2').execute();
      browser = await operator();
    });

    /** The subject of e-mail m<minute> as the page shows it (after "Subject "). */
    const shown = (minute: number) => (minute === 3 ? '&lt;script>alert(1)&lt;/script>' : `m${minute}`);
    /** The subjects of a page's rows, in order. */
    const subjects = (page: string) => [...page.matchAll(/<summary>Subject ([^<]*)<\/summary>/g)].map((m) => m[1]);
    const nextLink = (page: string) => /<a href="([^"]+)" rel="next">/.exec(page)?.[1].replaceAll('&amp;', '&');

    it('lists 50 e-mails newest first, and the rest on the next page', async () => {
      const first = expectPage(await browser.get('/ops/emails'), 200);
      expect(subjects(first)).toEqual(Array.from({ length: 50 }, (_, i) => shown(52 - i)));
      const next = nextLink(first);
      expect(next).toMatch(/^\/ops\/emails\?after=/);
      const second = expectPage(await browser.get(next!), 200);
      expect(subjects(second)).toEqual(['m2', 'm1', 'm0']);
      expect(nextLink(second)).toBeUndefined();
    });

    it('shows each e-mail with recipient, body, times and delivery state', async () => {
      const page = expectPage(await browser.get('/ops/emails?after=' + (await idOf('t4'))), 200);
      expect(page).toContain(`<td>${at(1).toISOString()}</td><td>Odd@Example.com</td>`);
      expect(page).toContain('<pre>Body m1</pre>');
      expect(page).toContain(`sent (1 attempt)</td><td>${at(59).toISOString()}</td>`);
      expect(page).toContain('failed (5 attempts)<br/><small>connect ECONNREFUSED &lt;smtp></small>');
      expect(page).toContain('<td>queued</td><td></td>');
    });

    it('escapes subjects and bodies', async () => {
      const page = expectPage(await browser.get('/ops/emails?after=' + (await idOf('t4'))), 200);
      expect(page).not.toContain('<script>alert');
      expect(page).toContain('<summary>Subject &lt;script>alert(1)&lt;/script></summary>');
      expect(page).toContain('<pre>Body &lt;script>alert(1)&lt;/script></pre>');
    });

    it('filters by recipient (any case) and status, and keeps the filters on the next page', async () => {
      const odd = expectPage(await browser.get('/ops/emails?to=odd%40example.com'), 200);
      expect(subjects(odd)).toEqual(Array.from({ length: 26 }, (_, i) => shown(51 - 2 * i)));
      expect(odd).toContain('value="odd@example.com"');
      expect(subjects(expectPage(await browser.get('/ops/emails?status=failed'), 200))).toEqual(['m2']);
      expect(subjects(expectPage(await browser.get('/ops/emails?to=even@example.com&status=sent'), 200))).toEqual([]);
      const queued = expectPage(await browser.get('/ops/emails?status=queued'), 200);
      expect(queued).toContain('<option value="queued" selected>');
      const next = nextLink(queued);
      expect(next).toMatch(/^\/ops\/emails\?status=queued&after=/);
      expect(subjects(expectPage(await browser.get(next!), 200))).toEqual(['m0']);
    });

    it('answers 404 to a cursor that names no e-mail', async () => {
      expectPage(await browser.get('/ops/emails?after=nothing'), 404);
    });

    async function idOf(triggerId: string): Promise<string> {
      const row = await notificationsDb(server.store.db).selectFrom('emails').select('id').where('trigger_id', '=', triggerId).executeTakeFirstOrThrow();
      return row.id;
    }
  });
});

import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ERROR_TEXT } from '../../src/web/pages/error-texts.ts';
import { ManagementClient, basic, type ConferenceJson } from '../web/management-fixture.ts';
import { registrationServer } from '../web/registration-site-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';
import { managerOf, operatorOf, type PageAgent } from './security-fixture.ts';

/** What no answer may show: our secret, stack frames, source paths, the store's or Fastify's own words. */
const INTERNALS = /hunter2|secret internals|\bat\s+[\w$.<>[\]]+\s+\(|\bat\s+(?:file|node):|\.tsx?\b|\.m?js:\d+|node_modules|\/work\/|\/tmp\/|sqlite|no such table|syntaxerror|typeerror|referenceerror|\bstack\b|FST_[A-Z_]+|ERR_[A-Z_]+|Error:/i;

function expectNoInternals(response: LightMyRequestResponse, label: string): void {
  expect(response.body, `${label}: ${response.body.slice(0, 300)}`).not.toMatch(INTERNALS);
  for (const [name, value] of Object.entries(response.headers)) {
    expect(`${name}: ${String(value)}`, label).not.toMatch(INTERNALS);
  }
  expect(response.headers['x-powered-by'], label).toBeUndefined();
}

/** API.md's error body and nothing else. */
function expectErrorBody(response: LightMyRequestResponse, status: number, label: string): void {
  expect(response.statusCode, `${label}: ${response.body.slice(0, 300)}`).toBe(status);
  expect(response.headers['content-type'], label).toMatch(/^application\/json/);
  const body = response.json() as { error: Record<string, unknown> };
  expect(Object.keys(body), label).toEqual(['error']);
  expect(Object.keys(body.error).every((key) => ['code', 'message', 'fields'].includes(key)), label).toBe(true);
  expectNoInternals(response, label);
}

function expectErrorPage(response: LightMyRequestResponse, status: number, label: string): string {
  expect(response.statusCode, `${label}: ${response.body.slice(0, 300)}`).toBe(status);
  expect(response.headers['content-type'], label).toBe('text/html; charset=utf-8');
  expectNoInternals(response, label);
  return response.body;
}

describe('errors show no internals', () => {
  let server: TestServer;
  let conference: ConferenceJson;
  let manager: PageAgent;
  let operator: PageAgent;
  const html = { accept: 'text/html,application/xhtml+xml' };
  const inject = (options: InjectOptions) => server.app.inject(options);

  beforeAll(async () => {
    server = await registrationServer();
    conference = await new ManagementClient(server).create({ ownerEmail: 'errors@example.com' });
    manager = await managerOf(server, conference);
    operator = await operatorOf(server);
  });
  afterAll(() => server.close());

  it('in the API: 404, 405, malformed and oversized bodies, wrong media types, bad URLs and parameters', async () => {
    const owner = basic(conference.ownerEmail, conference.accessCode);
    const json = { 'content-type': 'application/json' };
    const cases: Array<[string, InjectOptions, number]> = [
      ['unknown route', { url: '/api/nowhere/at/all' }, 404],
      ['unknown conference', { url: '/api/conferences/NoSuchOne' }, 404],
      ['another method', { method: 'DELETE', url: '/api/conferences' }, 405],
      ['malformed JSON', { method: 'POST', url: '/api/management/conferences', payload: '{"name": "x",', headers: json }, 400],
      ['malformed JSON behind credentials', { method: 'PATCH', url: `/api/management/conferences/${conference.slug}`, payload: '{oops', headers: { ...json, ...owner } }, 400],
      ['an empty JSON body', { method: 'POST', url: '/api/management/conferences', payload: '', headers: { ...json, 'content-length': '0' } }, 400],
      ['prototype poisoning', { method: 'POST', url: '/api/management/conferences', payload: '{"__proto__": {"admin": true}}', headers: json }, 400],
      ['constructor poisoning', { method: 'POST', url: '/api/management/conferences', payload: '{"constructor": {"prototype": {"admin": true}}}', headers: json }, 400],
      ['a body over 64 KiB', { method: 'POST', url: '/api/management/conferences', payload: JSON.stringify({ description: 'x'.repeat(70 * 1024) }), headers: json }, 413],
      ['a form body', { method: 'POST', url: '/api/management/conferences', payload: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
      ['an XML body', { method: 'POST', url: '/api/management/conferences', payload: '<x/>', headers: { 'content-type': 'application/xml' } }, 415],
      ['a malformed URL', { url: '/api/orders/%E0%A4%A' }, 400],
      ['a bare percent', { url: '/%' }, 400],
      ['a malformed id', { url: '/api/orders/not-a-uuid', headers: { 'x-access-code': 'ABCDEF' } }, 400],
      ['a bad query', { url: '/api/ops/messages?limit=abc&from=yesterday', headers: server.auth }, 400],
      ['a wrong body type', { method: 'POST', url: '/api/management/conferences', payload: '[1, 2, 3]', headers: json }, 400],
      ['a huge number', { method: 'POST', url: `/api/management/conferences/${conference.slug}/seat-types`, payload: '{"name": "ab", "description": "x", "quantity": 1e400, "price": 0}', headers: { ...json, ...owner } }, 400],
    ];
    for (const [label, options, status] of cases) expectErrorBody(await inject(options), status, label);
  });

  it('on the pages: 404, 405, oversized and malformed forms, forged forms', async () => {
    expect(expectErrorPage(await inject({ url: '/no/such/page', headers: html }), 404, 'unknown page')).toContain('does not exist');
    expectErrorPage(await inject({ url: '/NoSuchConference/register', headers: html }), 404, 'unknown conference');
    expectErrorPage(await inject({ url: '/NoSuchConference/order/not-a-uuid', headers: html }), 404, 'unknown conference and order');
    expectErrorPage(await inject({ url: '/ops/nowhere', headers: { ...html, cookie: operator.cookie } }), 404, 'unknown operator page');
    const methods = await inject({ method: 'PUT', url: '/manage/locate', headers: html });
    expect(methods.statusCode).toBe(405);
    expectNoInternals(methods, 'another method on a page');
    const big = 'x'.repeat(70 * 1024);
    for (const url of ['/manage/locate', `/manage/${conference.slug}/edit`, '/ops']) {
      const agent = url.startsWith('/ops') ? operator : manager;
      const response = await agent.post(url, { email: big, description: big });
      expect(response.statusCode, url).toBe(413);
      expectNoInternals(response, `${url}: a form over 64 KiB`);
    }
    for (const [label, payload] of [
      ['malformed escapes', '_csrf=%E0%A4%A&email=%zz'],
      ['repeated fields', `_csrf=${encodeURIComponent(manager.csrf)}&email=a&email=b&accessCode=x&accessCode[]=y`],
      ['prototype keys', `_csrf=${encodeURIComponent(manager.csrf)}&__proto__[admin]=1&constructor[prototype][admin]=1`],
    ]) {
      const response = await inject({ method: 'POST', url: '/manage/locate', payload, headers: { ...html, cookie: manager.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
      expect(response.statusCode, label).toBeLessThan(500);
      expectNoInternals(response, label);
    }
    const json = await inject({ method: 'POST', url: '/manage/locate', payload: '{"email": ', headers: { ...html, cookie: manager.cookie, 'content-type': 'application/json' } });
    expect(json.statusCode).toBeGreaterThanOrEqual(400);
    expect(json.statusCode).toBeLessThan(500);
    expectNoInternals(json, 'malformed JSON posted to a page');
  });

  it('takes malformed cookies and credentials without a 5xx or a word of internals', async () => {
    const headersList: Array<Record<string, string>> = [
      { cookie: 'contoso_session=%%%; contoso_orders=%E0%A4%A' },
      { cookie: `contoso_session=${'A'.repeat(8000)}` },
      { cookie: 'contoso_session=;;;=;contoso_orders' },
      { cookie: `contoso_session=${Buffer.from('not;a;session').toString('base64')}%3B${'x'.repeat(40)}` },
      { authorization: 'Basic !!!not-base64!!!' },
      { authorization: 'Basic' },
      { authorization: `Basic ${Buffer.from('no-colon-at-all').toString('base64')}` },
      { authorization: `Basic ${Buffer.from(`${'x'.repeat(5000)}:${'y'.repeat(5000)}`).toString('base64')}` },
      { authorization: 'Bearer' },
      { authorization: 'Bearer a b c' },
      { authorization: `Bearer ${'t'.repeat(10_000)}` },
      { 'x-access-code': '\u0000\u00ff<script>' },
      { 'x-access-code': 'é'.repeat(300) },
    ];
    const urls = [
      '/',
      `/manage/${conference.slug}/`,
      '/ops/messages',
      `/api/management/conferences/${conference.slug}`,
      '/api/ops/messages',
      '/api/orders/0190a0a0-0000-7000-8000-000000000000',
      '/metrics',
    ];
    for (const headers of headersList) {
      for (const url of urls) {
        const response = await inject({ url, headers: { ...html, ...headers }, remoteAddress: '192.0.2.77' });
        const label = `${url} with ${JSON.stringify(headers).slice(0, 80)}`;
        expect(response.statusCode, label).toBeLessThan(500);
        expectNoInternals(response, label);
      }
    }
  });

  it('hides a failure of the store behind the site’s error page or 500 internal, on every site', async () => {
    const db = server.store.db;
    const spy = vi.spyOn(db, 'selectFrom').mockImplementation(() => {
      throw new Error('secret internals: SELECT hunter2 FROM conferences (/work/main/src/contexts/x.ts:1:1)');
    });
    try {
      const api: Array<[string, InjectOptions]> = [
        ['public API', { url: '/api/conferences' }],
        ['management API', { url: `/api/management/conferences/${conference.slug}`, headers: basic(conference.ownerEmail, conference.accessCode) }],
        ['operator API', { url: '/api/ops/messages', headers: server.auth }],
        ['order API', { url: '/api/orders/0190a0a0-0000-7000-8000-000000000000', headers: { 'x-access-code': 'ABCDEF' } }],
      ];
      for (const [label, options] of api) {
        const response = await inject(options);
        expectErrorBody(response, 500, label);
        expect(response.json(), label).toEqual({ error: { code: 'internal', message: 'An unexpected error occurred.' } });
      }
      const pages: Array<[string, InjectOptions]> = [
        ['public home page', { url: '/', headers: html }],
        ['conference page', { url: `/${conference.slug}/`, headers: html }],
        ['locate page', { url: `/${conference.slug}/order/find`, headers: html }],
        ['processor page', { url: '/payment?paymentId=0190a0a0-0000-7000-8000-000000000000&token=abc', headers: html }],
        ['management log-in', { method: 'POST', url: '/manage/locate', payload: `_csrf=${encodeURIComponent(manager.csrf)}&email=a%40b.cd&accessCode=ABCDEF`, headers: { ...html, cookie: manager.cookie, 'content-type': 'application/x-www-form-urlencoded' } }],
        ['management page', { url: `/manage/${conference.slug}/`, headers: { ...html, cookie: manager.cookie } }],
        ['operator page', { url: '/ops/emails', headers: { ...html, cookie: operator.cookie } }],
      ];
      for (const [label, options] of pages) {
        const response = await inject(options);
        expect(expectErrorPage(response, 500, label), label).toContain(ERROR_TEXT);
      }
    } finally {
      spy.mockRestore();
    }
  });
});

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoInlineScript, expectSecurityHeaders } from './page-checks.ts';
import { type Access, ROUTES } from './routes.ts';
import { type PageAgent, type Registrant, type World, buildWorld, holderOf, logIds, managerOf, operatorOf, ownerOf, routeTable, settle } from './security-fixture.ts';

describe('security headers and scripts of every answer', () => {
  let w: World;
  let holder: Registrant;
  let manager: PageAgent;
  let operator: PageAgent;
  let pages = 0;

  beforeAll(async () => {
    w = await buildWorld();
    holder = await holderOf(w.server, w.paid);
    await holder.post(`/${w.a.slug}/order/find`, { email: w.pending.email, accessCode: w.pending.accessCode });
    manager = await managerOf(w.server, w.a);
    operator = await operatorOf(w.server);
  });
  afterAll(() => w.server.close());

  function credentials(access: Access, order: 'paid' | 'pending' = 'paid'): Record<string, string> {
    switch (access) {
      case 'order-page':
      case 'payment-token-page':
        return { cookie: [...holder.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
      case 'order-api':
      case 'payment-api':
        return { 'x-access-code': w[order].accessCode };
      case 'management-api':
        return ownerOf(w.a);
      case 'management-page':
        return { cookie: manager.cookie };
      case 'operator-api':
        return w.server.auth;
      case 'operator-page':
        return { cookie: operator.cookie };
      default:
        return {};
    }
  }

  it('on every GET route of the app, with the credentials it needs (and no GET writes anything)', async () => {
    await settle(w.server);
    const before = await logIds(w.server);
    const routes = routeTable(w.server).filter(({ method }) => method === 'GET');
    expect(routes.length).toBeGreaterThan(60);
    for (const { url } of routes) {
      const route = ROUTES[`GET ${url}`];
      expect(route, `GET ${url} has no entry in ROUTES`).toBeDefined();
      let target = route.url(w);
      if (route.access === 'payment-token-page') target += `&token=${encodeURIComponent(w.pending.payment!.token)}`;
      const response = await w.server.app.inject({ url: target, headers: { accept: 'text/html,*/*;q=0.8', origin: 'https://evil.example', ...credentials(route.access, route.order) } });
      const label = `GET ${url} (${response.statusCode})`;
      // No CORS: another origin's scripts never read an answer.
      expect(response.headers['access-control-allow-origin'], label).toBeUndefined();
      expect(response.headers['access-control-allow-credentials'], label).toBeUndefined();
      expect(response.statusCode, label).toBeLessThan(500);
      expectSecurityHeaders(response, label);
      if (String(response.headers['content-type']).startsWith('text/html')) {
        pages++;
        expectNoInlineScript(response.body, label);
      }
    }
    expect(pages).toBeGreaterThan(30);
    await settle(w.server);
    expect(await logIds(w.server)).toEqual(before);
  });

  it('on redirects, refusals and error pages', async () => {
    const answers: Array<[string, LightMyRequestResponse]> = [
      ['404 page', await w.server.app.inject({ url: '/no/such/page', headers: { accept: 'text/html' } })],
      ['unknown conference', await w.server.app.inject({ url: '/NoSuchConference/', headers: { accept: 'text/html' } })],
      ['404 JSON', await w.server.app.inject({ url: '/api/nowhere' })],
      ['405', await w.server.app.inject({ method: 'DELETE', url: '/health' })],
      ['401 API', await w.server.app.inject({ url: '/api/ops/messages' })],
      ['redirect to log-in', await w.server.app.inject({ url: `/manage/${w.a.slug}/` })],
      ['403 page', await w.server.app.inject({ method: 'POST', url: '/manage/locate', payload: 'email=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })],
      ['refused processor link', await w.server.app.inject({ url: `/payment?paymentId=${w.pending.payment!.id}&token=wrong` })],
      ['OpenAPI UI', await w.server.app.inject({ url: '/api/docs/static/index.html' })],
    ];
    for (const [label, response] of answers) {
      expectSecurityHeaders(response, label);
      if (String(response.headers['content-type']).startsWith('text/html')) expectNoInlineScript(response.body, label);
    }
  });
});

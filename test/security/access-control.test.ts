import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PUBLIC_SESSION_COOKIE, SESSION_COOKIE } from '../../src/web/sessions.ts';
import { type PageAgent, type Registrant, type World, buildWorld, holderOf, logIds, managerOf, operatorOf, ownerOf, routeTable } from './security-fixture.ts';

/**
 * Who may reach each route (API.md Credentials, DOMAIN 6.1 "Access to order pages", 6.2, 7):
 * every route of the app is in {@link ROUTES} with its credential class, and each class is refused
 * to every other kind of caller.
 */
type Access =
  /** No credentials (the credential, if any, is the request itself: log-in and locate forms, conference creation). */
  | 'public'
  /** `x-access-code` of the order in the path. */
  | 'order-api'
  /** `x-access-code` of the order the payment in the path is for. */
  | 'payment-api'
  /** Placing an order again with an existing `orderId`: the order's `x-access-code`. */
  | 'order-placing'
  /** `{email, accessCode}` in the body, scoped to the conference. */
  | 'order-locate'
  /** The public session that created or located the order. */
  | 'order-page'
  /** The processor's one-time token of the payment (bound to the session that checked out). */
  | 'payment-token-page'
  /** HTTP Basic: the conference owner's e-mail and that conference's access code. */
  | 'management-api'
  /** A management session holding that conference. */
  | 'management-page'
  /** `Authorization: Bearer $OPERATOR_TOKEN`. */
  | 'operator-api'
  /** The operator session (log-in with the token at /ops). */
  | 'operator-page';

interface Route {
  access: Access;
  /** A concrete request for conference A and, where one is named, the order `paid` (or `pending`). */
  url: (w: World) => string;
  /** A valid body (JSON for the API, form fields for pages), so that only the credentials decide. */
  body?: (w: World) => Record<string, unknown>;
  /** The order the route is about (default `paid`). */
  order?: 'paid' | 'pending';
  /** The status of a GET with the right credentials (default 200). */
  allowed?: number;
}

const seatsBody = (w: World) => ({ seats: [{ seatTypeId: w.a.seatTypeIds[0], quantity: 1 }] });
const attendee = { firstName: 'Eve', lastName: 'Intruder', email: 'eve@example.com' };

const ROUTES: Record<string, Route> = {
  // Public site and its assets.
  'GET /': { access: 'public', url: () => '/' },
  'GET /assets/htmx.min.js': { access: 'public', url: () => '/assets/htmx.min.js' },
  'GET /assets/chart.umd.js': { access: 'public', url: () => '/assets/chart.umd.js' },
  'GET /assets/checkout.js': { access: 'public', url: () => '/assets/checkout.js' },
  'GET /assets/countdown.js': { access: 'public', url: () => '/assets/countdown.js' },
  'GET /assets/registration.css': { access: 'public', url: () => '/assets/registration.css' },
  'GET /assets/seat-selection.js': { access: 'public', url: () => '/assets/seat-selection.js' },
  'GET /*': { access: 'public', url: () => '/assets/site.css' },
  'GET /:slug': { access: 'public', url: (w) => `/${w.a.slug}` },
  'GET /:slug/': { access: 'public', url: (w) => `/${w.a.slug}/` },
  'GET /:slug/order/find': { access: 'public', url: (w) => `/${w.a.slug}/order/find` },
  'POST /:slug/order/find': { access: 'public', url: (w) => `/${w.a.slug}/order/find` },
  // Seat selection: new orders are public; an existing order's selection is the order's page.
  'GET /:slug/register': { access: 'order-page', url: (w) => `/${w.a.slug}/register?orderId=${w.pending.id}`, order: 'pending' },
  'POST /:slug/register': {
    access: 'order-page',
    url: (w) => `/${w.a.slug}/register`,
    body: (w) => ({ orderId: w.pending.id, orderVersion: '0', [`quantity-${w.a.seatTypeIds[0]}`]: '2' }),
    order: 'pending',
  },
  'GET /:slug/registrant': { access: 'order-page', url: (w) => `/${w.a.slug}/registrant?orderId=${w.pending.id}`, order: 'pending' },
  'POST /:slug/registrant': {
    access: 'order-page',
    url: (w) => `/${w.a.slug}/registrant?orderId=${w.pending.id}`,
    body: () => ({ firstName: 'Eve', lastName: 'Intruder', email: 'eve@example.com', confirmEmail: 'eve@example.com', paymentMethod: 'card' }),
    order: 'pending',
  },
  'GET /:slug/third-party-payment': { access: 'order-page', url: (w) => `/${w.a.slug}/third-party-payment?paymentId=${w.pending.payment!.id}`, order: 'pending' },
  'POST /:slug/third-party-payment/accept': { access: 'payment-token-page', url: (w) => `/${w.a.slug}/third-party-payment/accept`, order: 'pending' },
  'POST /:slug/third-party-payment/reject': { access: 'payment-token-page', url: (w) => `/${w.a.slug}/third-party-payment/reject`, order: 'pending' },
  'GET /payment': { access: 'payment-token-page', url: (w) => `/payment?paymentId=${w.pending.payment!.id}`, order: 'pending' },
  'GET /:slug/confirmation': { access: 'order-page', url: (w) => `/${w.a.slug}/confirmation?orderId=${w.paid.id}` },
  'GET /:slug/expired': { access: 'order-page', url: (w) => `/${w.a.slug}/expired?orderId=${w.paid.id}` },
  'GET /:slug/order/:orderId': { access: 'order-page', url: (w) => `/${w.a.slug}/order/${w.paid.id}` },
  'GET /:slug/order/:orderId/seats': { access: 'order-page', url: (w) => `/${w.a.slug}/order/${w.paid.id}/seats` },
  'POST /:slug/order/:orderId/seats': {
    access: 'order-page',
    url: (w) => `/${w.a.slug}/order/${w.paid.id}/seats`,
    body: () => ({ 'firstName-0': 'Eve', 'lastName-0': 'Intruder', 'email-0': 'eve@example.com' }),
  },

  // Public JSON API.
  'GET /api/conferences': { access: 'public', url: () => '/api/conferences' },
  'GET /api/conferences/:slug': { access: 'public', url: (w) => `/api/conferences/${w.a.slug}` },
  'POST /api/conferences/:slug/orders': { access: 'order-placing', url: (w) => `/api/conferences/${w.a.slug}/orders`, body: (w) => ({ ...seatsBody(w), orderId: w.paid.id }) },
  'POST /api/conferences/:slug/orders/find': { access: 'order-locate', url: (w) => `/api/conferences/${w.a.slug}/orders/find` },
  'GET /api/orders/:orderId': { access: 'order-api', url: (w) => `/api/orders/${w.paid.id}` },
  'PUT /api/orders/:orderId/seats': { access: 'order-api', url: (w) => `/api/orders/${w.pending.id}/seats`, body: seatsBody, order: 'pending' },
  'POST /api/orders/:orderId/checkout': { access: 'order-api', url: (w) => `/api/orders/${w.pending.id}/checkout`, body: () => ({ registrant: attendee }), order: 'pending' },
  'GET /api/orders/:orderId/assignments': { access: 'order-api', url: (w) => `/api/orders/${w.paid.id}/assignments` },
  'PUT /api/orders/:orderId/assignments/:position': { access: 'order-api', url: (w) => `/api/orders/${w.paid.id}/assignments/0`, body: () => attendee },
  'DELETE /api/orders/:orderId/assignments/:position': { access: 'order-api', url: (w) => `/api/orders/${w.paid.id}/assignments/0` },
  'GET /api/payments/:paymentId': { access: 'payment-api', url: (w) => `/api/payments/${w.paid.payment!.id}` },
  'POST /api/payments/:paymentId/accept': { access: 'payment-api', url: (w) => `/api/payments/${w.pending.payment!.id}/accept`, body: (w) => ({ token: w.pending.payment!.token }), order: 'pending' },
  'POST /api/payments/:paymentId/reject': { access: 'payment-api', url: (w) => `/api/payments/${w.pending.payment!.id}/reject`, body: (w) => ({ token: w.pending.payment!.token }), order: 'pending' },

  // Management API.
  'POST /api/management/conferences': { access: 'public', url: () => '/api/management/conferences' },
  'GET /api/management/conferences/:slug': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}` },
  'PATCH /api/management/conferences/:slug': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}`, body: () => ({ name: 'Taken over' }) },
  'POST /api/management/conferences/:slug/publish': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}/publish` },
  'POST /api/management/conferences/:slug/unpublish': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}/unpublish` },
  'POST /api/management/conferences/:slug/seat-types': {
    access: 'management-api',
    url: (w) => `/api/management/conferences/${w.a.slug}/seat-types`,
    body: () => ({ name: 'Stolen', description: 'x', quantity: 1, price: 0 }),
  },
  'PATCH /api/management/conferences/:slug/seat-types/:id': {
    access: 'management-api',
    url: (w) => `/api/management/conferences/${w.a.slug}/seat-types/${w.a.seatTypeIds[0]}`,
    body: () => ({ quantity: 1 }),
  },
  'DELETE /api/management/conferences/:slug/seat-types/:id': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}/seat-types/${w.a.seatTypeIds[1]}` },
  'GET /api/management/conferences/:slug/stats': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}/stats` },
  'GET /api/management/conferences/:slug/orders': { access: 'management-api', url: (w) => `/api/management/conferences/${w.a.slug}/orders` },

  // Management site.
  'GET /manage': { access: 'public', url: () => '/manage' },
  'GET /manage/': { access: 'public', url: () => '/manage/' },
  'GET /manage/assets/manage.css': { access: 'public', url: () => '/manage/assets/manage.css' },
  'GET /manage/assets/dashboard.js': { access: 'public', url: () => '/manage/assets/dashboard.js' },
  'GET /manage/locate': { access: 'public', url: () => '/manage/locate' },
  'POST /manage/locate': { access: 'public', url: () => '/manage/locate' },
  'GET /manage/recover': { access: 'public', url: () => '/manage/recover' },
  'POST /manage/recover': { access: 'public', url: () => '/manage/recover' },
  'GET /manage/create': { access: 'public', url: () => '/manage/create' },
  'POST /manage/create': { access: 'public', url: () => '/manage/create' },
  'POST /manage/logout': { access: 'public', url: () => '/manage/logout' },
  'GET /manage/:slug': { access: 'management-page', url: (w) => `/manage/${w.a.slug}` },
  'GET /manage/:slug/': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/` },
  'POST /manage/:slug/publish': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/publish` },
  'POST /manage/:slug/unpublish': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/unpublish` },
  'GET /manage/:slug/edit': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/edit` },
  'POST /manage/:slug/edit': {
    access: 'management-page',
    url: (w) => `/manage/${w.a.slug}/edit`,
    body: () => ({ name: 'Taken over', tagline: '', location: 'Nowhere', twitterSearch: '', description: 'Mine now', startDate: '2030-06-12', endDate: '2030-06-14', reservationHoldMinutes: '15' }),
  },
  'GET /manage/:slug/orders': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/orders` },
  'GET /manage/:slug/dashboard': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/dashboard` },
  'GET /manage/:slug/seats': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats` },
  'POST /manage/:slug/seats': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats`, body: () => ({ name: 'Stolen', description: 'x', quantity: '1', price: '0' }) },
  'POST /manage/:slug/seats/rows': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows`, body: () => ({ name: 'Stolen', description: 'x', quantity: '1', price: '0' }) },
  'GET /manage/:slug/seats/rows/new': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows/new` },
  'GET /manage/:slug/seats/rows/none': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows/none` },
  'GET /manage/:slug/seats/rows/:id': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows/${w.a.seatTypeIds[0]}` },
  'POST /manage/:slug/seats/rows/:id': {
    access: 'management-page',
    url: (w) => `/manage/${w.a.slug}/seats/rows/${w.a.seatTypeIds[0]}`,
    body: () => ({ name: 'Stolen', description: 'x', quantity: '1', price: '0' }),
  },
  'GET /manage/:slug/seats/rows/:id/edit': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows/${w.a.seatTypeIds[0]}/edit` },
  'POST /manage/:slug/seats/rows/:id/delete': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/rows/${w.a.seatTypeIds[1]}/delete` },
  'POST /manage/:slug/seats/:id': {
    access: 'management-page',
    url: (w) => `/manage/${w.a.slug}/seats/${w.a.seatTypeIds[0]}`,
    body: () => ({ name: 'Stolen', description: 'x', quantity: '1', price: '0' }),
  },
  'POST /manage/:slug/seats/:id/delete': { access: 'management-page', url: (w) => `/manage/${w.a.slug}/seats/${w.a.seatTypeIds[1]}/delete` },

  // Operator API and pages.
  'GET /api/ops/messages': { access: 'operator-api', url: () => '/api/ops/messages' },
  'GET /api/ops/maintenance': { access: 'operator-api', url: () => '/api/ops/maintenance' },
  'POST /api/ops/maintenance': { access: 'operator-api', url: () => '/api/ops/maintenance', body: () => ({ public: true }) },
  'GET /api/ops/dead-letters': { access: 'operator-api', url: () => '/api/ops/dead-letters' },
  'POST /api/ops/dead-letters/retry': { access: 'operator-api', url: () => '/api/ops/dead-letters/retry', body: () => ({}) },
  'POST /api/ops/dead-letters/:id/retry': { access: 'operator-api', url: () => '/api/ops/dead-letters/1/retry' },
  'POST /api/ops/dead-letters/:id/discard': { access: 'operator-api', url: () => '/api/ops/dead-letters/1/discard', body: () => ({ reason: 'x' }) },
  'GET /api/ops/timers': { access: 'operator-api', url: () => '/api/ops/timers' },
  'GET /api/ops/emails': { access: 'operator-api', url: () => '/api/ops/emails' },
  'GET /api/ops/read-models': { access: 'operator-api', url: () => '/api/ops/read-models' },
  'POST /api/ops/read-models/:name/rebuild': { access: 'operator-api', url: () => '/api/ops/read-models/conferences/rebuild', body: () => ({}) },
  'POST /api/ops/read-models/:name/switch': { access: 'operator-api', url: () => '/api/ops/read-models/conferences/switch', body: () => ({ version: 1 }) },
  'DELETE /api/ops/read-models/:name/versions/:version': { access: 'operator-api', url: () => '/api/ops/read-models/conferences/versions/1' },
  // No such job: the token gets as far as the lookup.
  'GET /api/ops/jobs/:jobId': { access: 'operator-api', url: () => '/api/ops/jobs/0190a0a0-0000-7000-8000-000000000000', allowed: 404 },
  'GET /metrics': { access: 'operator-api', url: () => '/metrics' },
  'GET /ops': { access: 'public', url: () => '/ops' },
  'POST /ops': { access: 'public', url: () => '/ops' },
  'GET /ops/': { access: 'public', url: () => '/ops/' },
  'POST /ops/': { access: 'public', url: () => '/ops/' },
  'POST /ops/logout': { access: 'public', url: () => '/ops/logout' },
  'GET /ops/maintenance': { access: 'operator-page', url: () => '/ops/maintenance' },
  'POST /ops/maintenance': { access: 'operator-page', url: () => '/ops/maintenance', body: () => ({ public: 'on' }) },
  'GET /ops/messages': { access: 'operator-page', url: () => '/ops/messages' },
  'GET /ops/timeline': { access: 'operator-page', url: (w) => `/ops/timeline?correlationId=${w.paid.id}` },
  'GET /ops/timers': { access: 'operator-page', url: () => '/ops/timers' },
  'GET /ops/orders/:orderId/timeline': { access: 'operator-page', url: (w) => `/ops/orders/${w.paid.id}/timeline` },
  'GET /ops/dead-letters': { access: 'operator-page', url: () => '/ops/dead-letters' },
  'POST /ops/dead-letters/retry': { access: 'operator-page', url: () => '/ops/dead-letters/retry', body: () => ({ handler: 'x' }) },
  'POST /ops/dead-letters/:id/retry': { access: 'operator-page', url: () => '/ops/dead-letters/1/retry' },
  'POST /ops/dead-letters/:id/discard': { access: 'operator-page', url: () => '/ops/dead-letters/1/discard', body: () => ({ reason: 'x' }) },
  'GET /ops/read-models': { access: 'operator-page', url: () => '/ops/read-models' },
  'POST /ops/read-models/:name/rebuild': { access: 'operator-page', url: () => '/ops/read-models/conferences/rebuild' },
  'POST /ops/read-models/:name/versions/:version/switch': { access: 'operator-page', url: () => '/ops/read-models/conferences/versions/1/switch' },
  'POST /ops/read-models/:name/versions/:version/retire': { access: 'operator-page', url: () => '/ops/read-models/conferences/versions/1/retire' },
  'GET /ops/emails': { access: 'operator-page', url: () => '/ops/emails' },

  // Documentation and health.
  'GET /api/docs': { access: 'public', url: () => '/api/docs' },
  'GET /api/docs/': { access: 'public', url: () => '/api/docs/' },
  'GET /api/docs/static/index.html': { access: 'public', url: () => '/api/docs/static/index.html' },
  'GET /api/docs/static/swagger-initializer.js': { access: 'public', url: () => '/api/docs/static/swagger-initializer.js' },
  'GET /api/docs/*': { access: 'public', url: () => '/api/docs/static/swagger-ui.css' },
  'GET /api/docs/json': { access: 'public', url: () => '/api/docs/json' },
  'GET /api/docs/yaml': { access: 'public', url: () => '/api/docs/yaml' },
  'GET /health': { access: 'public', url: () => '/health' },
  'GET /health/ready': { access: 'public', url: () => '/health/ready' },
};

/** A fresh client address per check, so that the credential limits of one never refuse another. */
let addresses = 0;
const nextAddress = () => `10.20.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;

const FORM = 'application/x-www-form-urlencoded';

function cookieHeader(agent: Registrant | PageAgent): string {
  return 'cookies' in agent ? [...agent.cookies].map(([name, value]) => `${name}=${value}`).join('; ') : agent.cookie;
}

/** A cookie value with one character of its ciphertext changed. */
function tampered(cookie: string): string {
  return cookie
    .split('; ')
    .map((pair) => {
      const at = pair.indexOf('=') + 8;
      return `${pair.slice(0, at)}${pair[at] === 'A' ? 'B' : 'A'}${pair.slice(at + 1)}`;
    })
    .join('; ');
}

const forged = `${SESSION_COOKIE}=${Buffer.alloc(64, 7).toString('base64')}%3B${Buffer.alloc(24, 1).toString('base64')}; ${PUBLIC_SESSION_COOKIE}=${Buffer.alloc(64, 9).toString('base64')}%3B${Buffer.alloc(24, 2).toString('base64')}`;

describe('access control of every route', () => {
  let w: World;
  let table: Array<{ method: string; url: string }>;
  /** Browsers: one holding `paid` and `pending` (they located them), one holding only the other conference's order. */
  let holder: Registrant;
  let foreignHolder: Registrant;
  let managerA: PageAgent;
  let managerB: PageAgent;
  let operator: PageAgent;

  beforeAll(async () => {
    w = await buildWorld();
    table = routeTable(w.server);
    holder = await holderOf(w.server, w.paid);
    const alsoPending = await holder.post(`/${w.a.slug}/order/find`, { email: w.pending.email, accessCode: w.pending.accessCode });
    expect(alsoPending.statusCode).toBe(303);
    foreignHolder = await holderOf(w.server, w.foreign);
    // The foreign holder also opens conference A's locate page, so that it has a CSRF token of its own.
    await foreignHolder.get(`/${w.a.slug}/order/find`);
    managerA = await managerOf(w.server, w.a);
    managerB = await managerOf(w.server, w.b);
    operator = await operatorOf(w.server);
  });
  afterAll(() => w.server.close());

  /** Every route (HEAD as its GET) with its entry; the test fails on a route without one. */
  function cases(): Array<{ key: string; method: string; route: Route }> {
    return table.map(({ method, url }) => {
      const key = `${method === 'HEAD' ? 'GET' : method} ${url}`;
      return { key: `${method} ${url}`, method, route: ROUTES[key] };
    });
  }

  function send(options: { method: string; url: string; headers?: Record<string, string>; payload?: unknown; form?: Record<string, unknown>; remoteAddress?: string }) {
    const { form, payload, ...rest } = options;
    const body =
      form !== undefined
        ? { payload: new URLSearchParams(form as Record<string, string>).toString(), headers: { 'content-type': FORM, ...rest.headers } }
        : payload !== undefined
          ? { payload: payload as object, headers: rest.headers }
          : { headers: rest.headers };
    return w.server.app.inject({ ...(rest as InjectOptions), ...body, remoteAddress: rest.remoteAddress ?? nextAddress() } as InjectOptions);
  }

  /** What a refused answer must never contain: the orders' access codes and the owners' codes. */
  function expectNothingLeaked(response: LightMyRequestResponse, label: string) {
    for (const secret of [w.paid.accessCode, w.pending.accessCode, w.foreign.accessCode, w.a.accessCode, w.b.accessCode]) {
      expect(response.body.includes(secret), `${label} leaks ${secret}`).toBe(false);
    }
    expect(response.body, label).not.toContain(w.paid.email);
  }

  it('has a credential class for every route of the app, and no entry for a route that does not exist', async () => {
    expect(table.length).toBeGreaterThan(100);
    const unmapped = cases()
      .filter(({ route }) => route === undefined)
      .map(({ key }) => key);
    expect(unmapped, 'routes without an access-control case: add them to ROUTES').toEqual([]);
    const registered = new Set(table.map(({ method, url }) => `${method} ${url}`));
    expect(Object.keys(ROUTES).filter((key) => !registered.has(key))).toEqual([]);
    // The OpenAPI document names no route the table misses.
    const document = (await w.server.app.inject({ url: '/api/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const method of Object.keys(methods)) expect(registered.has(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`), `${method} ${path}`).toBe(true);
    }
  });

  it('answers public routes to anyone', async () => {
    for (const { key, method, route } of cases().filter(({ route, method }) => route?.access === 'public' && (method === 'GET' || method === 'HEAD'))) {
      const response = await send({ method, url: route.url(w) });
      expect(response.statusCode, key).toBeLessThan(400);
    }
  });

  it('order API: missing code → 401; a wrong code, another order’s code, a page session → refused; the right code opens it', async () => {
    const routes = cases().filter(({ route }) => route?.access === 'order-api' || route?.access === 'payment-api');
    expect(routes.length).toBeGreaterThanOrEqual(12);
    const before = await logIds(w.server);
    for (const { key, method, route } of routes) {
      const target = w[route.order ?? 'paid'];
      const other = route.order === 'pending' ? w.paid : w.pending;
      const url = route.url(w);
      const payload = route.body?.(w);
      const attempt = (headers: Record<string, string>) => send({ method, url, headers, payload });

      const missing = await attempt({});
      expect(missing.statusCode, `${key} without a code`).toBe(401);
      if (method !== 'HEAD') expect(missing.json().error.code).toBe('unauthorized');
      const withSession = await attempt({ cookie: cookieHeader(holder) });
      expect(withSession.statusCode, `${key} with the holder’s session only`).toBe(401);
      for (const [label, code] of [
        ['a wrong code', 'ZZZZZZ'],
        ['another order’s code', other.accessCode],
        ['another conference’s order code', w.foreign.accessCode],
        ['the conference owner’s code', w.a.accessCode],
      ]) {
        const refused = await attempt({ 'x-access-code': code });
        expect(refused.statusCode, `${key} with ${label}`).toBe(404);
        if (method !== 'HEAD') expect(refused.json(), `${key} with ${label}`).toEqual({ error: { code: 'not_found', message: 'Order not found.' } });
        expectNothingLeaked(refused, `${key} with ${label}`);
      }
      if (method === 'GET') {
        const allowed = await attempt({ 'x-access-code': target.accessCode.toLowerCase() });
        expect(allowed.statusCode, `${key} with the right code`).toBe(200);
      }
    }
    expect(await logIds(w.server)).toEqual(before);
  });

  it('placing an order again under an existing id needs that order’s code, and never answers it', async () => {
    const { route } = cases().find(({ key }) => key === 'POST /api/conferences/:slug/orders')!;
    expect(route.access).toBe('order-placing');
    const before = await logIds(w.server);
    for (const headers of [{} as Record<string, string>, { 'x-access-code': 'ZZZZZZ' }, { 'x-access-code': w.pending.accessCode }, { 'x-access-code': w.foreign.accessCode }]) {
      const refused = await send({ method: 'POST', url: route.url(w), payload: route.body!(w), headers });
      expect(refused.statusCode, JSON.stringify(headers)).toBe(409);
      expectNothingLeaked(refused, JSON.stringify(headers));
    }
    // Another conference's slug with this order's id is refused alike, even with its code.
    const elsewhere = await send({ method: 'POST', url: `/api/conferences/${w.b.slug}/orders`, payload: { seats: [{ seatTypeId: w.b.seatTypeIds[0], quantity: 1 }], orderId: w.paid.id }, headers: { 'x-access-code': w.paid.accessCode } });
    expect(elsewhere.statusCode).toBe(409);
    expect(await logIds(w.server)).toEqual(before);
  });

  it('locating an order needs its registrant’s e-mail and its code, within its own conference', async () => {
    const { route } = cases().find(({ key }) => key === 'POST /api/conferences/:slug/orders/find')!;
    expect(route.access).toBe('order-locate');
    for (const [label, url, payload] of [
      ['a wrong code', route.url(w), { email: w.paid.email, accessCode: 'ZZZZZZ' }],
      ['another order’s code', route.url(w), { email: w.paid.email, accessCode: w.pending.accessCode }],
      ['another registrant’s e-mail', route.url(w), { email: w.pending.email, accessCode: w.paid.accessCode }],
      ['another conference', `/api/conferences/${w.b.slug}/orders/find`, { email: w.paid.email, accessCode: w.paid.accessCode }],
    ] as const) {
      const refused = await send({ method: 'POST', url, payload });
      expect(refused.statusCode, label).toBe(404);
      expectNothingLeaked(refused, label);
    }
    const found = await send({ method: 'POST', url: route.url(w), payload: { email: w.paid.email, accessCode: w.paid.accessCode } });
    expect(found.json()).toEqual({ orderId: w.paid.id, conferenceSlug: w.a.slug });
  });

  it('order pages: no session, a session holding other orders, a forged or tampered cookie, another conference’s path → the locate page', async () => {
    const routes = cases().filter(({ route }) => route?.access === 'order-page');
    expect(routes.length).toBeGreaterThanOrEqual(11);
    const before = await logIds(w.server);
    for (const { key, method, route } of routes) {
      const url = route.url(w);
      const locate = `/${w.a.slug}/order/find`;
      const form = route.body?.(w);
      const attempts: Array<[string, LightMyRequestResponse]> = [];
      if (method === 'POST') {
        // A visitor with a session and a CSRF token of its own, holding another conference's order.
        attempts.push(['a session holding another order', await foreignHolder.post(url, form as Record<string, string>)]);
      } else {
        attempts.push(['no session', await send({ method, url })]);
        attempts.push(['a session holding another order', await send({ method, url, headers: { cookie: cookieHeader(foreignHolder) } })]);
        attempts.push(['a forged cookie', await send({ method, url, headers: { cookie: forged } })]);
        attempts.push(['a tampered cookie', await send({ method, url, headers: { cookie: tampered(cookieHeader(holder)) } })]);
        const elsewhere = url.replace(`/${w.a.slug}/`, `/${w.b.slug}/`);
        const crossed = await send({ method, url: elsewhere, headers: { cookie: cookieHeader(holder) } });
        expect(crossed.statusCode, `${key} under another conference`).toBe(303);
        expect(crossed.headers.location, `${key} under another conference`).toBe(`/${w.b.slug}/order/find`);
      }
      for (const [label, response] of attempts) {
        expect(response.statusCode, `${key} with ${label}`).toBe(303);
        expect(response.headers.location, `${key} with ${label}`).toBe(locate);
        expectNothingLeaked(response, `${key} with ${label}`);
      }
      if (method === 'GET') {
        const allowed = await send({ method, url, headers: { cookie: cookieHeader(holder) } });
        expect(allowed.statusCode, `${key} for the holder`).toBeLessThan(400);
        expect(allowed.headers.location ?? '', `${key} for the holder`).not.toBe(locate);
      }
    }
    expect(await logIds(w.server)).toEqual(before);
  });

  it('the processor’s pages and return addresses need the payment’s one-time token', async () => {
    const routes = cases().filter(({ route }) => route?.access === 'payment-token-page');
    expect(routes).toHaveLength(4);
    const before = await logIds(w.server);
    const { payment } = w.pending;
    for (const { key, method, route } of routes) {
      const url = route.url(w);
      for (const [label, token] of [
        ['no token', ''],
        ['a wrong token', 'not-the-token'],
        ['the token of another payment', w.paid.payment!.token],
      ]) {
        const response =
          method === 'POST'
            ? await foreignHolder.post(url, { paymentId: payment!.id, token })
            : await send({ method, url: `${url}&token=${encodeURIComponent(token)}`, headers: { cookie: cookieHeader(foreignHolder) } });
        expect([404, 409], `${key} with ${label}`).toContain(response.statusCode);
        expectNothingLeaked(response, `${key} with ${label}`);
      }
    }
    expect(await logIds(w.server)).toEqual(before);
  });

  it('management API: missing, wrong and another conference’s credentials, and a management session, all answer the same 401', async () => {
    const routes = cases().filter(({ route }) => route?.access === 'management-api');
    expect(routes.length).toBeGreaterThanOrEqual(12);
    const before = await logIds(w.server);
    for (const { key, method, route } of routes) {
      const url = route.url(w);
      const payload = route.body?.(w);
      for (const [label, headers] of [
        ['no credentials', {}],
        ['the management session', { cookie: managerA.cookie }],
        ['a wrong code', ownerOf({ ownerEmail: w.a.ownerEmail, accessCode: 'ZZZZZZ' })],
        ['another conference’s credentials', ownerOf(w.b)],
        ['the owner e-mail with another conference’s code', ownerOf({ ownerEmail: w.a.ownerEmail, accessCode: w.b.accessCode })],
        ['an order’s access code', ownerOf({ ownerEmail: w.paid.email, accessCode: w.paid.accessCode })],
        ['the operator token', { authorization: `Bearer ${w.server.config.operatorToken}` }],
      ] as const) {
        const refused = await send({ method, url, payload, headers: headers as Record<string, string> });
        expect(refused.statusCode, `${key} with ${label}`).toBe(401);
        expect(refused.headers['www-authenticate'], `${key} with ${label}`).toBe('Basic realm="Contoso Conference"');
        expectNothingLeaked(refused, `${key} with ${label}`);
      }
      if (method === 'GET') {
        const allowed = await send({ method, url, headers: ownerOf(w.a) });
        expect(allowed.statusCode, `${key} for the owner`).toBe(200);
      }
    }
    // The owner's credentials open nothing of another conference: its seat types are not found.
    for (const method of ['PATCH', 'DELETE'] as const) {
      const response = await send({ method, url: `/api/management/conferences/${w.a.slug}/seat-types/${w.b.seatTypeIds[0]}`, headers: ownerOf(w.a), payload: method === 'PATCH' ? { quantity: 1 } : undefined });
      expect(response.statusCode, method).toBe(404);
    }
    expect(await logIds(w.server)).toEqual(before);
  });

  it('management pages: no session, another conference’s session, a forged or tampered cookie → the log-in page', async () => {
    const routes = cases().filter(({ route }) => route?.access === 'management-page');
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const before = await logIds(w.server);
    for (const { key, method, route } of routes) {
      const url = route.url(w);
      const attempts: Array<[string, LightMyRequestResponse]> = [];
      if (method === 'POST') {
        attempts.push(['another conference’s session', await managerB.post(url, (route.body?.(w) ?? {}) as Record<string, string>)]);
        attempts.push(['another conference’s session (htmx)', await managerB.htmxPost(url, (route.body?.(w) ?? {}) as Record<string, string>)]);
      } else {
        attempts.push(['no session', await send({ method, url })]);
        attempts.push(['another conference’s session', await send({ method, url, headers: { cookie: managerB.cookie } })]);
        attempts.push(['a forged cookie', await send({ method, url, headers: { cookie: forged } })]);
        attempts.push(['a tampered cookie', await send({ method, url, headers: { cookie: tampered(managerA.cookie) } })]);
        attempts.push(['the owner’s Basic credentials', await send({ method, url, headers: ownerOf(w.a) })]);
        attempts.push(['the operator session', await send({ method, url, headers: { cookie: operator.cookie } })]);
      }
      for (const [label, response] of attempts) {
        if (label.endsWith('(htmx)')) {
          expect(response.headers['hx-redirect'], `${key} with ${label}`).toBe('/manage/locate');
        } else {
          expect(response.statusCode, `${key} with ${label}`).toBe(303);
          expect(response.headers.location, `${key} with ${label}`).toBe('/manage/locate');
        }
        expectNothingLeaked(response, `${key} with ${label}`);
      }
      if (method === 'GET') {
        const allowed = await send({ method, url, headers: { cookie: managerA.cookie } });
        expect(allowed.statusCode, `${key} for the owner`).toBe(200);
      }
    }
    expect(await logIds(w.server)).toEqual(before);
  });

  it('operator API and /metrics: missing, wrong, Basic and session credentials → 401; the token opens them', async () => {
    const routes = cases().filter(({ route }) => route?.access === 'operator-api');
    expect(routes.length).toBeGreaterThanOrEqual(15);
    const before = await logIds(w.server);
    for (const { key, method, route } of routes) {
      const url = route.url(w);
      const payload = route.body?.(w);
      for (const [label, headers] of [
        ['no token', {}],
        ['a wrong token', { authorization: 'Bearer not-the-token' }],
        ['the token without Bearer', { authorization: w.server.config.operatorToken }],
        ['the token as Basic password', basicOf('operator', w.server.config.operatorToken)],
        ['the operator session', { cookie: operator.cookie }],
        ['a conference owner’s credentials', ownerOf(w.a)],
      ] as const) {
        const refused = await send({ method, url, payload, headers: headers as Record<string, string> });
        expect(refused.statusCode, `${key} with ${label}`).toBe(401);
        expectNothingLeaked(refused, `${key} with ${label}`);
      }
      if (method === 'GET') {
        const allowed = await send({ method, url, headers: w.server.auth });
        expect(allowed.statusCode, `${key} with the token`).toBe(route.allowed ?? 200);
      }
    }
    expect(await logIds(w.server)).toEqual(before);
  });

  it('operator pages: no session, a management session, the bearer token, a forged or tampered cookie → the operator log-in', async () => {
    const routes = cases().filter(({ route }) => route?.access === 'operator-page');
    expect(routes.length).toBeGreaterThanOrEqual(16);
    const before = await logIds(w.server);
    for (const { key, method, route } of routes) {
      const url = route.url(w);
      const attempts: Array<[string, LightMyRequestResponse]> = [];
      if (method === 'POST') {
        attempts.push(['a management session', await managerA.post(url, (route.body?.(w) ?? {}) as Record<string, string>)]);
      } else {
        attempts.push(['no session', await send({ method, url })]);
        attempts.push(['a management session', await send({ method, url, headers: { cookie: managerA.cookie } })]);
        attempts.push(['the bearer token', await send({ method, url, headers: w.server.auth })]);
        attempts.push(['a forged cookie', await send({ method, url, headers: { cookie: forged } })]);
        attempts.push(['a tampered cookie', await send({ method, url, headers: { cookie: tampered(operator.cookie) } })]);
      }
      for (const [label, response] of attempts) {
        expect(response.statusCode, `${key} with ${label}`).toBe(303);
        expect(response.headers.location, `${key} with ${label}`).toBe('/ops');
        expectNothingLeaked(response, `${key} with ${label}`);
      }
      if (method === 'GET') {
        const allowed = await send({ method, url, headers: { cookie: operator.cookie } });
        expect(allowed.statusCode, `${key} for the operator`).toBe(200);
      }
    }
    expect(await logIds(w.server)).toEqual(before);
  });

  // Last: it moves the clock forward.
  it('expired sessions open nothing: order pages after 7 days, management and operator pages after 12 hours', async () => {
    const pages = cases().filter(({ route, method }) => method === 'GET' && ['order-page', 'management-page', 'operator-page'].includes(route!.access));
    const agents: Record<string, string> = { 'order-page': cookieHeader(holder), 'management-page': managerA.cookie, 'operator-page': operator.cookie };
    const refusals: Record<string, string> = { 'order-page': `/${w.a.slug}/order/find`, 'management-page': '/manage/locate', 'operator-page': '/ops' };
    const later = async (ms: number) => {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + ms });
      try {
        for (const { key, method, route } of pages) {
          if (route.access === 'order-page' && ms < 7 * 24 * 3600 * 1000) continue;
          const response = await send({ method, url: route.url(w), headers: { cookie: agents[route.access] } });
          expect(response.statusCode, key).toBe(303);
          expect(response.headers.location, key).toBe(refusals[route.access]);
        }
      } finally {
        vi.useRealTimers();
      }
    };
    await later(12 * 3600 * 1000 + 60_000);
    await later(7 * 24 * 3600 * 1000 + 60_000);
  });
});

function basicOf(user: string, password: string) {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

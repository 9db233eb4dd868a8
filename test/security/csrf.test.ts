import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORBIDDEN_TEXT } from '../../src/web/pages/error-texts.ts';
import { PageAgent, type Registrant, type World, buildWorld, holderOf, logIds, managerOf, operatorOf, routeTable } from './security-fixture.ts';

/**
 * Every form route of the sites (any method other than GET/HEAD outside `/api/`), with who may post
 * it and a valid form: posted by that visitor without the CSRF token, or with another session's,
 * it answers 403 and changes nothing.
 */
type Poster = 'holder' | 'visitor' | 'manager' | 'operator';

interface Form {
  poster: Poster;
  url: (w: World) => string;
  fields: (w: World) => Record<string, string>;
}

const seatFields = { name: 'Forged', description: 'x', quantity: '1', price: '0' };
const conferenceFields = {
  name: 'Forged',
  tagline: '',
  location: 'Nowhere',
  twitterSearch: '',
  description: 'Forged',
  startDate: '2030-06-12',
  endDate: '2030-06-14',
  reservationHoldMinutes: '15',
};

const FORMS: Record<string, Form> = {
  'POST /:slug/register': { poster: 'holder', url: (w) => `/${w.a.slug}/register`, fields: (w) => ({ orderId: '', orderVersion: '-1', [`quantity-${w.a.seatTypeIds[0]}`]: '1' }) },
  'POST /:slug/registrant': {
    poster: 'holder',
    url: (w) => `/${w.a.slug}/registrant?orderId=${w.pending.id}`,
    fields: () => ({ firstName: 'Mallory', lastName: 'Forger', email: 'mallory@example.com', confirmEmail: 'mallory@example.com', paymentMethod: 'card' }),
  },
  'POST /:slug/third-party-payment/accept': { poster: 'holder', url: (w) => `/${w.a.slug}/third-party-payment/accept`, fields: (w) => ({ paymentId: w.pending.payment!.id, token: w.pending.payment!.token }) },
  'POST /:slug/third-party-payment/reject': { poster: 'holder', url: (w) => `/${w.a.slug}/third-party-payment/reject`, fields: (w) => ({ paymentId: w.pending.payment!.id, token: w.pending.payment!.token }) },
  'POST /:slug/order/find': { poster: 'visitor', url: (w) => `/${w.a.slug}/order/find`, fields: (w) => ({ email: w.paid.email, accessCode: w.paid.accessCode }) },
  'POST /:slug/order/:orderId/seats': {
    poster: 'holder',
    url: (w) => `/${w.a.slug}/order/${w.paid.id}/seats`,
    fields: () => ({ 'firstName-0': 'Mallory', 'lastName-0': 'Forger', 'email-0': 'mallory@example.com' }),
  },
  'POST /manage/locate': { poster: 'visitor', url: () => '/manage/locate', fields: (w) => ({ email: w.a.ownerEmail, accessCode: w.a.accessCode }) },
  'POST /manage/recover': { poster: 'visitor', url: () => '/manage/recover', fields: (w) => ({ email: w.a.ownerEmail }) },
  'POST /manage/create': {
    poster: 'visitor',
    url: () => '/manage/create',
    fields: () => ({ ...conferenceFields, ownerName: 'Mallory', ownerEmail: 'mallory@example.com', slug: `forged_${Date.now().toString(36)}` }),
  },
  'POST /manage/logout': { poster: 'manager', url: () => '/manage/logout', fields: () => ({}) },
  'POST /manage/:slug/publish': { poster: 'manager', url: (w) => `/manage/${w.a.slug}/publish`, fields: () => ({}) },
  'POST /manage/:slug/unpublish': { poster: 'manager', url: (w) => `/manage/${w.a.slug}/unpublish`, fields: () => ({}) },
  'POST /manage/:slug/edit': { poster: 'manager', url: (w) => `/manage/${w.a.slug}/edit`, fields: () => conferenceFields },
  'POST /manage/:slug/seats': { poster: 'manager', url: (w) => `/manage/${w.a.slug}/seats`, fields: () => seatFields },
  'POST /manage/:slug/seats/rows': { poster: 'manager', url: (w) => `/manage/${w.a.slug}/seats/rows`, fields: () => seatFields },
  'POST /manage/:slug/seats/rows/:id': { poster: 'manager', url: (w) => `/manage/${w.a.slug}/seats/rows/${w.a.seatTypeIds[0]}`, fields: () => seatFields },
  'POST /manage/:slug/seats/rows/:id/delete': { poster: 'manager', url: (w) => `/manage/${w.a.slug}/seats/rows/${w.a.seatTypeIds[1]}/delete`, fields: () => ({}) },
  'POST /manage/:slug/seats/:id': { poster: 'manager', url: (w) => `/manage/${w.a.slug}/seats/${w.a.seatTypeIds[0]}`, fields: () => seatFields },
  'POST /manage/:slug/seats/:id/delete': { poster: 'manager', url: (w) => `/manage/${w.a.slug}/seats/${w.a.seatTypeIds[1]}/delete`, fields: () => ({}) },
  'POST /ops': { poster: 'visitor', url: () => '/ops', fields: (w) => ({ token: w.server.config.operatorToken }) },
  'POST /ops/': { poster: 'visitor', url: () => '/ops/', fields: (w) => ({ token: w.server.config.operatorToken }) },
  'POST /ops/logout': { poster: 'operator', url: () => '/ops/logout', fields: () => ({}) },
  'POST /ops/maintenance': { poster: 'operator', url: () => '/ops/maintenance', fields: () => ({ public: 'on', management: 'on', processing: 'on' }) },
  'POST /ops/dead-letters/retry': { poster: 'operator', url: () => '/ops/dead-letters/retry', fields: () => ({ handler: 'registration-process-manager' }) },
  'POST /ops/dead-letters/:id/retry': { poster: 'operator', url: () => '/ops/dead-letters/1/retry', fields: () => ({}) },
  'POST /ops/dead-letters/:id/discard': { poster: 'operator', url: () => '/ops/dead-letters/1/discard', fields: () => ({ reason: 'forged' }) },
  'POST /ops/read-models/:name/rebuild': { poster: 'operator', url: () => '/ops/read-models/conferences/rebuild', fields: () => ({ mode: 'in-place' }) },
  'POST /ops/read-models/:name/versions/:version/switch': { poster: 'operator', url: () => '/ops/read-models/conferences/versions/1/switch', fields: () => ({}) },
  'POST /ops/read-models/:name/versions/:version/retire': { poster: 'operator', url: () => '/ops/read-models/conferences/versions/1/retire', fields: () => ({}) },
};

describe('CSRF protection of every form', () => {
  let w: World;
  let forms: Array<{ key: string; form: Form | undefined }>;
  let posters: Record<Poster, Registrant | PageAgent>;
  /** Another browser, with a session and a CSRF token of its own. */
  let stranger: PageAgent;

  beforeAll(async () => {
    w = await buildWorld();
    const table = routeTable(w.server);
    forms = table.filter(({ method, url }) => !['GET', 'HEAD'].includes(method) && !url.startsWith('/api/')).map(({ method, url }) => ({ key: `${method} ${url}`, form: FORMS[`${method} ${url}`] }));
    const holder = await holderOf(w.server, w.paid);
    await holder.post(`/${w.a.slug}/order/find`, { email: w.pending.email, accessCode: w.pending.accessCode });
    const visitor = new PageAgent(w.server);
    await visitor.get('/manage/locate');
    posters = { holder, visitor, manager: await managerOf(w.server, w.a), operator: await operatorOf(w.server) };
    stranger = new PageAgent(w.server, '192.0.2.99');
    await stranger.get('/manage/locate');
    expect(stranger.csrf).not.toBe('');
  });
  afterAll(() => w.server.close());

  function expectForbidden(response: LightMyRequestResponse, label: string) {
    expect(response.statusCode, `${label}: ${response.body.slice(0, 200)}`).toBe(403);
    expect(response.headers['content-type'], label).toBe('text/html; charset=utf-8');
    expect(response.body, label).toContain(FORBIDDEN_TEXT);
    expect(String(response.headers['set-cookie'] ?? ''), label).not.toContain('contoso_orders');
  }

  it('knows a poster and a valid form for every form route of the sites', () => {
    expect(forms.length).toBeGreaterThanOrEqual(29);
    expect(forms.filter(({ form }) => form === undefined).map(({ key }) => key)).toEqual([]);
    // Forms are posted: no page route takes PUT, PATCH or DELETE.
    expect(forms.filter(({ key }) => !key.startsWith('POST ')).map(({ key }) => key)).toEqual([]);
  });

  it('refuses every form without a token, with an empty or altered one, and with another session’s token (403), changing nothing', async () => {
    const before = await logIds(w.server);
    for (const { key, form } of forms) {
      const poster = posters[form!.poster];
      const url = form!.url(w);
      const fields = form!.fields(w);
      // Its own token, read from a page of its own session.
      const token = poster.csrf;
      expect(token, key).not.toBe('');
      expectForbidden(await poster.post(url, fields, { csrf: false }), `${key} without a token`);
      expectForbidden(await poster.post(url, { ...fields, _csrf: '' }, { csrf: false }), `${key} with an empty token`);
      expectForbidden(await poster.post(url, { ...fields, _csrf: `${token.slice(0, -2)}xx` }, { csrf: false }), `${key} with an altered token`);
      expectForbidden(await poster.post(url, { ...fields, _csrf: stranger.csrf }, { csrf: false }), `${key} with another session’s token`);
      if ('htmxPost' in poster) {
        expectForbidden(await poster.post(url, fields, { csrf: false, headers: { 'x-csrf-token': stranger.csrf } }), `${key} with another session’s token in the header`);
      }
      // The poster's token is restored (a refused post shows no new form).
      poster.csrf = token;
    }
    expect(await logIds(w.server)).toEqual(before);
  });

  it('refuses a form posted without a session at all', async () => {
    for (const { key, form } of forms) {
      const url = form!.url(w);
      const response = await w.server.app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams({ ...form!.fields(w), _csrf: stranger.csrf }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        remoteAddress: '192.0.2.98',
      });
      // Pages behind a session send the visitor to their log-in first; every other form is refused.
      if (response.statusCode === 303) {
        expect(['/manage/locate', '/ops'], key).toContain(response.headers.location);
      } else {
        expectForbidden(response, key);
      }
    }
  });

  it('leaves a refused log-in without the access it asked for', async () => {
    const locate = await posters.visitor.post('/manage/locate', { email: w.a.ownerEmail, accessCode: w.a.accessCode }, { csrf: false });
    expectForbidden(locate, 'management log-in');
    const details = await posters.visitor.get(`/manage/${w.a.slug}/`);
    expect(details.statusCode).toBe(303);
    const ops = await posters.visitor.post('/ops', { token: w.server.config.operatorToken }, { csrf: false });
    expectForbidden(ops, 'operator log-in');
    expect((await posters.visitor.get('/ops/messages')).statusCode).toBe(303);
  });

  // Last: these forms change the world (log-outs and the maintenance switch go at the very end).
  it('accepts each of these forms with the session’s own token: the refusals above are the token’s doing', async () => {
    const last = (key: string) => (key.includes('logout') || key.includes('maintenance') ? 1 : 0);
    for (const { key, form } of [...forms].sort((x, y) => last(x.key) - last(y.key))) {
      const poster = posters[form!.poster];
      const response = await poster.post(form!.url(w), form!.fields(w));
      expect(response.statusCode, `${key}: ${response.body.slice(0, 300)}`).not.toBe(403);
      expect(response.statusCode, key).toBeLessThan(500);
    }
  });

  it('takes no form bodies on the JSON API (a cross-site form cannot post to it)', async () => {
    const table = routeTable(w.server).filter(({ method, url }) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) && url.startsWith('/api/'));
    expect(table.length).toBeGreaterThanOrEqual(20);
    for (const { method, url } of table) {
      const concrete = url.replace(':slug', w.a.slug).replace(':orderId', w.paid.id).replace(':paymentId', w.paid.payment!.id).replace(/:\w+/g, '1');
      for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const response = await w.server.app.inject({ method: method as 'POST', url: concrete, payload: 'a=1', headers: { 'content-type': contentType, cookie: (posters.manager as PageAgent).cookie } });
        expect(response.statusCode, `${method} ${url} as ${contentType}`).toBe(415);
      }
    }
  });
});

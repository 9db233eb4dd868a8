import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementClient, newConferenceBody, uniqueSlug } from '../web/management-fixture.ts';
import { conferenceForm } from '../web/management-pages-fixture.ts';
import { type PublishedConference, registrationServer, seatSelectionForm } from '../web/registration-site-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';
import { expectNoInlineScript, expectSecurityHeaders } from './page-checks.ts';
import { type PageAgent, type PlacedOrder, Registrant, holderOf, managerOf, operatorOf, placeOrder, settle } from './security-fixture.ts';

/** Markup for every context: an element, an attribute break-out, and a quote. */
const XSS = `<script>alert(1)</script>"><img src=x onerror=alert(1)>'`;
/** A field's value: its own tag, so that a page shows which field it rendered, then the markup. */
const mark = (tag: string) => `${tag}|${XSS}`;

/** Each text a user can set, by its tag. */
const FIELDS = {
  ownerName: 'ON',
  name: 'CN',
  tagline: 'TG',
  description: 'DS',
  location: 'LC',
  twitterSearch: 'TW',
  paidSeatName: 'S1',
  paidSeatDescription: 'D1',
  freeSeatName: 'S2',
  freeSeatDescription: 'D2',
  registrantFirst: 'RF',
  registrantLast: 'RL',
  attendeeFirst: 'AF',
  attendeeLast: 'AL',
  pageRegistrantFirst: 'PF',
  pageRegistrantLast: 'PL',
  pageAttendeeFirst: 'QF',
  pageAttendeeLast: 'QL',
} as const;

type Tag = (typeof FIELDS)[keyof typeof FIELDS] | string;

/**
 * The field's text as the page must carry it: `<` and `"` escaped for HTML (`&lt;`, `&quot;`; `>` may
 * stay), or for a JSON data block (`\u003c`, `\"`), or both (a JSON payload shown as HTML).
 */
function escapedForm(tag: Tag, truncated = false): RegExp {
  const lt = '(?:&lt;|\\\\u003c)';
  const gt = '(?:>|&gt;|\\\\u003e)';
  const quote = '(?:&quot;|&#34;|\\\\"|\\\\&quot;)';
  if (truncated) return new RegExp(`${tag}\\|${lt}script${gt}alert`);
  return new RegExp(`${tag}\\|${lt}script${gt}alert\\(1\\)${lt}/script${gt}${quote}${gt}${lt}img src=x onerror=alert\\(1\\)${gt}`);
}

/** No markup of ours in the page, and every listed field shown escaped. */
function expectEscaped(response: LightMyRequestResponse, label: string, tags: Tag[], { truncated = false } = {}): void {
  expect(response.statusCode, `${label}: ${response.body.slice(0, 300)}`).toBeLessThan(500);
  const { body } = response;
  expect(body.toLowerCase(), `${label}: raw script`).not.toContain('<script>alert(1)');
  expect(body.toLowerCase(), `${label}: raw img`).not.toContain('<img src=x');
  expect(body, `${label}: onerror in a tag`).not.toMatch(/<[^>]*\sonerror\s*=/i);
  expect(body, `${label}: javascript: link`).not.toMatch(/(?:href|src|action)\s*=\s*["']?\s*javascript:/i);
  expectSecurityHeaders(response, label);
  if (String(response.headers['content-type']).startsWith('text/html')) expectNoInlineScript(body, label);
  for (const tag of tags) {
    expect(
      escapedForm(tag, truncated).test(body),
      `${label}: the ${tag} field is not shown escaped${body.includes(`${tag}|`) ? ` (shown as ${JSON.stringify(body.slice(body.indexOf(`${tag}|`), body.indexOf(`${tag}|`) + 90))})` : ''}`,
    ).toBe(true);
  }
}

describe('user text is escaped wherever it is shown', () => {
  let server: TestServer;
  let conference: PublishedConference;
  let apiOrder: PlacedOrder;
  let pageOrderId: string;
  let holder: Registrant;
  let pageBuyer: Registrant;
  let manager: PageAgent;
  let operator: PageAgent;

  beforeAll(async () => {
    server = await registrationServer();
    server.processing!.start();
    const management = new ManagementClient(server);
    const created = await management.create({
      ownerName: mark(FIELDS.ownerName),
      ownerEmail: 'xss.owner@example.com',
      name: mark(FIELDS.name),
      tagline: mark(FIELDS.tagline),
      description: `${mark(FIELDS.description)}\nA second line <b>bold</b> & <a href="javascript:alert(1)">a link</a>`,
      location: mark(FIELDS.location),
      twitterSearch: `javascript:alert(1)//${mark(FIELDS.twitterSearch)}`,
      slug: uniqueSlug('xss'),
    });
    const paidSeat = await management.addSeatType(created, { name: mark(FIELDS.paidSeatName), description: mark(FIELDS.paidSeatDescription), quantity: 100, price: 10_000 });
    const freeSeat = await management.addSeatType(created, { name: mark(FIELDS.freeSeatName), description: mark(FIELDS.freeSeatDescription), quantity: 100, price: 0 });
    expect((await management.as(created, 'POST', '/publish')).statusCode).toBe(200);
    await settle(server);
    conference = { ...created, seatTypeIds: [paidSeat.id, freeSeat.id] };

    // An order through the API: paid, with the registrant's and an attendee's names.
    apiOrder = await placeOrder(server, conference, { accept: true, registrant: { firstName: mark(FIELDS.registrantFirst), lastName: mark(FIELDS.registrantLast), email: 'xss.buyer@example.com' } });
    const assigned = await server.app.inject({
      method: 'PUT',
      url: `/api/orders/${apiOrder.id}/assignments/0`,
      payload: { firstName: mark(FIELDS.attendeeFirst), lastName: mark(FIELDS.attendeeLast), email: 'xss.attendee@example.com' },
      headers: { 'x-access-code': apiOrder.accessCode },
    });
    expect(assigned.statusCode, assigned.body).toBe(202);

    // An order through the pages: free, the names typed into the forms.
    pageBuyer = new Registrant(server, '198.20.0.1');
    const selection = await pageBuyer.get(`/${conference.slug}/register`);
    const checkout = await pageBuyer.follow(await pageBuyer.post(`/${conference.slug}/register`, seatSelectionForm(selection.body, { [freeSeat.id]: 1 })));
    pageOrderId = new URL(checkout.url, 'http://x').searchParams.get('orderId')!;
    const confirmed = await pageBuyer.post(`/${conference.slug}/registrant?orderId=${pageOrderId}`, {
      firstName: mark(FIELDS.pageRegistrantFirst),
      lastName: mark(FIELDS.pageRegistrantLast),
      email: 'xss.page@example.com',
      confirmEmail: 'xss.page@example.com',
    });
    expect(confirmed.statusCode, confirmed.body).toBe(303);
    await pageBuyer.follow(confirmed);
    await settle(server);
    await pageBuyer.get(`/${conference.slug}/order/${pageOrderId}/seats`);
    const seated = await pageBuyer.post(`/${conference.slug}/order/${pageOrderId}/seats`, {
      'firstName-0': mark(FIELDS.pageAttendeeFirst),
      'lastName-0': mark(FIELDS.pageAttendeeLast),
      'email-0': 'xss.page.attendee@example.com',
    });
    expect(seated.statusCode, seated.body).toBe(303);
    await settle(server);

    holder = await holderOf(server, apiOrder, '198.20.0.2');
    manager = await managerOf(server, conference, '198.20.0.3');
    operator = await operatorOf(server, '198.20.0.4');
  });
  afterAll(() => server?.close());

  it('refuses markup where the rules allow none: slugs and e-mail addresses', async () => {
    for (const overrides of [{ slug: `x${XSS}` }, { slug: 'javascript:alert(1)' }, { ownerEmail: `"><img src=x onerror=alert(1)>@example.com` }, { ownerEmail: `a@example.com<script>` }]) {
      const response = await server.app.inject({ method: 'POST', url: '/api/management/conferences', payload: newConferenceBody(overrides) });
      expect(response.statusCode, JSON.stringify(overrides)).toBe(400);
    }
    const registrant = await server.app.inject({
      method: 'PUT',
      url: `/api/orders/${apiOrder.id}/assignments/0`,
      payload: { firstName: 'a', lastName: 'b', email: `<script>alert(1)</script>@example.com` },
      headers: { 'x-access-code': apiOrder.accessCode },
    });
    expect(registrant.statusCode).toBe(400);
    const placed = await server.app.inject({ method: 'POST', url: `/api/conferences/${conference.slug}/orders`, payload: { seats: [{ seatTypeId: conference.seatTypeIds[1], quantity: 1 }] } });
    const { id, accessCode } = placed.json() as { id: string; accessCode: string };
    await server.app.inject({ url: `/api/orders/${id}?until=settled&waitMs=5000`, headers: { 'x-access-code': accessCode } });
    const checkout = await server.app.inject({
      method: 'POST',
      url: `/api/orders/${id}/checkout`,
      payload: { registrant: { firstName: 'a', lastName: 'b', email: `"><img src=x onerror=alert(1)>@example.com` } },
      headers: { 'x-access-code': accessCode },
    });
    expect(checkout.statusCode, checkout.body).toBe(400);
    expect(checkout.json().error.fields).toHaveProperty(['registrant.email']);
  });

  it('on the public site', async () => {
    const { slug } = conference;
    const conferenceFields = [FIELDS.name, FIELDS.tagline, FIELDS.description, FIELDS.location, FIELDS.twitterSearch];
    const seatFields = [FIELDS.paidSeatName, FIELDS.paidSeatDescription, FIELDS.freeSeatName, FIELDS.freeSeatDescription];
    const visitor = new Registrant(server, '198.20.1.1');
    expectEscaped(await visitor.get('/'), 'home', [FIELDS.name]);
    const page = await visitor.get(`/${slug}/`);
    expectEscaped(page, 'conference page', [...conferenceFields, ...seatFields]);
    // The Twitter link goes to Twitter, whatever the search says.
    const twitter = /<a href="([^"]*)">javascript:alert\(1\)\/\/TW\|/.exec(page.body);
    expect(twitter?.[1]).toMatch(/^https:\/\/twitter\.com\/search\?q=javascript%3Aalert\(1\)%2F%2FTW%7C%3Cscript%3E/);
    // The description keeps its lines, and none of its markup.
    expect(page.body).toContain('A second line &lt;b>bold&lt;/b> &amp; &lt;a href=&quot;javascript:alert(1)&quot;>a link&lt;/a>');
    expectEscaped(await visitor.get(`/${slug}/register`), 'seat selection', [FIELDS.name, ...seatFields]);
    expectEscaped(await visitor.get(`/${slug}/order/find`), 'locate', [FIELDS.name]);
    expectEscaped(await visitor.post(`/${slug}/order/find`, { email: mark('LE'), accessCode: mark('LA') }), 'locate, refused', [FIELDS.name, 'LE']);

    expectEscaped(await holder.get(`/${slug}/order/${apiOrder.id}`), 'order details', [FIELDS.name, FIELDS.paidSeatName]);
    expectEscaped(await holder.get(`/${slug}/order/${apiOrder.id}/seats`), 'assign seats', [FIELDS.paidSeatName, FIELDS.attendeeFirst, FIELDS.attendeeLast]);
    expectEscaped(await holder.get(`/${slug}/confirmation?orderId=${apiOrder.id}`), 'thank you', [FIELDS.name]);
    expectEscaped(await holder.get(`/${slug}/expired?orderId=${apiOrder.id}`), 'completed', [FIELDS.name]);
    expectEscaped(
      await holder.post(`/${slug}/order/${apiOrder.id}/seats`, { 'firstName-0': mark('XF'), 'lastName-0': mark('XL'), 'email-0': mark('XE') }),
      'assign seats, refused',
      ['XF', 'XL', 'XE'],
    );
    expectEscaped(await pageBuyer.get(`/${slug}/order/${pageOrderId}/seats`), 'assign seats (page order)', [FIELDS.freeSeatName, FIELDS.pageAttendeeFirst, FIELDS.pageAttendeeLast]);

    // A paid order through the pages: checkout (refused, then accepted) and the processor.
    const buyer = new Registrant(server, '198.20.1.2');
    const selection = await buyer.get(`/${slug}/register`);
    const checkout = await buyer.follow(await buyer.post(`/${slug}/register`, seatSelectionForm(selection.body, { [conference.seatTypeIds[0]]: 1 })));
    expectEscaped(checkout, 'checkout', [FIELDS.name, FIELDS.paidSeatName]);
    const orderId = new URL(checkout.url, 'http://x').searchParams.get('orderId')!;
    const refused = await buyer.post(`/${slug}/registrant?orderId=${orderId}`, { firstName: mark('CF'), lastName: mark('CL'), email: mark('CE'), confirmEmail: mark('CC'), paymentMethod: 'card' });
    expectEscaped(refused, 'checkout, refused', ['CF', 'CL', 'CE']);
    const processor = await buyer.follow(
      await buyer.post(`/${slug}/registrant?orderId=${orderId}`, { firstName: mark('BF'), lastName: mark('BL'), email: 'xss.buyer2@example.com', confirmEmail: 'xss.buyer2@example.com', paymentMethod: 'card' }),
    );
    expect(processor.url).toMatch(/^\/payment\?/);
    expectEscaped(processor, 'processor', [FIELDS.name]);
  });

  it('on the management site', async () => {
    const base = `/manage/${conference.slug}`;
    const conferenceFields = [FIELDS.ownerName, FIELDS.name, FIELDS.tagline, FIELDS.description, FIELDS.location, FIELDS.twitterSearch];
    const seatFields = [FIELDS.paidSeatName, FIELDS.paidSeatDescription, FIELDS.freeSeatName, FIELDS.freeSeatDescription];
    expectEscaped(await manager.get('/manage'), 'home', []);
    expectEscaped(await manager.get(`${base}/`), 'details', conferenceFields);
    expectEscaped(await manager.get(`${base}/edit`), 'edit', conferenceFields);
    expectEscaped(await manager.get(`${base}/seats`), 'seat types', seatFields);
    expectEscaped(await manager.get(`${base}/seats?edit=${conference.seatTypeIds[0]}`), 'seat types, editing', seatFields);
    expectEscaped(await manager.htmxGet(`${base}/seats/rows/${conference.seatTypeIds[0]}`), 'seat row', [FIELDS.paidSeatName, FIELDS.paidSeatDescription]);
    expectEscaped(await manager.htmxGet(`${base}/seats/rows/${conference.seatTypeIds[0]}/edit`), 'seat row, editing', [FIELDS.paidSeatName, FIELDS.paidSeatDescription]);
    expectEscaped(await manager.get(`${base}/orders`), 'orders and attendees', [
      FIELDS.registrantFirst,
      FIELDS.registrantLast,
      FIELDS.attendeeFirst,
      FIELDS.attendeeLast,
      FIELDS.pageRegistrantFirst,
      FIELDS.pageRegistrantLast,
      FIELDS.pageAttendeeFirst,
      FIELDS.pageAttendeeLast,
      FIELDS.paidSeatName,
      FIELDS.freeSeatName,
    ]);
    expectEscaped(await manager.get(`${base}/dashboard`), 'dashboard', [FIELDS.paidSeatName, FIELDS.freeSeatName]);

    // Forms shown again with what was typed.
    expectEscaped(
      await manager.post(`${base}/edit`, { name: mark('EN'), tagline: mark('ET'), location: mark('EL'), twitterSearch: mark('EW'), description: mark('ED'), startDate: '2030-06-14', endDate: '2030-06-12', reservationHoldMinutes: '15' }),
      'edit, refused',
      ['EN', 'ET', 'EL', 'EW', 'ED'],
    );
    expectEscaped(await manager.post(`${base}/seats`, { name: mark('NS'), description: mark('ND'), quantity: 'lots', price: '1' }), 'new seat type, refused', ['NS', 'ND']);
    expectEscaped(await manager.htmxPost(`${base}/seats/rows`, { name: mark('HS'), description: mark('HD'), quantity: 'lots', price: '1' }), 'new seat row, refused', ['HS', 'HD']);
    const visitor = new (manager.constructor as typeof PageAgent)(server, '198.20.2.1');
    await visitor.get('/manage/create');
    expectEscaped(
      await visitor.post('/manage/create', conferenceForm({ ownerName: mark('MO'), ownerEmail: mark('ME'), name: mark('MN'), tagline: mark('MT'), slug: mark('MS'), location: mark('ML'), twitterSearch: mark('MW'), description: mark('MD') })),
      'create, refused',
      ['MO', 'ME', 'MN', 'MT', 'MS', 'ML', 'MW', 'MD'],
    );
    await visitor.get('/manage/locate');
    expectEscaped(await visitor.post('/manage/locate', { email: mark('LE'), accessCode: mark('LC') }), 'log-in, refused', ['LE']);
    await visitor.get('/manage/recover');
    expectEscaped(await visitor.post('/manage/recover', { email: mark('RE') }), 'recover', []);
  });

  it('on the operator pages: message log, timelines and e-mails', async () => {
    expectEscaped(await operator.get('/ops/messages?limit=1000'), 'message log', [FIELDS.ownerName, FIELDS.name, FIELDS.paidSeatName, FIELDS.registrantFirst, FIELDS.attendeeFirst, FIELDS.pageAttendeeLast]);
    // Timelines cut long payloads short.
    expectEscaped(await operator.get(`/ops/timeline?correlationId=${apiOrder.id}`), 'timeline', [FIELDS.registrantFirst, FIELDS.attendeeFirst], { truncated: true });
    expectEscaped(await operator.get(`/ops/orders/${apiOrder.id}/timeline`), 'order timeline', [FIELDS.registrantFirst], { truncated: true });
    expectEscaped(await operator.get('/ops/emails'), 'e-mails', [FIELDS.name, FIELDS.ownerName, FIELDS.registrantFirst]);
    expectEscaped(await operator.get('/ops'), 'operator home', []);
  });

  it('in every query parameter a page shows again', async () => {
    const x = encodeURIComponent(XSS);
    const { slug } = conference;
    const anyone = new Registrant(server, '198.20.3.1');
    for (const [agent, url] of [
      [operator, `/ops/messages?kind=${x}&type=${x}&sourceType=${x}&sourceId=${x}&correlationId=${x}&from=${x}&until=${x}&after=${x}&limit=${x}`],
      [operator, `/ops/messages?type=${x}`],
      [operator, `/ops/emails?to=${x}&status=${x}`],
      [operator, `/ops/timeline?correlationId=${x}&after=${x}`],
      [operator, `/ops/dead-letters?handler=${x}`],
      [operator, `/ops/timers?dueBefore=${x}&limit=${x}`],
      [operator, `/ops/orders/${x}/timeline`],
      [manager, `/manage/${slug}/orders?after=${x}&expired=${x}`],
      [manager, `/manage/${slug}/seats?add=${x}&edit=${x}&delete=${x}`],
      [manager, `/manage/${slug}/seats/rows/${x}`],
      [anyone, `/${slug}/register?orderId=${x}`],
      [anyone, `/${slug}/order/${x}`],
      [anyone, `/${slug}/third-party-payment?paymentId=${x}`],
      [anyone, `/payment?paymentId=${x}&token=${x}`],
      [anyone, `/${x}/`],
      [anyone, `/no/such/${x}`],
      [holder, `/${slug}/order/${apiOrder.id}?position=${x}`],
    ] as const) {
      expectEscaped(await agent.get(url), url, []);
    }
  });
});

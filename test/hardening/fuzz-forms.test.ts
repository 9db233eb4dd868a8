import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESERVED_SLUGS } from '../../src/web/reserved-slugs.ts';
import { PageAgent, conferenceForm, seatTypeForm } from '../web/management-pages-fixture.ts';
import { ordersServer } from '../web/orders-fixture.ts';
import { type PublishedConference, Registrant, publishConference, seatSelectionForm, settle } from '../web/registration-site-fixture.ts';
import { STORE_KINDS } from '../support/stores.ts';
import type { TestServer } from '../web/server-fixture.ts';
import { type FormEndpoint, type FormMutation, type Session, formMutations, formProbes, invalidText, oddFormPaths } from './support/form-probes.ts';
import { Fuzzer } from './support/fuzzer.ts';
import { RawHttp } from './support/http.ts';
import { type Field, junkText, notAnEmail } from './support/junk.ts';

/**
 * Every HTML form of the public site, the management site and the operator pages gets generated
 * invalid submissions over real HTTP (embedded store), from a browser with a valid session and CSRF
 * token: fields made wrong, left out or repeated, wrong or missing CSRF tokens, other media types,
 * bodies over 64 KiB, broken encodings and odd paths. Each must be refused — a 4xx page, the form
 * again with its errors, or a redirect back — never a 5xx or internals, and the store must not change.
 */

/** Submissions per form: bodies, odd paths. PostgreSQL gets a smaller sample. */
const RUNS_ON = {
  sqlite: { bodies: 80, paths: 24 },
  postgres: { bodies: 15, paths: 10 },
} as const;

const text = (max: number, more: Partial<Extract<Field, { kind: 'text' }>> = {}): Field => ({ kind: 'text', required: true, max, ...more });
const detailFields: Record<string, Field> = {
  name: text(100),
  tagline: text(150, { required: false }),
  location: text(200),
  twitterSearch: text(100, { required: false }),
  description: text(4000, { multiline: true }),
  startDate: { kind: 'date', required: true },
  endDate: { kind: 'date', required: true },
  reservationHoldMinutes: { kind: 'integer', required: false, min: 5, max: 60 },
};
const seatTypeFields: Record<string, Field> = {
  name: text(70, { min: 2 }),
  description: text(250, { required: false }),
  quantity: { kind: 'integer', required: true, min: 0, max: 100_000 },
};
const personFields: Record<string, Field> = { firstName: text(100), lastName: text(100), email: { kind: 'email', required: true } };

/** A field set to one of these texts. */
const setTo = (field: string, values: fc.Arbitrary<string | string[]>): fc.Arbitrary<FormMutation> =>
  values.map((value) => ({
    field,
    apply: (form) => {
      form[field] = value;
    },
  }));

/** Dollar amounts the seat forms refuse. */
const badPrice = fc.oneof(fc.constantFrom('', ' ', 'abc', '-1', '-0.01', '1.999', '50000.01', '1,00', '$', '1e3', '0x10', '₹100', '１００', 'NaN', '99999999999999999999'), junkText.filter((value) => !/^\s*\$?\s*[\d,]+(\.\d{1,2})?\s*$/.test(value)));

/** Slugs the create form refuses (never a valid, free one). */
const badSlug = (taken: string) =>
  fc.oneof(
    invalidText(text(64)),
    fc.constantFrom(...RESERVED_SLUGS, 'MANAGE', taken, taken.toUpperCase(), 'x'.repeat(65), 'a-b', 'a b', 'ä', 'a.b'),
    junkText.filter((value) => !/^[A-Za-z0-9_]{1,64}$/.test(value.trim())),
  );

const sameText = (a: string) => (b: string) => a.toLowerCase() === b.toLowerCase();

describe.each(STORE_KINDS)('fuzzing the HTML forms on %s', (kind) => {
  const RUNS = RUNS_ON[kind];
  let server: TestServer;
  let http: RawHttp;
  let fuzzer: Fuzzer;
  /** Published; its seat types: paid, free. */
  let conference: PublishedConference;
  let registrant: Session;
  let owner: Session;
  let operator: Session;
  /** A CSRF token of another session. */
  let foreignCsrf: string;
  /** A reserved order, an order with its payment initiated, a confirmed order with two seats: all this registrant's. */
  let reserved: { id: string; version: string };
  let paying: { id: string; paymentId: string };
  let confirmed: { id: string; accessCode: string };

  beforeAll(async () => {
    server = await ordersServer(kind, { TRUST_PROXY: '1', CONFERENCE_CREATION_LIMIT: '0' });
    conference = await publishConference(server, [
      { name: 'General admission', price: 19_900, quantity: 1000 },
      { name: 'Community', price: 0, quantity: 1000 },
    ]);
    const [paid, free] = conference.seatTypeIds;

    const browser = new Registrant(server);
    const place = async (quantities: Record<string, number>) => {
      const selection = await browser.get(`/${conference.slug}/register`);
      const placed = await browser.follow(await browser.post(`/${conference.slug}/register`, seatSelectionForm(selection.body, quantities)));
      expect(placed.statusCode, placed.body).toBe(200);
      return new URL(placed.url, 'http://site').searchParams.get('orderId')!;
    };
    const checkout = async (orderId: string) => {
      await browser.get(`/${conference.slug}/registrant?orderId=${orderId}`);
      const sent = await browser.post(`/${conference.slug}/registrant?orderId=${orderId}`, { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', confirmEmail: 'ada@example.com' });
      expect(sent.statusCode, sent.body).toBe(303);
      return browser.follow(sent);
    };
    const reservedId = await place({ [paid]: 2 });
    const payingId = await place({ [paid]: 1 });
    const processor = await checkout(payingId);
    const paymentId = new URL(processor.url, 'http://site').searchParams.get('paymentId')!;
    const confirmedId = await place({ [free]: 2 });
    const thanks = await checkout(confirmedId);
    expect(thanks.body).toContain(confirmedId);
    await settle(server);
    const selection = await browser.get(`/${conference.slug}/register?orderId=${reservedId}`);
    reserved = { id: reservedId, version: /name="orderVersion" value="([^"]*)"/.exec(selection.body)![1] };
    paying = { id: payingId, paymentId };
    const details = await browser.get(`/${conference.slug}/order/${confirmedId}`);
    confirmed = { id: confirmedId, accessCode: /([A-Z0-9]{6})/.exec(details.body.replace(/<[^>]*>/g, ' ').split('ccess code')[1] ?? '')?.[1] ?? 'XXXXXX' };
    await browser.get(`/${conference.slug}/order/${confirmedId}/seats`);
    registrant = { cookie: [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; '), csrf: browser.csrf };

    const manager = new PageAgent(server);
    expect((await manager.logIn(conference.ownerEmail, conference.accessCode)).statusCode).toBe(303);
    await manager.get(`/manage/${conference.slug}/seats`);
    owner = { cookie: manager.cookie, csrf: manager.csrf };

    const ops = new PageAgent(server);
    await ops.get('/ops');
    expect((await ops.post('/ops', { token: server.config.operatorToken })).statusCode).toBe(303);
    await ops.get('/ops/maintenance');
    operator = { cookie: ops.cookie, csrf: ops.csrf };

    const stranger = new PageAgent(server);
    await stranger.get('/manage/create');
    foreignCsrf = stranger.csrf;

    http = await RawHttp.listen(server);
    fuzzer = new Fuzzer(server, http);
  });

  afterAll(async () => {
    if (fuzzer) console.log(fuzzer.record.summary(`HTML form fuzz on ${kind}`));
    http?.close();
    await server?.close();
  });

  async function fuzz(name: string, endpoint: FormEndpoint, isValidParam?: (name: string, value: string) => boolean) {
    await fuzzer.refuseAll(name, formProbes(endpoint, foreignCsrf), RUNS.bodies);
    // Odd paths carry the form as it is: only where a path parameter refuses it.
    if (endpoint.params) await fuzzer.refuseAll(name, oddFormPaths(endpoint, isValidParam), RUNS.paths);
    fuzzer.expectClean(name);
  }

  const slugParam = () => ({ slug: conference.slug });
  const isConference = (name: string, value: string) => name === 'slug' && sameText(conference.slug)(value);

  describe('public site', () => {
    const locate = () => new RegExp(`^/${conference.slug}/order/find$`);

    it('POST /{slug}/register', async () => {
      const [paid, free] = conference.seatTypeIds;
      const quantity = (seatTypeId: string) => `quantity-${seatTypeId}`;
      await fuzz('POST /{slug}/register', {
        path: '/{slug}/register',
        params: slugParam(),
        session: registrant,
        base: { orderId: reserved.id, orderVersion: reserved.version, [quantity(paid)]: '3', [quantity(free)]: '0' },
        mutation: fc.oneof(
          fc.constantFrom(paid, free).chain((id) => setTo(quantity(id), fc.oneof(fc.constantFrom('21', '-1', '1.5', '1e1', '0x1', '999999', '1000000', '+1', '٣'), junkText.filter((value) => !/^\s*\d{0,6}\s*$/.test(value))))),
          setTo(quantity(paid), fc.constantFrom('0', '', '   ', '000', ['1', '2'])),
        ),
        refusedTo: locate(),
      }, isConference);
    });

    it('POST /{slug}/registrant', async () => {
      await fuzz('POST /{slug}/registrant', {
        path: '/{slug}/registrant',
        params: slugParam(),
        query: `?orderId=${reserved.id}`,
        session: registrant,
        base: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', confirmEmail: 'grace@example.com' },
        mutation: fc.oneof(
          { weight: 3, arbitrary: formMutations(personFields) },
          { weight: 1, arbitrary: setTo('confirmEmail', fc.oneof(notAnEmail, fc.constantFrom('', 'grace@example.org', ['grace@example.com', 'grace@example.com']))) },
        ),
        refusedTo: locate(),
      }, isConference);
    });

    it('POST /{slug}/order/find', async () => {
      await fuzz('POST /{slug}/order/find', {
        path: '/{slug}/order/find',
        params: slugParam(),
        session: registrant,
        base: { email: 'ada@example.com', accessCode: 'WRONG1' },
        mutation: fc.oneof(
          setTo('accessCode', junkText.filter((code) => code.trim().toUpperCase() !== confirmed.accessCode)),
          setTo('email', junkText.filter((email) => email.trim().toLowerCase() !== 'ada@example.com')),
        ),
      }, isConference);
    });

    it('POST /{slug}/order/{orderId}/seats', async () => {
      const seat = (position: number): Record<string, Field> => Object.fromEntries(Object.entries(personFields).map(([field, rule]) => [`${field}-${position}`, rule]));
      await fuzz('POST /{slug}/order/{orderId}/seats', {
        path: '/{slug}/order/{orderId}/seats',
        params: { slug: conference.slug, orderId: confirmed.id },
        session: registrant,
        base: { 'firstName-0': 'Grace', 'lastName-0': 'Hopper', 'email-0': 'grace@example.com', 'firstName-1': '', 'lastName-1': '', 'email-1': '' },
        mutation: formMutations(seat(0)),
        // Rows left empty leave the seats free: a form without fields changes nothing.
        needsFields: false,
        refusedTo: locate(),
      }, (name, value) => isConference(name, value) || (name === 'orderId' && sameText(confirmed.id)(value)));
    });

    for (const answer of ['accept', 'reject']) {
      it(`POST /{slug}/third-party-payment/${answer}`, async () => {
        // The token is never the payment's: every submission is refused.
        await fuzz(`POST /{slug}/third-party-payment/${answer}`, {
          path: `/{slug}/third-party-payment/${answer}`,
          params: slugParam(),
          session: registrant,
          base: { paymentId: paying.paymentId, token: 'not-the-token' },
          mutation: fc.oneof(setTo('token', junkText), setTo('paymentId', fc.oneof(junkText, fc.uuid(), fc.constant(paying.id)))),
        }, isConference);
      });
    }
  });

  describe('management site', () => {
    const login = /^\/manage\/locate$/;
    const conferencePath = () => ({ slug: conference.slug });

    it('POST /manage/locate', async () => {
      await fuzz('POST /manage/locate', {
        path: '/manage/locate',
        session: owner,
        base: { email: conference.ownerEmail, accessCode: 'WRONG1' },
        mutation: fc.oneof(
          setTo('accessCode', junkText.filter((code) => code.trim().toUpperCase() !== conference.accessCode)),
          setTo('email', junkText.filter((email) => email.trim().toLowerCase() !== conference.ownerEmail)),
        ),
      });
    });

    it('POST /manage/recover', async () => {
      await fuzz('POST /manage/recover', { path: '/manage/recover', session: owner, base: { email: conference.ownerEmail }, mutation: setTo('email', fc.oneof(notAnEmail, fc.constant(['a@example.com', 'b@example.com'] as string[]))) });
    });

    it('POST /manage/create', async () => {
      await fuzz('POST /manage/create', {
        path: '/manage/create',
        session: owner,
        base: conferenceForm(),
        mutation: fc.oneof(
          { weight: 5, arbitrary: formMutations({ ownerName: text(100), ownerEmail: { kind: 'email', required: true }, ...detailFields }) },
          { weight: 2, arbitrary: setTo('slug', badSlug(conference.slug)) },
          { weight: 1, arbitrary: setTo('endDate', fc.constantFrom('2030-06-11', '2001-01-01')) },
        ),
      });
    });

    it('POST /manage/logout', async () => {
      // A valid submission logs out: only wrong tokens and odd bodies.
      await fuzz('POST /manage/logout', { path: '/manage/logout', session: owner, base: {} });
    });

    for (const action of ['publish', 'unpublish']) {
      it(`POST /manage/{slug}/${action}`, async () => {
        await fuzz(`POST /manage/{slug}/${action}`, { path: `/manage/{slug}/${action}`, params: conferencePath(), session: owner, base: {}, refusedTo: login }, isConference);
      });
    }

    it('POST /manage/{slug}/edit', async () => {
      const { ownerName: _, ownerEmail: __, slug: ___, ...details } = conferenceForm();
      await fuzz('POST /manage/{slug}/edit', {
        path: '/manage/{slug}/edit',
        params: conferencePath(),
        session: owner,
        base: { ...details, name: 'CQRS Summit, again' },
        mutation: fc.oneof({ weight: 5, arbitrary: formMutations(detailFields) }, { weight: 1, arbitrary: setTo('endDate', fc.constantFrom('2030-06-11', '2001-01-01')) }),
        refusedTo: login,
      }, isConference);
    });

    const seatMutation = fc.oneof({ weight: 3, arbitrary: formMutations(seatTypeFields) }, { weight: 1, arbitrary: setTo('price', badPrice) });
    const seatTypeId = () => conference.seatTypeIds[0];
    const isSeatType = (name: string, value: string) => isConference(name, value) || (name === 'id' && sameText(seatTypeId())(value));

    for (const [path, alsoRefusing] of [
      ['/manage/{slug}/seats', []],
      ['/manage/{slug}/seats/rows', [200]],
    ] as const) {
      it(`POST ${path}`, async () => {
        await fuzz(`POST ${path}`, {
          path,
          params: conferencePath(),
          session: owner,
          base: seatTypeForm(),
          mutation: seatMutation,
          alsoRefusing: [...alsoRefusing],
          refusedTo: login,
          ...(alsoRefusing.length ? { headers: { 'hx-request': 'true' } } : {}),
        }, isConference);
      });
    }

    for (const [path, alsoRefusing] of [
      ['/manage/{slug}/seats/{id}', []],
      ['/manage/{slug}/seats/rows/{id}', [200]],
    ] as const) {
      it(`POST ${path}`, async () => {
        await fuzz(`POST ${path}`, {
          path,
          params: { slug: conference.slug, id: seatTypeId() },
          session: owner,
          base: seatTypeForm({ name: 'Standard', price: '250.00' }),
          mutation: seatMutation,
          alsoRefusing: [...alsoRefusing],
          refusedTo: login,
          ...(alsoRefusing.length ? { headers: { 'hx-request': 'true' } } : {}),
        }, isSeatType);
      });
    }

    for (const path of ['/manage/{slug}/seats/{id}/delete', '/manage/{slug}/seats/rows/{id}/delete']) {
      it(`POST ${path}`, async () => {
        // The conference was published: deleting its seat types is refused (the row, with the reason, for htmx).
        const htmx = path.includes('/rows/');
        await fuzz(`POST ${path}`, {
          path,
          params: { slug: conference.slug, id: seatTypeId() },
          session: owner,
          base: {},
          alsoRefusing: htmx ? [200] : [],
          refusedTo: login,
          ...(htmx ? { headers: { 'hx-request': 'true' } } : {}),
        }, isConference);
      });
    }
  });

  describe('operator pages', () => {
    const home = /^\/ops$/;
    const readModel = 'seat-types';

    it('POST /ops (log-in)', async () => {
      await fuzz('POST /ops', { path: '/ops', session: operator, base: { token: 'wrong' }, mutation: setTo('token', junkText.filter((token) => token !== server.config.operatorToken)) });
    });

    it('POST /ops/logout', async () => {
      await fuzz('POST /ops/logout', { path: '/ops/logout', session: operator, base: {} });
    });

    it('POST /ops/read-models/{name}/rebuild', async () => {
      await fuzz('POST /ops/read-models/{name}/rebuild', { path: '/ops/read-models/{name}/rebuild', params: { name: readModel }, session: operator, base: {}, refusedTo: home }, () => false);
    });

    for (const action of ['switch', 'retire']) {
      it(`POST /ops/read-models/{name}/versions/{version}/${action}`, async () => {
        // Version 1 is the live one (switching to it would be done): other versions, names and odd ones.
        await fuzz(`POST /ops/read-models/{name}/versions/{version}/${action}`, {
          path: `/ops/read-models/{name}/versions/{version}/${action}`,
          params: { name: readModel, version: '7' },
          session: operator,
          base: {},
          refusedTo: home,
        }, (name, value) => name === 'version' && Number(value) === 1);
      });
    }

    it('POST /ops/maintenance', async () => {
      const switches = ['public', 'management', 'processing'];
      await fuzz('POST /ops/maintenance', {
        path: '/ops/maintenance',
        session: operator,
        base: { switch: 'public', enabled: 'sideways' },
        mutation: fc.oneof(
          setTo('switch', fc.oneof(junkText.filter((value) => !switches.includes(value)), fc.constant(['public', 'public'] as string[]))),
          setTo('enabled', fc.oneof(junkText.filter((value) => value !== 'on' && value !== 'off'), fc.constantFrom(['on', 'on'], 'ON', 'true', '1'))),
        ),
        refusedTo: home,
      });
    });

    // No dead letters exist: retries retry nothing and go back to the list.
    const deadLetters = /^\/ops(\/dead-letters(\?[^/]*)?)?$/;

    it('POST /ops/dead-letters/{id}/retry', async () => {
      await fuzz('POST /ops/dead-letters/{id}/retry', { path: '/ops/dead-letters/{id}/retry', params: { id: 'no-such-letter' }, session: operator, base: {}, refusedTo: deadLetters });
    });

    it('POST /ops/dead-letters/retry', async () => {
      await fuzz('POST /ops/dead-letters/retry', {
        path: '/ops/dead-letters/retry',
        session: operator,
        base: { ids: 'no-such-letter' },
        mutation: fc.oneof(setTo('ids', fc.oneof(junkText, fc.array(junkText.filter((id) => id.length < 300), { maxLength: 5 }))), setTo('handler', junkText)),
        refusedTo: deadLetters,
      });
    });

    it('POST /ops/dead-letters/{id}/discard', async () => {
      await fuzz('POST /ops/dead-letters/{id}/discard', {
        path: '/ops/dead-letters/{id}/discard',
        params: { id: 'no-such-letter' },
        session: operator,
        base: { reason: 'A poison message' },
        mutation: setTo('reason', fc.oneof(junkText, fc.constantFrom('', '   ', 'r'.repeat(2001), ['a', 'b']))),
        refusedTo: home,
      });
    });
  });
});

import { connect } from 'node:net';
import fc from 'fast-check';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConferenceChange, NewConferenceBody, NewSeatTypeBody, SeatTypeChange } from '../../src/contexts/conference-management/api-shapes.ts';
import { CheckoutBody, FindBody, NewOrderBody, Person, SeatsBody, TokenBody } from '../../src/contexts/registration/api/order-shapes.ts';
import { RESERVED_SLUGS } from '../../src/web/reserved-slugs.ts';
import { basic, newConferenceBody, seatTypeBody } from '../web/management-fixture.ts';
import { client, ordersServer } from '../web/orders-fixture.ts';
import { type PublishedConference, publishConference } from '../web/registration-site-fixture.ts';
import { STORE_KINDS } from '../support/stores.ts';
import type { TestServer } from '../web/server-fixture.ts';
import { Fuzzer } from './support/fuzzer.ts';
import { RawHttp } from './support/http.ts';
import { type BodyModel, type Mutation, invalidValue, junkText, junkValue, mutations, nonText } from './support/junk.ts';
import { type JsonEndpoint, credentialProbes, jsonBodyProbes, oddPathProbes } from './support/probes.ts';

/**
 * Every write endpoint of the JSON API gets generated invalid requests over real HTTP (embedded
 * store): wrong types, missing and extra fields, odd text, broken JSON, other media types, bodies
 * over 64 KiB, odd paths and wrong credentials. None may answer 5xx or show internals, every 4xx has
 * a clear message naming the wrong field, and none may change the store.
 */

/**
 * Requests per endpoint: bodies, odd paths, wrong credentials (from new clients, then from one, past
 * its rate limit). PostgreSQL gets a smaller sample.
 */
const RUNS_ON = {
  sqlite: { bodies: 120, paths: 30, credentials: 12, oneClient: 13 },
  postgres: { bodies: 30, paths: 15, credentials: 5, oneClient: 0 },
} as const;

const registrant = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };
const personModel: BodyModel = {
  firstName: { kind: 'text', required: true, max: 100 },
  lastName: { kind: 'text', required: true, max: 100 },
  email: { kind: 'email', required: true },
};
const detailModel: BodyModel = {
  name: { kind: 'text', required: true, max: 100 },
  description: { kind: 'text', required: true, max: 4000, multiline: true },
  location: { kind: 'text', required: true, max: 200 },
  tagline: { kind: 'text', required: false, max: 150, nullable: true },
  twitterSearch: { kind: 'text', required: false, max: 100, nullable: true },
  startDate: { kind: 'date', required: true },
  endDate: { kind: 'date', required: true },
  reservationHoldMinutes: { kind: 'integer', required: false, min: 5, max: 60 },
};
const seatTypeModel: BodyModel = {
  name: { kind: 'text', required: true, min: 2, max: 70 },
  description: { kind: 'text', required: false, max: 250 },
  quantity: { kind: 'integer', required: true, min: 0, max: 100_000 },
  price: { kind: 'integer', required: true, min: 0, max: 5_000_000 },
};

/** Every field optional: a change of some fields. */
const partial = (model: BodyModel): BodyModel => Object.fromEntries(Object.entries(model).map(([name, field]) => [name, { ...field, required: false }]));

/** A whole-field mutation: `field` set to one of `values`. */
const setTo = (field: string, values: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> =>
  values.map((value) => ({
    field,
    apply: (body) => {
      body[field] = value;
    },
  }));

/** Slugs DOMAIN 3.1 refuses (never a valid, free one), and the taken one. */
const badSlug = (taken: string) =>
  fc.oneof(
    invalidValue({ kind: 'text', required: true, max: 64 }),
    fc.constantFrom(...RESERVED_SLUGS, 'MANAGE', 'Api', taken, taken.toUpperCase(), 'x'.repeat(65), 'a-b', 'a b', 'ä', 'a.b', '_/_'),
    junkText.filter((text) => !/^[A-Za-z0-9_]{1,64}$/.test(text.trim())),
  );

/** The seat selection of an order: one line made wrong, or the whole list. */
function seatMutations(seatTypeIds: string[]): fc.Arbitrary<Mutation> {
  const [first, second] = seatTypeIds;
  const line = mutations(
    {
      seatTypeId: { kind: 'known', required: true, known: seatTypeIds },
      // 0 is not wrong in itself: a line of 0 next to one above 0 is valid (the lists below send the
      // orders with no quantity above 0).
      quantity: { kind: 'integer', required: true, min: 0, max: 20 },
    },
    'seats.0.',
  );
  const list = setTo(
    'seats',
    fc.oneof(
      junkValue.filter((value) => !Array.isArray(value)),
      fc.constantFrom(
        [],
        [{ seatTypeId: first, quantity: 0 }],
        [{ seatTypeId: first, quantity: 0 }, { seatTypeId: second, quantity: 0 }],
        [{ seatTypeId: first, quantity: 1 }, { seatTypeId: first, quantity: 1 }],
        [{ seatTypeId: first, quantity: 1 }, { seatTypeId: first.toUpperCase(), quantity: 1 }],
        [{ seatTypeId: first, quantity: 21 }],
        [{ seatTypeId: first, quantity: -1 }, { seatTypeId: second, quantity: 2 }],
        Array.from({ length: 101 }, () => ({ seatTypeId: first, quantity: 1 })),
        [null],
        [[first, 1]],
      ),
    ),
  );
  return fc.oneof({ weight: 3, arbitrary: line }, { weight: 2, arbitrary: list });
}

/** Bytes written to a new connection, and everything the server answers until it closes it. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

describe.each(STORE_KINDS)('fuzzing the JSON API on %s', (kind) => {
  const RUNS = RUNS_ON[kind];
  let server: TestServer;
  let http: RawHttp;
  let fuzzer: Fuzzer;
  let conference: PublishedConference;
  /** A reserved paid order, a paid order checked out (its payment initiated) and a confirmed free one. */
  let reserved: { id: string; accessCode: string };
  let paying: { id: string; accessCode: string; paymentId: string };
  let confirmed: { id: string; accessCode: string };
  let owner: { authorization: string };
  let operator: { authorization: string };

  beforeAll(async () => {
    server = await ordersServer(kind, { TRUST_PROXY: '1', CONFERENCE_CREATION_LIMIT: '0' });
    conference = await publishConference(server, [
      { name: 'General admission', price: 19_900, quantity: 1000 },
      { name: 'Community', price: 0, quantity: 1000 },
    ]);
    owner = basic(conference.ownerEmail, conference.accessCode);
    operator = server.auth;
    const api = client(server);
    const [paid, free] = conference.seatTypeIds;
    const place = async (seatTypeId: string) => {
      const placed = await api('POST', `/api/conferences/${conference.slug}/orders`, { seats: [{ seatTypeId, quantity: 2 }] });
      expect(placed.status, JSON.stringify(placed.body)).toBe(202);
      const order = await api('GET', `/api/orders/${placed.body.id}?until=settled&waitMs=10000`, undefined, placed.body.accessCode);
      expect(order.body.status).toBe('reserved');
      return { id: placed.body.id as string, accessCode: placed.body.accessCode as string };
    };
    reserved = await place(paid);
    const toPay = await place(paid);
    const checkout = await api('POST', `/api/orders/${toPay.id}/checkout`, { registrant }, toPay.accessCode);
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(202);
    paying = { ...toPay, paymentId: checkout.body.payment.id };
    confirmed = await place(free);
    expect((await api('POST', `/api/orders/${confirmed.id}/checkout`, { registrant }, confirmed.accessCode)).status).toBe(202);
    const done = await api('GET', `/api/orders/${confirmed.id}?until=final&waitMs=10000`, undefined, confirmed.accessCode);
    expect(done.body.status).toBe('confirmed');
    http = await RawHttp.listen(server);
    fuzzer = new Fuzzer(server, http);
  });

  afterAll(async () => {
    if (fuzzer) console.log(fuzzer.record.summary(`JSON API fuzz on ${kind}`));
    http?.close();
    await server?.close();
  });

  /** Fuzzes an endpoint's bodies, paths and credentials; the store must not change. */
  async function fuzz(name: string, endpoint: JsonEndpoint, options: { isValidParam?: (name: string, value: string) => boolean; credentials?: [string, fc.Arbitrary<string>] } = {}) {
    await fuzzer.refuseAll(name, jsonBodyProbes(endpoint), RUNS.bodies);
    if (endpoint.params) await fuzzer.refuseAll(name, oddPathProbes(endpoint, options.isValidParam), RUNS.paths);
    if (options.credentials) {
      const probes = credentialProbes(endpoint, ...options.credentials);
      await fuzzer.refuseAll(name, probes, RUNS.credentials);
      const client = `10.255.${++clients}.1`;
      const fromOneClient = probes.map((probe) => ({ ...probe, request: { ...probe.request, headers: { ...probe.request.headers, 'x-forwarded-for': client } } }));
      if (RUNS.oneClient > 0) await fuzzer.refuseAll(name, fromOneClient, RUNS.oneClient);
    }
    fuzzer.expectClean(name);
  }

  let clients = 0;
  const sameText = (a: string) => (b: string) => a.toLowerCase() === b.toLowerCase();
  const wrongAccessCode = () => fc.stringMatching(/^[A-Z0-9]{6}$/).filter((code) => code !== reserved.accessCode.toUpperCase());

  it('answers requests the HTTP parser refuses with the error body', async () => {
    const headers = await fuzzer.send({ method: 'POST', path: '/api/management/conferences', headers: { authorization: `Basic ${'A'.repeat(20_000)}` } });
    expect(headers.status).toBe(431);
    expect(JSON.parse(headers.text)).toEqual({ error: { code: 'request_header_fields_too_large', message: 'The request headers are too large.' } });
    const garbage = await rawExchange(http.port, 'POST /api/management/conferences HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'validation_failed', message: 'The request is not valid HTTP.' } });
  });

  describe('public', () => {
    it('POST /api/conferences/{slug}/orders', async () => {
      await fuzz('POST /api/conferences/{slug}/orders', {
        method: 'POST',
        path: '/api/conferences/{slug}/orders',
        params: { slug: conference.slug },
        base: { seats: [{ seatTypeId: conference.seatTypeIds[0], quantity: 2 }] },
        mutation: fc.oneof(seatMutations(conference.seatTypeIds), mutations({ orderId: { kind: 'known', required: false, known: [] } })),
        mayBeValid: (value) => Value.Check(NewOrderBody, value),
      }, { isValidParam: (_, slug) => sameText(conference.slug)(slug) });
    });

    it('PUT /api/orders/{orderId}/seats', async () => {
      await fuzz('PUT /api/orders/{orderId}/seats', {
        method: 'PUT',
        path: '/api/orders/{orderId}/seats',
        params: { orderId: reserved.id },
        headers: { 'x-access-code': reserved.accessCode },
        base: { seats: [{ seatTypeId: conference.seatTypeIds[0], quantity: 3 }] },
        mutation: seatMutations(conference.seatTypeIds),
        mayBeValid: (value) => Value.Check(SeatsBody, value),
      }, { isValidParam: (_, id) => sameText(reserved.id)(id), credentials: ['x-access-code', wrongAccessCode()] });
    });

    it('POST /api/orders/{orderId}/checkout', async () => {
      await fuzz('POST /api/orders/{orderId}/checkout', {
        method: 'POST',
        path: '/api/orders/{orderId}/checkout',
        params: { orderId: reserved.id },
        headers: { 'x-access-code': reserved.accessCode },
        base: { registrant: { ...registrant }, paymentMethod: 'card' },
        mutation: fc.oneof(
          { weight: 3, arbitrary: mutations(personModel, 'registrant.') },
          { weight: 1, arbitrary: mutations({ registrant: { kind: 'known', required: true, known: [] }, paymentMethod: { kind: 'literal', required: false, values: ['card'] } }) },
        ),
        mayBeValid: (value) => Value.Check(CheckoutBody, value),
      }, { isValidParam: (_, id) => sameText(reserved.id)(id), credentials: ['x-access-code', wrongAccessCode()] });
    });

    it('POST /api/conferences/{slug}/orders/find', async () => {
      await fuzz('POST /api/conferences/{slug}/orders/find', {
        method: 'POST',
        path: '/api/conferences/{slug}/orders/find',
        params: { slug: conference.slug },
        base: { email: registrant.email, accessCode: confirmed.accessCode },
        mutation: mutations({ email: { kind: 'text', required: true, max: 320 }, accessCode: { kind: 'text', required: true, max: 100 } }),
        mayBeValid: (value) => Value.Check(FindBody, value),
      }, { isValidParam: (_, slug) => sameText(conference.slug)(slug) });
    });

    it('PUT /api/orders/{orderId}/assignments/{position}', async () => {
      await fuzz('PUT /api/orders/{orderId}/assignments/{position}', {
        method: 'PUT',
        path: '/api/orders/{orderId}/assignments/{position}',
        params: { orderId: confirmed.id, position: '0' },
        headers: { 'x-access-code': confirmed.accessCode },
        base: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' },
        mutation: mutations(personModel),
        mayBeValid: (value) => Value.Check(Person, value),
      }, { isValidParam: (name, value) => (name === 'orderId' ? sameText(confirmed.id)(value) : /^[+-]?0*[01]$/.test(value.trim())), credentials: ['x-access-code', wrongAccessCode()] });
    });

    it('DELETE /api/orders/{orderId}/assignments/{position}', async () => {
      // Freeing a free seat is valid: only paths, credentials and bodies refused before the handler.
      await fuzz('DELETE /api/orders/{orderId}/assignments/{position}', {
        method: 'DELETE',
        path: '/api/orders/{orderId}/assignments/{position}',
        params: { orderId: confirmed.id, position: '1' },
        headers: { 'x-access-code': confirmed.accessCode },
      }, { isValidParam: (name, value) => (name === 'orderId' ? sameText(confirmed.id)(value) : /^[+-]?0*[01]$/.test(value.trim())), credentials: ['x-access-code', wrongAccessCode()] });
    });

    for (const answer of ['accept', 'reject']) {
      it(`POST /api/payments/{paymentId}/${answer}`, async () => {
        await fuzz(`POST /api/payments/{paymentId}/${answer}`, {
          method: 'POST',
          path: `/api/payments/{paymentId}/${answer}`,
          params: { paymentId: paying.paymentId },
          headers: { 'x-access-code': paying.accessCode },
          base: { token: 'not-the-token' },
          mutation: mutations({ token: { kind: 'text', required: false, max: 200 } }),
          mayBeValid: (value) => Value.Check(TokenBody, value),
        }, { isValidParam: (_, id) => sameText(paying.paymentId)(id), credentials: ['x-access-code', wrongAccessCode()] });
      });
    }
  });

  describe('management', () => {
    const wrongOwner = () =>
      fc.oneof(
        fc.constantFrom(basic(conference.ownerEmail, 'WRONG1').authorization, basic('someone@example.com', conference.accessCode).authorization, basic(conference.ownerEmail, '').authorization),
        fc.tuple(junkText, junkText).map(([user, password]) => basic(user, password).authorization),
      );

    it('POST /api/management/conferences', async () => {
      await fuzz('POST /api/management/conferences', {
        method: 'POST',
        path: '/api/management/conferences',
        base: newConferenceBody({ reservationHoldMinutes: 20 }),
        mutation: fc.oneof(
          { weight: 6, arbitrary: mutations({ ownerName: { kind: 'text', required: true, max: 100 }, ownerEmail: { kind: 'email', required: true }, ...detailModel }) },
          { weight: 2, arbitrary: setTo('slug', badSlug(conference.slug)) },
          { weight: 1, arbitrary: setTo('endDate', fc.constantFrom('2030-06-11', '2001-01-01', '2030-05-31')) },
          { weight: 1, arbitrary: setTo('currency', fc.constantFrom('USD', 'EUR', null)) },
        ),
        mayBeValid: (value) => Value.Check(NewConferenceBody, value),
      });
    });

    it('PATCH /api/management/conferences/{slug}', async () => {
      await fuzz('PATCH /api/management/conferences/{slug}', {
        method: 'PATCH',
        path: '/api/management/conferences/{slug}',
        params: { slug: conference.slug },
        headers: owner,
        base: { name: 'CQRS Summit, again', location: 'Seattle, WA', startDate: '2030-06-10', endDate: '2030-06-14' },
        mutation: fc.oneof(
          { weight: 6, arbitrary: mutations(partial(detailModel)) },
          { weight: 1, arbitrary: setTo('endDate', fc.constantFrom('2030-06-09', '2001-01-01')) },
          { weight: 1, arbitrary: fc.constantFrom('slug', 'ownerEmail', 'ownerName', 'currency', 'isPublished', 'accessCode').chain((field) => setTo(field, junkValue)) },
        ),
        mayBeValid: (value) => Value.Check(ConferenceChange, value),
      }, { isValidParam: (_, slug) => sameText(conference.slug)(slug), credentials: ['authorization', wrongOwner()] });
    });

    for (const action of ['publish', 'unpublish']) {
      it(`POST /api/management/conferences/{slug}/${action}`, async () => {
        // Without a body schema, a JSON body is ignored: only bodies refused before the handler are sent.
        await fuzz(`POST /api/management/conferences/{slug}/${action}`, {
          method: 'POST',
          path: `/api/management/conferences/{slug}/${action}`,
          params: { slug: conference.slug },
          headers: owner,
        }, { isValidParam: (_, slug) => sameText(conference.slug)(slug), credentials: ['authorization', wrongOwner()] });
      });
    }

    it('POST /api/management/conferences/{slug}/seat-types', async () => {
      await fuzz('POST /api/management/conferences/{slug}/seat-types', {
        method: 'POST',
        path: '/api/management/conferences/{slug}/seat-types',
        params: { slug: conference.slug },
        headers: owner,
        base: seatTypeBody(),
        mutation: fc.oneof({ weight: 5, arbitrary: mutations(seatTypeModel) }, { weight: 1, arbitrary: setTo('currency', fc.constantFrom('USD', null)) }),
        mayBeValid: (value) => Value.Check(NewSeatTypeBody, value),
      }, { isValidParam: (_, slug) => sameText(conference.slug)(slug), credentials: ['authorization', wrongOwner()] });
    });

    it('PATCH /api/management/conferences/{slug}/seat-types/{id}', async () => {
      await fuzz('PATCH /api/management/conferences/{slug}/seat-types/{id}', {
        method: 'PATCH',
        path: '/api/management/conferences/{slug}/seat-types/{id}',
        params: { slug: conference.slug, id: conference.seatTypeIds[0] },
        headers: owner,
        base: { name: 'Standard', price: 25_000 },
        mutation: mutations(partial(seatTypeModel)),
        mayBeValid: (value) => Value.Check(SeatTypeChange, value),
      }, { isValidParam: (name, value) => (name === 'slug' ? sameText(conference.slug)(value) : sameText(conference.seatTypeIds[0])(value)), credentials: ['authorization', wrongOwner()] });
    });

    it('DELETE /api/management/conferences/{slug}/seat-types/{id}', async () => {
      // The conference is published: deleting its seat types is refused (409) whatever the body.
      await fuzz('DELETE /api/management/conferences/{slug}/seat-types/{id}', {
        method: 'DELETE',
        path: '/api/management/conferences/{slug}/seat-types/{id}',
        params: { slug: conference.slug, id: conference.seatTypeIds[1] },
        headers: owner,
      }, { credentials: ['authorization', wrongOwner()] });
    });
  });

  describe('operator', () => {
    const wrongToken = () => fc.oneof(fc.constant('Bearer wrong'), junkText.filter((text) => /^[\x21-\x7e]+$/.test(text)).map((text) => `Bearer ${text}`));
    const readModel = 'seat-types';

    it('POST /api/ops/read-models/{name}/rebuild', async () => {
      await fuzz('POST /api/ops/read-models/{name}/rebuild', {
        method: 'POST',
        path: '/api/ops/read-models/{name}/rebuild',
        params: { name: readModel },
        headers: operator,
        base: { mode: 'side-by-side' },
        mutation: mutations({ mode: { kind: 'literal', required: false, values: ['side-by-side', 'in-place'] } }),
        // No body, null and `{}` or a known mode start a rebuild.
        mayBeValid: (value) => value === null || (isObject(value) && Object.keys(value).every((key) => key === 'mode')),
      }, { credentials: ['authorization', wrongToken()] });
    });

    it('POST /api/ops/read-models/{name}/switch', async () => {
      await fuzz('POST /api/ops/read-models/{name}/switch', {
        method: 'POST',
        path: '/api/ops/read-models/{name}/switch',
        params: { name: readModel },
        headers: operator,
        base: { version: 1 },
        mutation: mutations({ version: { kind: 'integer', required: true, min: 1, max: 2 ** 31 } }),
        mayBeValid: (value) => isObject(value) && Number.isInteger(value.version),
      }, { credentials: ['authorization', wrongToken()] });
    });

    it('DELETE /api/ops/read-models/{name}/versions/{version}', async () => {
      await fuzz('DELETE /api/ops/read-models/{name}/versions/{version}', {
        method: 'DELETE',
        path: '/api/ops/read-models/{name}/versions/{version}',
        params: { name: readModel, version: '1' },
        headers: operator,
      }, { isValidParam: (name, value) => name === 'version' && /^\s*\+?\d+\s*$/.test(value), credentials: ['authorization', wrongToken()] });
    });

    it('POST /api/ops/dead-letters/{id}/retry', async () => {
      await fuzz('POST /api/ops/dead-letters/{id}/retry', {
        method: 'POST',
        path: '/api/ops/dead-letters/{id}/retry',
        params: { id: 'no-such-letter' },
        headers: operator,
      }, { credentials: ['authorization', wrongToken()] });
    });

    it('POST /api/ops/dead-letters/retry', async () => {
      await fuzz('POST /api/ops/dead-letters/retry', {
        method: 'POST',
        path: '/api/ops/dead-letters/retry',
        headers: operator,
        base: { ids: ['no-such-letter'], handler: 'registration-catalogue' },
        mutation: fc.oneof(
          setTo('handler', fc.oneof(nonText(false), fc.constantFrom('', 'h'.repeat(201)))),
          mutations({ handler: { kind: 'known', required: false, known: [] } }).filter((mutation) => mutation.field !== 'handler'),
          setTo('ids', fc.oneof(junkValue.filter((value) => !Array.isArray(value)), fc.constantFrom([], [''], [1], [null], ['x'.repeat(201)], Array.from({ length: 1001 }, (_, i) => `id-${i}`)))),
        ),
        mayBeValid: (value) => isObject(value) && Object.keys(value).every((key) => key === 'ids' || key === 'handler'),
      }, { credentials: ['authorization', wrongToken()] });
    });

    it('POST /api/ops/dead-letters/{id}/discard', async () => {
      await fuzz('POST /api/ops/dead-letters/{id}/discard', {
        method: 'POST',
        path: '/api/ops/dead-letters/{id}/discard',
        params: { id: 'no-such-letter' },
        headers: operator,
        base: { reason: 'A poison message' },
        mutation: mutations({ reason: { kind: 'text', required: true, max: 2000 } }),
        mayBeValid: (value) => isObject(value) && typeof value.reason === 'string',
      }, { credentials: ['authorization', wrongToken()] });
    });

    it('POST /api/ops/maintenance', async () => {
      const switches = ['public', 'management', 'processing'];
      await fuzz('POST /api/ops/maintenance', {
        method: 'POST',
        path: '/api/ops/maintenance',
        headers: operator,
        base: { public: false },
        mutation: fc.oneof(
          fc.constantFrom(...switches).chain((name) => setTo(name, junkValue.filter((value) => typeof value !== 'boolean'))),
          mutations({ public: { kind: 'literal', required: false, values: [] } }).filter((mutation) => !switches.includes(mutation.field)),
        ),
        // Any object of known switches with booleans changes (or keeps) the switches.
        mayBeValid: (value) => isObject(value) && Object.entries(value).every(([key, on]) => switches.includes(key) && typeof on === 'boolean'),
      }, { credentials: ['authorization', wrongToken()] });
    });
  });
});

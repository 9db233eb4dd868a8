import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedLog } from '../support/stored-log.ts';
import { STORE_KINDS } from '../support/stores.ts';
import {
  BASE,
  type ConferenceJson,
  ManagementClient,
  flowOf,
  newConferenceBody,
  seatTypeBody,
  storeState,
  tables,
  uniqueSlug,
} from './management-fixture.ts';
import { type TestServer, testServerOn } from './server-fixture.ts';

const PUBLIC_URL = 'https://conference.example';

describe.each(STORE_KINDS)('management API on %s', (kind) => {
  let server: TestServer;
  let client: ManagementClient;

  beforeAll(async () => {
    server = await testServerOn(kind, { env: { CONFERENCE_CREATION_LIMIT: '0', PUBLIC_URL } });
    client = new ManagementClient(server);
  });
  afterAll(() => server?.close());

  const post = (payload: unknown) => client.inject({ method: 'POST', url: BASE, payload: payload as object });
  const types = async (conferenceId: string) => (await flowOf(server.store, conferenceId)).map((m) => `${m.type}@${m.metadata.sourceType}:${m.metadata.version}`);

  /** Runs a request that must answer `status` and leave the store as it was (a refusal, or a no-op); answers the error. */
  async function unchanged(request: () => ReturnType<ManagementClient['inject']>, status: number) {
    const before = await storeState(server.store);
    const response = await request();
    expect(response.statusCode, response.body).toBe(status);
    expect(await storeState(server.store)).toEqual(before);
    return response.json().error as { code: string; message: string; fields?: Record<string, string> };
  }

  describe('create', () => {
    it('answers 201 with the unpublished conference, its access code and USD', async () => {
      const body = newConferenceBody({ slug: uniqueSlug('MixedCase'), name: '  CQRS Summit  ', reservationHoldMinutes: 20 });
      const response = await post(body);
      expect(response.statusCode).toBe(201);
      const conference = response.json();
      expect(conference).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        slug: body.slug,
        accessCode: expect.stringMatching(/^[ABCDEFGHJKMNPQRSTUVWXYZ1-9]{6}$/),
        ownerName: 'Olivia Owner',
        ownerEmail: 'olivia@example.com',
        name: 'CQRS Summit',
        tagline: 'Commands and queries, apart',
        description: 'Two days of event sourcing.',
        location: 'Redmond, WA',
        twitterSearch: '#cqrs',
        startDate: '2030-06-12',
        endDate: '2030-06-14',
        currency: 'USD',
        reservationHoldMinutes: 20,
        isPublished: false,
        wasEverPublished: false,
        seatTypes: [],
      });
    });

    it('holds seats 15 minutes by default and stores absent optional fields as null', async () => {
      const conference = await client.create({ tagline: undefined, twitterSearch: '  ' });
      expect(conference).toMatchObject({ reservationHoldMinutes: 15, tagline: null, twitterSearch: null });
    });

    it('writes ConferenceCreated (version 0, correlated with the conference) and the owner e-mail in the same change', async () => {
      const conference = await client.create({ ownerEmail: 'Ada@Example.com' });
      const [created, ...others] = await flowOf(server.store, conference.id);
      expect(others).toEqual([]);
      expect(created.type).toBe('ConferenceCreated');
      expect(created.metadata).toMatchObject({
        kind: 'event',
        sourceType: 'Conference',
        sourceId: conference.id,
        version: 0,
        correlationId: conference.id,
        causationId: null,
        schemaVersion: 1,
      });
      expect(created.data).toEqual({
        name: 'CQRS Summit',
        description: 'Two days of event sourcing.',
        location: 'Redmond, WA',
        slug: conference.slug,
        tagline: 'Commands and queries, apart',
        twitterSearch: '#cqrs',
        startDate: '2030-06-12',
        endDate: '2030-06-14',
        owner: { name: 'Olivia Owner', email: 'Ada@Example.com' },
        reservationHoldMinutes: 15,
      });
      const emails = await tables(server.store).selectFrom('emails').selectAll().where('trigger_id', '=', created.metadata.messageId).execute();
      expect(emails).toHaveLength(1);
      expect(emails[0]).toMatchObject({ recipient: 'Ada@Example.com', status: 'queued' });
      for (const part of [conference.accessCode, conference.slug, 'CQRS Summit', `${PUBLIC_URL}/manage/locate`]) expect(emails[0].body).toContain(part);
    });

    it('never puts an access code into a message', async () => {
      const conference = await client.create();
      await client.addSeatType(conference);
      await client.as(conference, 'POST', '/publish');
      await client.as(conference, 'PATCH', '', { name: 'Renamed' });
      const log = await storedLog(server.store);
      const codes = (await tables(server.store).selectFrom('conferences').select('access_code').execute()).map((row) => row.access_code);
      expect(codes.length).toBeGreaterThan(3);
      for (const message of log) {
        const text = JSON.stringify(message);
        for (const code of codes) expect(text).not.toContain(code);
      }
    });

    it('names every missing field, stores nothing', async () => {
      const error = await unchanged(() => post({}), 400);
      expect(error.code).toBe('validation_failed');
      expect(error.fields).toEqual({
        ownerName: 'The Name field is required.',
        ownerEmail: 'The Email address field is required.',
        slug: 'The Slug/conference code field is required.',
        name: 'The Title field is required.',
        description: 'The Description field is required.',
        location: 'The Location field is required.',
        startDate: 'The Start date field is required.',
        endDate: 'The End date field is required.',
      });
    });

    it('names each bad field with the rules of DOMAIN 3.1, stores nothing', async () => {
      const body = newConferenceBody({
        ownerEmail: 'not-an-email',
        slug: 'my-conference',
        name: 'x'.repeat(101),
        location: 'Redmond\u0000',
        startDate: '2030-02-30',
        reservationHoldMinutes: 61,
      });
      expect((await unchanged(() => post(body), 400)).fields).toEqual({
        ownerEmail: 'The provided email address is not valid.',
        slug: 'The slug can only contain alphanumeric characters and underscores.',
        name: 'The Title field must be at most 100 characters.',
        location: 'The Location field contains invalid characters.',
        startDate: 'The Start date field must be a date (YYYY-MM-DD).',
        reservationHoldMinutes: 'The Reservation hold (minutes) field must be between 5 and 60.',
      });
      expect((await unchanged(() => post(newConferenceBody({ endDate: '2030-06-11' })), 400)).fields).toEqual({
        endDate: 'The end date must be on or after the start date.',
      });
    });

    it('refuses reserved slugs in any case', async () => {
      for (const slug of ['admin', 'API', 'Manage', 'static']) {
        expect((await unchanged(() => post(newConferenceBody({ slug })), 400)).fields).toEqual({ slug: 'This slug is reserved.' });
      }
    });

    it('refuses currency, publication and other unknown fields, and wrong types, naming them', async () => {
      const error = await unchanged(() => post(newConferenceBody({ currency: 'USD', isPublished: true, name: 42, reservationHoldMinutes: '15' })), 400);
      expect(error.fields).toEqual({
        currency: expect.any(String),
        isPublished: expect.any(String),
        name: 'The Title field must be text.',
        reservationHoldMinutes: 'The Reservation hold (minutes) field must be a whole number.',
      });
      expect((await unchanged(() => post(['not', 'an', 'object']), 400)).code).toBe('validation_failed');
    });

    it('answers 409 for a slug taken in any case, storing nothing', async () => {
      const slug = uniqueSlug('Taken');
      await client.create({ slug });
      const error = await unchanged(() => post(newConferenceBody({ slug: slug.toUpperCase(), ownerEmail: 'other@example.com' })), 409);
      expect(error).toEqual({ code: 'conflict', message: 'The chosen conference slug is already taken.' });
    });

    it('lets one of two simultaneous creates with the same slug win; the other answers 409', async () => {
      const slug = uniqueSlug('race');
      const answers = await Promise.all([post(newConferenceBody({ slug })), post(newConferenceBody({ slug: slug.toUpperCase() }))]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
      const rows = await tables(server.store).selectFrom('conferences').select('id').where('slug_key', '=', slug.toLowerCase()).execute();
      expect(rows).toHaveLength(1);
      expect(await flowOf(server.store, rows[0].id)).toHaveLength(1);
    });
  });

  describe('read', () => {
    it('finds the conference by slug in any case and with credentials in any case, answering the stored case', async () => {
      const conference = await client.create({ slug: uniqueSlug('CamelCase') });
      const response = await client.as(
        { slug: conference.slug.toLowerCase(), ownerEmail: conference.ownerEmail.toUpperCase(), accessCode: ` ${conference.accessCode.toLowerCase()}` },
        'GET',
      );
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(conference);
    });
  });

  describe('edit', () => {
    it('changes the editable fields and writes ConferenceUpdated with the full snapshot', async () => {
      const conference = await client.create();
      const response = await client.as(conference, 'PATCH', '', { name: 'New name', tagline: null, endDate: '2030-06-20', reservationHoldMinutes: 30 });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ ...conference, name: 'New name', tagline: null, endDate: '2030-06-20', reservationHoldMinutes: 30 });
      const [, updated] = await flowOf(server.store, conference.id);
      expect(updated.type).toBe('ConferenceUpdated');
      expect(updated.metadata).toMatchObject({ version: 1, sourceId: conference.id, correlationId: conference.id, causationId: null });
      expect(updated.data).toMatchObject({ name: 'New name', tagline: null, endDate: '2030-06-20', reservationHoldMinutes: 30, slug: conference.slug, owner: { name: 'Olivia Owner', email: 'olivia@example.com' } });
    });

    it('never changes publication, published or not', async () => {
      const conference = await client.create();
      expect((await client.as(conference, 'PATCH', '', { location: 'Seattle' })).json().isPublished).toBe(false);
      await client.addSeatType(conference);
      expect((await client.as(conference, 'POST', '/publish')).json().isPublished).toBe(true);
      expect((await client.as(conference, 'PATCH', '', { location: 'Tacoma' })).json()).toMatchObject({ isPublished: true, location: 'Tacoma' });
      const refusal = await unchanged(() => client.as(conference, 'PATCH', '', { isPublished: false }), 400);
      expect(Object.keys(refusal.fields!)).toEqual(['isPublished']);
      expect((await client.as(conference, 'GET')).json().isPublished).toBe(true);
    });

    it('refuses slug, owner and currency changes and bad values, naming the fields, storing nothing', async () => {
      const conference = await client.create();
      const error = await unchanged(() => client.as(conference, 'PATCH', '', { slug: 'other', ownerEmail: 'x@y.z', currency: 'EUR', name: ' ' }), 400);
      expect(error.fields).toEqual({ slug: expect.any(String), ownerEmail: expect.any(String), currency: expect.any(String), name: 'The Title field is required.' });
      expect((await unchanged(() => client.as(conference, 'PATCH', '', { endDate: '2030-06-01' }), 400)).fields).toEqual({
        endDate: 'The end date must be on or after the start date.',
      });
    });

    it('writes nothing when nothing changes', async () => {
      const conference = await client.create();
      await unchanged(() => client.as(conference, 'PATCH', '', { name: conference.name }), 200);
      await unchanged(() => client.as(conference, 'PATCH', '', {}), 200);
    });
  });

  describe('publish and unpublish', () => {
    it('refuses to publish without seat types, storing nothing', async () => {
      const conference = await client.create();
      expect(await unchanged(() => client.as(conference, 'POST', '/publish'), 409)).toEqual({
        code: 'conflict',
        message: 'Add at least one seat type before publishing.',
      });
    });

    it('sends seat events only from the first publication on, SeatCreated before ConferencePublished', async () => {
      const conference = await client.create();
      const first = await client.addSeatType(conference, { name: 'Early bird' });
      const second = await client.addSeatType(conference, { name: 'General' });
      expect((await client.as(conference, 'PATCH', `/seat-types/${first.id}`, { price: 9_900 })).statusCode).toBe(200);
      expect(await types(conference.id)).toEqual(['ConferenceCreated@Conference:0']);

      const published = await client.as(conference, 'POST', '/publish');
      expect(published.json()).toMatchObject({ isPublished: true, wasEverPublished: true });
      const flow = await flowOf(server.store, conference.id);
      expect(flow.map((m) => [m.type, m.metadata.sourceId, m.metadata.version])).toEqual([
        ['ConferenceCreated', conference.id, 0],
        ['SeatCreated', first.id, 0],
        ['SeatCreated', second.id, 0],
        ['ConferencePublished', conference.id, 1],
      ]);
      expect(flow[1].data).toEqual({ conferenceId: conference.id, name: 'Early bird', description: 'Both days', price: 9_900, quantity: 100 });
      expect(flow[3].data).toEqual({});
      expect(flow.every((m) => m.metadata.correlationId === conference.id && m.metadata.causationId === null)).toBe(true);

      await unchanged(() => client.as(conference, 'POST', '/publish'), 200);

      expect((await client.as(conference, 'POST', '/unpublish')).json()).toMatchObject({ isPublished: false, wasEverPublished: true });
      await unchanged(() => client.as(conference, 'POST', '/unpublish'), 200);

      const third = await client.addSeatType(conference, { name: 'Workshop' });
      await client.as(conference, 'PATCH', `/seat-types/${second.id}`, { quantity: 150 });
      await client.as(conference, 'POST', '/publish');
      expect((await flowOf(server.store, conference.id)).slice(4).map((m) => [m.type, m.metadata.sourceId, m.metadata.version])).toEqual([
        ['ConferenceUnpublished', conference.id, 2],
        ['SeatCreated', third.id, 0],
        ['SeatUpdated', second.id, 1],
        ['ConferencePublished', conference.id, 3],
      ]);
    });
  });

  describe('seat types', () => {
    let conference: ConferenceJson;
    beforeAll(async () => {
      conference = await client.create();
    });

    it('adds seat types in creation order, with their figures', async () => {
      const response = await client.as(conference, 'POST', '/seat-types', seatTypeBody({ name: ' VIP ', quantity: 10, price: 0 }));
      expect(response.statusCode).toBe(201);
      const vip = response.json();
      expect(vip).toEqual({ id: expect.any(String), name: 'VIP', description: 'Both days', quantity: 10, price: 0, sold: 0, held: 0, remaining: 10, available: 10 });
      const other = await client.addSeatType(conference, { name: 'Student' });
      expect((await client.as(conference, 'GET')).json().seatTypes.map((s: { id: string }) => s.id)).toEqual([vip.id, other.id]);
    });

    it('names bad fields, storing nothing', async () => {
      const error = await unchanged(() => client.as(conference, 'POST', '/seat-types', { name: 'a', description: 'x'.repeat(251), quantity: 100_001, price: -1, currency: 'USD' }), 400);
      expect(error.fields).toEqual({
        name: 'The Seat type field must be at least 2 characters.',
        description: 'The Description field must be at most 250 characters.',
        quantity: 'The Quota field must be between 0 and 100000.',
        price: 'The Price field must be between $0.00 and $50,000.00 (0 and 5000000 cents).',
        currency: expect.any(String),
      });
      const seat = await client.addSeatType(conference);
      expect((await unchanged(() => client.as(conference, 'PATCH', `/seat-types/${seat.id}`, { price: 12.5 }), 400)).fields).toEqual({
        price: 'The Price field must be a whole number.',
      });
    });

    it('accepts the boundary values', async () => {
      for (const values of [{ name: 'ab', quantity: 0, price: 0 }, { name: 'x'.repeat(70), description: 'd'.repeat(250), quantity: 100_000, price: 5_000_000 }]) {
        expect((await client.as(conference, 'POST', '/seat-types', seatTypeBody(values))).statusCode).toBe(201);
      }
    });

    it('answers 404 for a seat type of another conference or none, 400 for a malformed id', async () => {
      const other = await client.create();
      const foreign = await client.addSeatType(other);
      await unchanged(() => client.as(conference, 'PATCH', `/seat-types/${foreign.id}`, { quantity: 1 }), 404);
      await unchanged(() => client.as(conference, 'DELETE', `/seat-types/${foreign.id}`), 404);
      await unchanged(() => client.as(conference, 'DELETE', '/seat-types/0190b8b2-7c2f-7000-8000-000000000000'), 404);
      expect((await unchanged(() => client.as(conference, 'DELETE', '/seat-types/not-a-uuid'), 400)).fields).toHaveProperty('id');
    });

    it('deletes seat types until the first publication, never after', async () => {
      const owner = await client.create();
      const doomed = await client.addSeatType(owner);
      const kept = await client.addSeatType(owner);
      const deleted = await client.as(owner, 'DELETE', `/seat-types/${doomed.id}`);
      expect(deleted.statusCode).toBe(204);
      expect(deleted.body).toBe('');
      expect((await client.as(owner, 'GET')).json().seatTypes.map((s: { id: string }) => s.id)).toEqual([kept.id]);
      await client.as(owner, 'POST', '/publish');
      await client.as(owner, 'POST', '/unpublish');
      expect(await unchanged(() => client.as(owner, 'DELETE', `/seat-types/${kept.id}`), 409)).toEqual({
        code: 'conflict',
        message: "Can't delete seats from a conference that has been published at least once.",
      });
    });

    it('refuses a quota below the seats already sold, storing nothing', async () => {
      const owner = await client.create();
      const seat = await client.addSeatType(owner, { quantity: 20 });
      await client.as(owner, 'POST', '/publish');
      await tables(server.store)
        .insertInto('seat_sales')
        .values({ seat_type_id: seat.id, conference_id: owner.id, sold: 7, held: 3, remaining: 10, held_version: 4, remaining_version: 4, updated_at: new Date().toISOString() })
        .execute();
      expect(await unchanged(() => client.as(owner, 'PATCH', `/seat-types/${seat.id}`, { quantity: 6 }), 409)).toEqual({
        code: 'conflict',
        message: 'The quota cannot be lower than the 7 seats already sold.',
      });
      const lowered = await client.as(owner, 'PATCH', `/seat-types/${seat.id}`, { quantity: 7 });
      expect(lowered.statusCode).toBe(200);
      expect(lowered.json()).toMatchObject({ quantity: 7, sold: 7, held: 3, remaining: 10, available: 10 });
      const updated = (await flowOf(server.store, owner.id)).at(-1)!;
      expect([updated.type, updated.metadata.version, (updated.data as { quantity: number }).quantity]).toEqual(['SeatUpdated', 1, 7]);
    });
  });

  describe('orders and stats', () => {
    it('lists no orders until the orders read model exists, validating the query', async () => {
      const conference = await client.create();
      const response = await client.as(conference, 'GET', '/orders?status=pending,paid,expired&limit=100');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ orders: [], next: null });
      for (const query of ['status=refunded', 'status=', 'limit=0', 'limit=101', 'limit=ten', 'color=red']) {
        expect((await client.as(conference, 'GET', `/orders?${query}`)).statusCode, query).toBe(400);
      }
      expect((await client.as(conference, 'GET', '/orders?status=bogus')).json().error.fields).toHaveProperty('status');
    });

    it('answers seat figures per type from the sales summary; no sales over time yet', async () => {
      const conference = await client.create();
      const sold = await client.addSeatType(conference, { name: 'Sold out', quantity: 10 });
      const fresh = await client.addSeatType(conference, { name: 'Fresh', quantity: 50 });
      await tables(server.store)
        .insertInto('seat_sales')
        .values({ seat_type_id: sold.id, conference_id: conference.id, sold: 9, held: 3, remaining: -2, held_version: 0, remaining_version: 0, updated_at: new Date().toISOString() })
        .execute();
      const response = await client.as(conference, 'GET', '/stats');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        seatTypes: [
          { id: sold.id, name: 'Sold out', quantity: 10, sold: 9, held: 3, remaining: -2, available: 0 },
          { id: fresh.id, name: 'Fresh', quantity: 50, sold: 0, held: 0, remaining: 50, available: 50 },
        ],
        salesOverTime: [],
        totals: { seatsSold: 0, revenue: 0 },
      });
    });
  });

  it('documents every management route in the OpenAPI document, with Basic auth where needed', async () => {
    const document = (await server.app.inject({ url: '/api/docs/json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown[]; tags?: string[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.components.securitySchemes.ownerBasic).toMatchObject({ type: 'http', scheme: 'basic' });
    const slug = `${BASE}/{slug}`;
    const expected: Array<[string, string]> = [
      [BASE, 'post'],
      [slug, 'get'],
      [slug, 'patch'],
      [`${slug}/publish`, 'post'],
      [`${slug}/unpublish`, 'post'],
      [`${slug}/seat-types`, 'post'],
      [`${slug}/seat-types/{id}`, 'patch'],
      [`${slug}/seat-types/{id}`, 'delete'],
      [`${slug}/orders`, 'get'],
      [`${slug}/stats`, 'get'],
    ];
    for (const [path, method] of expected) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation.security).toEqual(path === BASE ? undefined : [{ ownerBasic: [] }]);
    }
    expect(document.paths[`${BASE}/`]).toBeUndefined();
  });
});

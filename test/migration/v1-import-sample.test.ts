import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src/contexts/migration/v1/import-v1.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { client, ordersServer, settle } from '../web/orders-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';
import { SAMPLE, basic, fileHash, importInto, storeCounts } from './v1-import-fixture.ts';

interface Expected {
  conferences: Array<{ slug: string; id: string; accessCode: string; published: boolean; seatTypes: Record<string, string> }>;
  orders: Record<string, { accessCode: string; expectStatus: string; total: number; registrantEmail: string; seats: Record<string, number>; assigned: Record<string, string> }>;
  expectedAvailable: Record<string, number>;
  publicSlugs: string[];
  hiddenSlugs: string[];
  publicConference: string;
}

const expected = JSON.parse(readFileSync(SAMPLE.replace(/\.sqlite$/, '.expected.json'), 'utf8')) as Expected;
const OWNER = 'gregoryweber@contoso.com';

describe.each(STORE_KINDS)('importing the V1 sample store on %s', (kind) => {
  let server: TestServer;
  let summary: ImportSummary;
  const hashBefore = fileHash(SAMPLE);

  beforeAll(async () => {
    server = await ordersServer(kind, { SEAT_RELEASE_BUFFER_SECONDS: '1' });
    summary = await importInto(server, SAMPLE);
    await settle(server);
  });
  afterAll(() => server?.close());

  it('reports what it imported and verifies the result without differences', () => {
    expect(summary.conferences).toMatchObject({ conferences: 3, seatTypes: 5, created: 3, newAccessCodes: [] });
    expect(summary.events).toMatchObject({ read: 27, written: 27, conflicts: [], unknownTypes: {} });
    expect(summary.processes.created).toEqual({ Completed: 2, ReservationConfirmationReceived: 1, PaymentConfirmationReceived: 1 });
    expect(summary.processes.droppedCommands).toBe(2);
    expect(summary.processes.listedCommands).toEqual([]);
    expect(summary.payments).toMatchObject({ payments: 2, eventsWritten: 4, orphans: [] });
    expect(summary.verification).toEqual({ differences: [], ghostSeatTypes: [], beyondV2Limits: [] });
  });

  it('makes the published conferences public with their seat types, prices in cents and availability', async () => {
    const api = client(server);
    const list = await api('GET', '/api/conferences');
    expect(list.body.map((c: { slug: string }) => c.slug).sort()).toEqual([...expected.publicSlugs].sort());
    for (const slug of expected.hiddenSlugs) expect((await api('GET', `/api/conferences/${slug}`)).status).toBe(404);
    const conference = expected.conferences.find((c) => c.slug === expected.publicConference)!;
    const details = await api('GET', `/api/conferences/${conference.slug}`);
    expect(details.status).toBe(200);
    const byId = new Map(details.body.seatTypes.map((s: { id: string }) => [s.id, s]));
    expect(byId.get(conference.seatTypes.ga)).toMatchObject({ name: 'General admission', price: 19_900, available: expected.expectedAvailable.ga });
    expect(byId.get(conference.seatTypes.ws)).toMatchObject({ price: 50_000, available: expected.expectedAvailable.ws });
    expect(byId.get(conference.seatTypes.cp)).toMatchObject({ price: 5_000, available: expected.expectedAvailable.cp });
  });

  it('lets the owners log in with their V1 access codes', async () => {
    for (const conference of expected.conferences) {
      const response = await server.app.inject({ url: `/api/management/conferences/${conference.slug}`, headers: basic(OWNER, conference.accessCode.toLowerCase()) });
      expect(response.statusCode, conference.slug).toBe(200);
      expect(response.json()).toMatchObject({ id: conference.id, accessCode: conference.accessCode, isPublished: conference.published });
    }
  });

  it('answers every order with its V1 access code and its final status, totals, seats and attendees', async () => {
    const api = client(server);
    const keys = new Map(Object.entries(expected.conferences.find((c) => c.slug === expected.publicConference)!.seatTypes).map(([key, id]) => [id, key]));
    for (const [orderId, order] of Object.entries(expected.orders)) {
      const view = await api('GET', `/api/orders/${orderId}?until=final&waitMs=10000`, undefined, order.accessCode);
      expect(view.status, orderId).toBe(200);
      expect(view.body, orderId).toMatchObject({ id: orderId, status: order.expectStatus, accessCode: order.accessCode, total: order.total * 100 });
      expect(view.body.registrant?.email).toBe(order.registrantEmail);
      const seats = Object.fromEntries(view.body.lines.filter((l: { reserved: number }) => l.reserved > 0).map((l: { seatTypeId: string; reserved: number }) => [keys.get(l.seatTypeId), l.reserved]));
      expect(seats, orderId).toEqual(order.seats);
      if (order.expectStatus !== 'confirmed') continue;
      const assignments = await api('GET', `/api/orders/${orderId}/assignments`, undefined, order.accessCode);
      expect(assignments.status, orderId).toBe(200);
      const assigned = Object.fromEntries(
        assignments.body.filter((s: { attendee: unknown }) => s.attendee !== null).map((s: { position: number; attendee: { email: string } }) => [String(s.position), s.attendee.email]),
      );
      expect(assigned, orderId).toEqual(order.assigned);
    }
  });

  it('logs the regenerated integration events before the first V1 event, and every message as imported', async () => {
    const { messages } = await server.store.queryLog({ kinds: ['event'], limit: 1000 });
    const generated = messages.filter((m) => m.metadata.messageId.startsWith('Generated_') && m.metadata.sourceType !== 'ThirdPartyProcessorPayment');
    expect(generated.map((m) => m.type)).toEqual([
      'ConferenceCreated',
      'SeatCreated',
      'SeatCreated',
      'SeatCreated',
      'ConferencePublished',
      'ConferenceCreated',
      'SeatCreated',
      'ConferencePublished',
      'ConferenceUnpublished',
      'ConferenceCreated',
    ]);
    for (const message of generated) expect(message.metadata.createdAt < '2012-05-08T09:00:07.000Z').toBe(true);
    const v1Events = messages.filter((m) => m.metadata.schemaVersion === 0);
    expect(v1Events).toHaveLength(27);
    expect(v1Events.find((m) => m.type === 'OrderPaymentConfirmed')?.metadata.messageId).toBe('Order_75a89294-c2cd-489a-b802-08a9ad45f23d_4');
    for (const message of [...generated, ...v1Events]) expect(message.metadata.Imported).toBe(true);
    const actions = (await server.store.queryLog({ kinds: ['operator-action'], limit: 10 })).messages;
    expect(actions.map((m) => m.data)).toEqual([{ action: 'import-v1', target: 'v1-sample.sqlite', reason: null }]);
    const payments = messages.filter((m) => m.metadata.sourceType === 'ThirdPartyProcessorPayment');
    expect(payments.map((m) => m.metadata.messageId).sort()).toEqual([
      'Generated_3099fdf5-ab99-454a-a901-e35cd47d380d_PaymentCompleted',
      'Generated_3099fdf5-ab99-454a-a901-e35cd47d380d_PaymentInitiated',
      'Generated_f03edca7-e2dc-4a37-b463-b337d20b5d59_PaymentCompleted',
      'Generated_f03edca7-e2dc-4a37-b463-b337d20b5d59_PaymentInitiated',
    ]);
  });

  it('lets no side-effecting handler react to history: only the order confirmed live by its imported payment mails and gets seat slots', async () => {
    const db = server.store.db as never as import('kysely').Kysely<{ emails: { recipient: string } }>;
    const recipients = (await db.selectFrom('emails').select('recipient').execute()).map((row) => row.recipient);
    expect(recipients).toEqual(['sofia@adatum.com']);
    const created = (await server.store.queryLog({ types: ['SeatAssignmentsCreated'], limit: 100 })).messages;
    expect(created.map((m) => [m.metadata.Imported === true, (m.data as { OrderId?: string; orderId?: string }).OrderId ?? (m.data as { orderId: string }).orderId])).toEqual([
      [true, '75a89294-c2cd-489a-b802-08a9ad45f23d'],
      [false, '8092b4d4-2b28-4ef0-ab9c-014ea5ac06d8'],
    ]);
  });

  it('adds nothing when run again, and never changes the V1 file', async () => {
    const before = await storeCounts(server);
    const again = await importInto(server, SAMPLE);
    expect(again.written).toBe(0);
    expect(again.events).toMatchObject({ written: 0, alreadyLogged: 27 });
    expect(await storeCounts(server)).toEqual(before);
    expect(fileHash(SAMPLE)).toBe(hashBefore);
  });

  it('lets Conference Management continue the imported per-source versions, and a quota change reach availability', async () => {
    const conference = expected.conferences.find((c) => c.slug === expected.publicConference)!;
    const auth = basic(OWNER, conference.accessCode);
    const edited = await server.app.inject({
      method: 'PATCH',
      url: `/api/management/conferences/${conference.slug}/seat-types/${conference.seatTypes.ga}`,
      headers: auth,
      payload: { quantity: 110 },
    });
    expect(edited.statusCode).toBe(200);
    const hidden = expected.conferences.find((c) => c.slug === 'unpub2012')!;
    const published = await server.app.inject({ method: 'POST', url: `/api/management/conferences/${hidden.slug}/publish`, headers: basic(OWNER, hidden.accessCode) });
    expect(published.statusCode).toBe(200);
    await settle(server);
    const versions = async (sourceId: string) => (await server.store.readStream({ sourceType: sourceId === hidden.id ? 'Conference' : 'SeatType', sourceId })).map((m) => [m.type, m.metadata.version]);
    expect(await versions(conference.seatTypes.ga)).toEqual([
      ['SeatCreated', 0],
      ['SeatUpdated', 1],
    ]);
    expect(await versions(hidden.id)).toEqual([
      ['ConferenceCreated', 0],
      ['ConferencePublished', 1],
      ['ConferenceUnpublished', 2],
      ['ConferencePublished', 3],
    ]);
    const details = await client(server)('GET', `/api/conferences/${conference.slug}`);
    expect(details.body.seatTypes.find((s: { id: string }) => s.id === conference.seatTypes.ga)).toMatchObject({ available: expected.expectedAvailable.ga + 10 });
    expect((await client(server)('GET', `/api/conferences/${hidden.slug}`)).status).toBe(200);
  });
});

describe('a dry run of the V1 import', () => {
  it('reads and verifies without writing', async () => {
    const server = await ordersServer('sqlite');
    try {
      const before = await storeCounts(server);
      const summary = await importInto(server, SAMPLE, { dryRun: true });
      expect(summary.conferences.created).toBe(3);
      expect(summary.events.read).toBe(27);
      expect(summary.verification.differences).toEqual([]);
      expect(await storeCounts(server)).toEqual(before);
    } finally {
      await server.close();
    }
  });
});

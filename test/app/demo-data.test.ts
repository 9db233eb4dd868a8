import { afterEach, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { DEMO_OWNER_EMAIL, demoConference, seedDemoConference } from '../../src/app/demo-data.ts';
import { Conferences } from '../../src/contexts/conference-management/conferences.ts';
import { conferenceBySlug, managementDb, seatTypesOf } from '../../src/contexts/conference-management/records.ts';
import { listEmails } from '../../src/contexts/notifications/email-log.ts';
import { Store } from '../../src/platform/store/store.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';
import { PageAgent, expectPage } from '../web/management-pages-fixture.ts';
import { type TestServer, testServerOn } from '../web/server-fixture.ts';

/** The demo conference seeded on an empty store (DOMAIN 3.5). */

const PUBLIC_URL = 'https://tickets.example.com';
const on = { publicUrl: PUBLIC_URL, demoData: true };
const clock = () => new Date('2031-01-31T23:30:00.000Z');

async function logTypes(store: Store): Promise<string[]> {
  return (await store.readLog({ after: 0, limit: 1000 })).map((message) => message.type);
}

async function conferenceCount(store: Store): Promise<number> {
  return (await managementDb(store.db).selectFrom('conferences').select('id').execute()).length;
}

describe.each(STORE_KINDS)('the demo conference on %s', (kind) => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function location(): Promise<StoreLocation> {
    const fresh = await freshLocation(kind);
    cleanups.push(() => fresh.drop());
    return fresh;
  }

  async function open(at: StoreLocation): Promise<Store> {
    const store = await Store.open(at.dialect(), { migrations: APP_MIGRATIONS });
    cleanups.push(() => store.close());
    return store;
  }

  it('is created and published through Conference Management on an empty store, once; the operator home shows its access code', async () => {
    const server: TestServer = await testServerOn(kind);
    cleanups.push(() => server.close());
    const browser = new PageAgent(server);
    await browser.get('/ops');
    await browser.post('/ops', { token: server.config.operatorToken });
    expect(expectPage(await browser.get('/ops'), 200)).not.toContain('Demo conference');

    expect(await seedDemoConference(server.store, on, clock)).toBe(true);

    const conference = (await conferenceBySlug(server.store.db, 'demo'))!;
    expect(conference).toMatchObject({
      name: 'Contoso Demo Conference',
      slug: 'demo',
      ownerName: 'Demo Owner',
      ownerEmail: DEMO_OWNER_EMAIL,
      startDate: '2031-03-02',
      endDate: '2031-03-04',
      reservationHoldMinutes: 15,
      isPublished: true,
    });
    expect(conference.accessCode).toMatch(/^[A-HJKMNP-Z1-9]{6}$/);
    const seatTypes = await seatTypesOf(server.store.db, conference.id);
    expect(seatTypes.map(({ name, price, quantity }) => ({ name, price, quantity }))).toEqual([
      { name: 'General admission', price: 19_900, quantity: 100 },
      { name: 'Workshop', price: 50_000, quantity: 20 },
      { name: 'Community pass', price: 0, quantity: 50 },
    ]);
    // Everything is in the log, as Conference Management writes it.
    const logged = ['ConferenceCreated', 'SeatCreated', 'SeatCreated', 'SeatCreated', 'ConferencePublished'];
    expect(await logTypes(server.store)).toEqual(logged);
    const [ownerEmail] = (await listEmails(server.store.db, { recipients: [DEMO_OWNER_EMAIL], limit: 10 }))!.emails;
    expect(ownerEmail.body).toContain(`Access code: ${conference.accessCode}`);

    expect(await demoConference(server.store.db)).toEqual({
      name: 'Contoso Demo Conference',
      slug: 'demo',
      ownerEmail: DEMO_OWNER_EMAIL,
      accessCode: conference.accessCode,
    });
    const home = expectPage(await browser.get('/ops'), 200);
    expect(home).toContain('Demo conference');
    expect(home).toContain('href="/demo/"');
    expect(home).toContain(DEMO_OWNER_EMAIL);
    expect(home).toContain(conference.accessCode);

    // A restart finds a conference and does nothing.
    expect(await seedDemoConference(server.store, on, clock)).toBe(false);
    expect(await conferenceCount(server.store)).toBe(1);
    expect(await logTypes(server.store)).toEqual(logged);
  });

  it('is created once when two processes start on the same empty store at once', async () => {
    const shared = await location();
    // The embedded store has one process; two connections of one process would block each other.
    const first = await open(shared);
    const second = kind === 'postgres' ? await open(shared) : first;
    const outcomes = await Promise.all([seedDemoConference(first, on), seedDemoConference(second, on)]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await conferenceCount(first)).toBe(1);
    expect((await logTypes(first)).filter((type) => type === 'ConferenceCreated')).toHaveLength(1);
    expect((await conferenceBySlug(first.db, 'demo'))?.isPublished).toBe(true);
  });

  it('is not created with DEMO_DATA=0, nor on a store that has a conference; a `demo` of another owner is not the demo', async () => {
    const store = await open(await location());
    expect(await seedDemoConference(store, { ...on, demoData: false })).toBe(false);
    expect(await conferenceCount(store)).toBe(0);

    await new Conferences({ store, publicUrl: PUBLIC_URL }).create({
      name: 'Not a demo',
      slug: 'demo',
      ownerName: 'Olivia Owner',
      ownerEmail: 'olivia@example.com',
      tagline: null,
      description: 'A real conference that happens to be called demo.',
      location: 'Redmond, WA',
      twitterSearch: null,
      startDate: '2031-06-12',
      endDate: '2031-06-14',
      reservationHoldMinutes: 15,
    });
    expect(await seedDemoConference(store, on)).toBe(false);
    expect(await conferenceCount(store)).toBe(1);
    expect(await demoConference(store.db)).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { Conferences } from '../../src/contexts/conference-management/conferences.ts';
import { conferencesOwnedBy, locateConference } from '../../src/contexts/conference-management/owner-access.ts';
import type { NewConference } from '../../src/contexts/conference-management/rules.ts';
import { SeatTypes } from '../../src/contexts/conference-management/seat-types.ts';
import { Store } from '../../src/platform/store/store.ts';
import { storedLog } from '../support/stored-log.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

let slugs = 0;
const details = (overrides: Partial<NewConference> = {}): Partial<NewConference> => ({
  ownerName: 'Olivia Owner',
  ownerEmail: 'olivia@example.com',
  slug: `conference_${++slugs}`,
  name: 'CQRS Summit',
  description: 'Two days.',
  location: 'Redmond',
  startDate: '2030-06-12',
  endDate: '2030-06-14',
  ...overrides,
});

describe.each(STORE_KINDS)('conference operations on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS });
  });
  afterAll(async () => {
    await store?.close();
    await location?.drop();
  });

  it('draws another access code when the owner already has the one drawn', async () => {
    const drawn = ['AAAAAA', 'AAAAAA', 'AAAAAA', 'BBBBBB', 'AAAAAA'];
    const conferences = new Conferences({ store, publicUrl: 'http://localhost', accessCodes: () => drawn.shift()! });
    expect((await conferences.create(details({ ownerEmail: 'clash@example.com' }))).accessCode).toBe('AAAAAA');
    // The same owner in another case: AAAAAA is taken, twice; then BBBBBB.
    expect((await conferences.create(details({ ownerEmail: 'CLASH@example.com' }))).accessCode).toBe('BBBBBB');
    // Another owner may have AAAAAA.
    expect((await conferences.create(details({ ownerEmail: 'someone@example.com' }))).accessCode).toBe('AAAAAA');
    expect(drawn).toEqual([]);
  });

  it('locates a conference by owner e-mail and access code in any case', async () => {
    const conferences = new Conferences({ store, publicUrl: 'http://localhost' });
    const created = await conferences.create(details({ ownerEmail: 'Locate.Me@example.com' }));
    const found = await locateConference(store.db, ' locate.me@EXAMPLE.com ', ` ${created.accessCode.toLowerCase()} `);
    expect(found?.id).toBe(created.id);
    expect(await locateConference(store.db, 'locate.me@example.com', created.accessCode === 'ZZZZZZ' ? 'YYYYYY' : 'ZZZZZZ')).toBeUndefined();
    expect(await locateConference(store.db, 'other@example.com', created.accessCode)).toBeUndefined();
    expect(await locateConference(store.db, 'locate.me@example.com\u0000', created.accessCode)).toBeUndefined();
    expect(await locateConference(store.db, 'locate.me@example.com', `${created.accessCode}\u0000`)).toBeUndefined();
  });

  it('lists an owner’s conferences by start date, then name', async () => {
    const conferences = new Conferences({ store, publicUrl: 'http://localhost' });
    const owner = 'many@example.com';
    await conferences.create(details({ ownerEmail: owner, name: 'Beta', startDate: '2031-01-01', endDate: '2031-01-01' }));
    await conferences.create(details({ ownerEmail: owner, name: 'Zeta', startDate: '2030-01-01', endDate: '2030-01-01' }));
    await conferences.create(details({ ownerEmail: 'MANY@example.com', name: 'alpha', startDate: '2031-01-01', endDate: '2031-01-02' }));
    await conferences.create(details({ ownerEmail: 'few@example.com' }));
    expect((await conferencesOwnedBy(store.db, ' Many@Example.com')).map((c) => c.name)).toEqual(['Zeta', 'alpha', 'Beta']);
    expect(await conferencesOwnedBy(store.db, 'nobody@example.com')).toEqual([]);
  });

  it('versions each source in log order when changes of one conference run at the same time', async () => {
    const conferences = new Conferences({ store, publicUrl: 'http://localhost' });
    const seatTypes = new SeatTypes({ store });
    const conference = await conferences.create(details());
    const seat = await seatTypes.add(conference.id, { name: 'General', description: 'All days', quantity: 10, price: 100 });
    await conferences.publish(conference.id);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => [
        conferences.update(conference.id, { name: `Name ${i}` }),
        seatTypes.change(conference.id, seat.id, { quantity: 20 + i }),
      ]).flat(),
    );
    const log = await storedLog(store);
    for (const sourceId of [conference.id, seat.id]) {
      const versions = log.filter((m) => m.metadata.sourceId === sourceId).map((m) => m.metadata.version);
      expect(versions).toEqual(versions.map((_, i) => i));
    }
    expect(log.filter((m) => m.metadata.sourceId === conference.id)).toHaveLength(10);
    expect(log.filter((m) => m.metadata.sourceId === seat.id)).toHaveLength(9);
  });
});

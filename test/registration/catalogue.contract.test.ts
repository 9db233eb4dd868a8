import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import type { ConferenceSnapshot, SeatTypeSnapshot } from '../../src/contexts/conference-management/contract.ts';
import { catalogueProjection } from '../../src/contexts/registration/catalogue/projection.ts';
import { Catalogue } from '../../src/contexts/registration/catalogue/queries.ts';
import type { CatalogueDatabase } from '../../src/contexts/registration/catalogue/schema.ts';
import type { LoggedMessage, Message } from '../../src/platform/messages/envelope.ts';
import { HandlerContext } from '../../src/platform/processing/handler.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import { Store } from '../../src/platform/store/store.ts';
import {
  appendEvents,
  conferenceEvent,
  conferenceSnapshot,
  createConference,
  seatEvent,
  seatSnapshot,
  writtenPosition,
} from '../support/conference-events.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

const registry = createMessageRegistry();
const ids = {
  conference: '0190a1b2-aaaa-7000-8000-000000000001',
  other: '0190a1b2-aaaa-7000-8000-000000000002',
  seatA: '0190a1b2-aaaa-7000-8000-00000000000a',
};

describe.each(STORE_KINDS)('the registration catalogue on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;
  let catalogue: Catalogue;

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS });
    catalogue = new Catalogue(store);
  });
  afterAll(async () => {
    await store.close();
    await location.drop();
  });
  beforeEach(() => clearCatalogue(store));

  describe('fed through the log', () => {
    let processing: Processing;
    beforeEach(() => {
      processing = new Processing(store, registry, [catalogueProjection], { idleCheckMs: 500 });
      processing.start();
    });
    afterEach(() => processing.stop());

    async function feed(...events: Message[]): Promise<void> {
      const written = await appendEvents(store, events);
      await expect(processing.waitFor(catalogueProjection.name, written.at(-1)!.metadata.position, 10_000)).resolves.toBe(true);
    }

    it('keeps seat types and publication that arrive before their conference, and shows them once it is defined (P4)', async () => {
      const { conference, seatA } = ids;
      await feed(seatEvent('SeatCreated', seatA, 0, seatSnapshot(conference, { name: 'Early bird' })));
      expect(await rawConference(store, conference)).toMatchObject({ defined: 0, is_published: 0, slug: null, name: null });
      await feed(conferenceEvent('ConferencePublished', conference, 1));
      expect(await rawConference(store, conference)).toMatchObject({ defined: 0, is_published: 1, slug: null, name: null });
      expect(await catalogue.publishedConferences()).toEqual([]);
      expect(await catalogue.seatTypes(conference)).toHaveLength(1);

      await feed(conferenceEvent('ConferenceCreated', conference, 0, conferenceSnapshot({ slug: 'Late_Comer', name: 'Late comer' })));
      expect(await catalogue.publishedConferences()).toEqual([
        expect.objectContaining({ id: conference, slug: 'Late_Comer', name: 'Late comer' }),
      ]);
      const details = await catalogue.publishedConference('late_comer');
      expect(details).toMatchObject({ id: conference, slug: 'Late_Comer', description: 'Two days of event sourcing.' });
      expect(await catalogue.seatTypes(conference)).toEqual([
        { id: seatA, name: 'Early bird', description: 'Both days', price: 19_900, available: 100 },
      ]);
    });

    it('follows updates, unpublication and republication; an edit never changes publication', async () => {
      const { id, seatTypeIds } = await createConference(store, { conference: { slug: 'flow' }, seats: [{ name: 'Full', quantity: 3 }] });
      await processing.waitFor(catalogueProjection.name, await writtenPosition(store), 10_000);
      expect(await catalogue.publishedConference('FLOW')).toMatchObject({ name: 'CQRS Summit' });

      await feed(
        conferenceEvent('ConferenceUpdated', id, 2, conferenceSnapshot({ slug: 'flow', name: 'Renamed', twitterSearch: '#flow' })),
        seatEvent('SeatUpdated', seatTypeIds[0], 1, seatSnapshot(id, { name: 'Full pass', price: 0, quantity: 7 })),
      );
      expect(await catalogue.publishedConference('flow')).toMatchObject({ name: 'Renamed', twitterSearch: '#flow' });
      expect(await catalogue.seatTypes(id)).toEqual([expect.objectContaining({ name: 'Full pass', price: 0, available: 7 })]);

      await feed(conferenceEvent('ConferenceUnpublished', id, 3));
      expect(await catalogue.publishedConference('flow')).toBeUndefined();
      expect(await catalogue.publishedConferences()).toEqual([]);

      await feed(conferenceEvent('ConferenceUpdated', id, 4, conferenceSnapshot({ slug: 'flow', name: 'Renamed again' })));
      expect(await catalogue.publishedConference('flow')).toBeUndefined();
      await feed(conferenceEvent('ConferencePublished', id, 5));
      expect(await catalogue.publishedConference('flow')).toMatchObject({ name: 'Renamed again', twitterSearch: null });
      expect(await rawConference(store, id)).toMatchObject({ conference_version: 5, details_version: 4, published_version: 5 });
    });

    it('lists published conferences by start date, then name, and their seat types in creation order', async () => {
      await createConference(store, { conference: { slug: 'c', name: 'beta', startDate: '2030-05-01', endDate: '2030-05-02' } });
      await createConference(store, { conference: { slug: 'a', name: 'Zeta', startDate: '2030-04-01', endDate: '2030-04-01' } });
      await createConference(store, { conference: { slug: 'b', name: 'Alpha', startDate: '2030-05-01', endDate: '2030-05-03' } });
      await createConference(store, { conference: { slug: 'hidden', name: 'Hidden' }, published: false });
      const { id } = await createConference(store, {
        conference: { slug: 'd', name: 'Gamma', startDate: '2031-01-01', endDate: '2031-01-01' },
        seats: [{ name: 'Zoo' }, { name: 'Ant' }, { name: 'Middle' }],
      });
      await processing.waitFor(catalogueProjection.name, await writtenPosition(store), 10_000);
      expect((await catalogue.publishedConferences()).map((c) => c.name)).toEqual(['Zeta', 'Alpha', 'beta', 'Gamma']);
      expect((await catalogue.seatTypes(id)).map((s) => s.name)).toEqual(['Zoo', 'Ant', 'Middle']);
    });
  });

  describe('fed any order of deliveries with duplicates', () => {
    /** Delivers one message the way a subscription does: handler effect in its own transaction. */
    function deliver(message: LoggedMessage): Promise<void> {
      return store.transaction((tx) => catalogueProjection.handle(message, new HandlerContext(store, registry, tx, message)));
    }

    async function stateAfter(deliveries: LoggedMessage[]): Promise<unknown> {
      await clearCatalogue(store);
      for (const message of deliveries) await deliver(message);
      const db = catalogueDb(store);
      return {
        conferences: await db.selectFrom('reg_conferences').selectAll().orderBy('id').execute(),
        seatTypes: await db.selectFrom('reg_seat_types').selectAll().orderBy('id').execute(),
        listed: await catalogue.publishedConferences(),
      };
    }

    it('ends in the state of the in-order sequence (P1, P3, P4)', async () => {
      await fc.assert(
        fc.asyncProperty(
          validSequence().chain((events) =>
            fc.record({
              events: fc.constant(events),
              delivered: fc
                .array(fc.nat({ max: events.length - 1 }), { maxLength: events.length })
                .chain((duplicates) => {
                  const indices = [...events.keys(), ...duplicates];
                  return fc.shuffledSubarray(indices, { minLength: indices.length });
                }),
            }),
          ),
          async ({ events, delivered }) => {
            const expected = await stateAfter(events);
            expect(await stateAfter(delivered.map((index) => events[index]))).toEqual(expected);
          },
        ),
        { numRuns: kind === 'sqlite' ? 60 : 25 },
      );
    });

    it('ignores an older snapshot delivered after a newer one, and a redelivered publication', async () => {
      const [created, updated, published] = positioned([
        conferenceEvent('ConferenceCreated', ids.other, 0, conferenceSnapshot({ slug: 'again', name: 'Old' })),
        conferenceEvent('ConferenceUpdated', ids.other, 1, conferenceSnapshot({ slug: 'again', name: 'New' })),
        conferenceEvent('ConferencePublished', ids.other, 2),
      ]);
      const state = await stateAfter([published, updated, created, published, created]);
      expect(state).toMatchObject({ listed: [expect.objectContaining({ name: 'New' })] });
    });
  });
});

function catalogueDb(store: Store): Kysely<CatalogueDatabase> {
  return store.db as unknown as Kysely<CatalogueDatabase>;
}

async function clearCatalogue(store: Store): Promise<void> {
  await catalogueDb(store).deleteFrom('reg_seat_types').execute();
  await catalogueDb(store).deleteFrom('reg_conferences').execute();
}

function rawConference(store: Store, id: string) {
  return catalogueDb(store).selectFrom('reg_conferences').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Messages as the log hands them out: positions in the order given. */
function positioned(messages: Message[]): LoggedMessage[] {
  return messages.map((message, index) => ({ ...message, metadata: { ...message.metadata, position: index + 1 } }));
}

/** Distinct ids per source: conferences in group 0, the seat types of conference n in group n + 1. */
function testId(group: number, index: number): string {
  return `0190a1b2-${String(group).padStart(4, '0')}-7000-8000-${String(index).padStart(12, '0')}`;
}

const text = fc.string({ minLength: 1, maxLength: 8 });
const date = fc.constantFrom('2030-01-01', '2030-01-02', '2030-03-01');

function snapshot(slug: string): fc.Arbitrary<ConferenceSnapshot> {
  return fc.record({
    name: text,
    description: text,
    location: text,
    slug: fc.constant(slug),
    tagline: fc.option(text, { nil: null }),
    twitterSearch: fc.option(text, { nil: null }),
    startDate: date,
    endDate: date,
    owner: fc.record({ name: text, email: fc.constant('owner@example.com') }),
    reservationHoldMinutes: fc.integer({ min: 5, max: 60 }),
  });
}

function seat(conferenceId: string): fc.Arbitrary<SeatTypeSnapshot> {
  return fc.record({
    conferenceId: fc.constant(conferenceId),
    name: text,
    description: text,
    price: fc.integer({ min: 0, max: 5_000_000 }),
    quantity: fc.integer({ min: 0, max: 100_000 }),
  });
}

/**
 * One or two conferences, each with its events in version order (created, then any edits and
 * publication changes), followed by its seat types' events (created, then edits).
 */
function validSequence(): fc.Arbitrary<LoggedMessage[]> {
  const conference = (index: number) =>
    fc
      .record({
        created: snapshot(`Conf_${index}`),
        changes: fc.array(fc.oneof(fc.constant('publish' as const), fc.constant('unpublish' as const), snapshot(`Conf_${index}`)), {
          maxLength: 4,
        }),
        seats: fc.nat({ max: 3 }),
      })
      .chain(({ created, changes, seats }) => {
        const id = testId(0, index);
        const seatIds = Array.from({ length: seats }, (_, s) => testId(index + 1, s));
        return fc.tuple(...seatIds.map(() => fc.array(seat(id), { minLength: 1, maxLength: 3 }))).map((seatVersions) => [
          conferenceEvent('ConferenceCreated', id, 0, created),
          ...changes.map((change, i) =>
            change === 'publish'
              ? conferenceEvent('ConferencePublished', id, i + 1)
              : change === 'unpublish'
                ? conferenceEvent('ConferenceUnpublished', id, i + 1)
                : conferenceEvent('ConferenceUpdated', id, i + 1, change),
          ),
          ...seatIds.flatMap((seatId, s) =>
            seatVersions[s].map((data, version) => seatEvent(version === 0 ? 'SeatCreated' : 'SeatUpdated', seatId, version, data)),
          ),
        ]);
      });
  return fc
    .integer({ min: 1, max: 2 })
    .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => conference(i))))
    .map((conferences) => positioned(conferences.flat()));
}

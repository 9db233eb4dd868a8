import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { catalogueProjection } from '../../src/contexts/registration/catalogue/projection.ts';
import { Catalogue } from '../../src/contexts/registration/catalogue/queries.ts';
import { registrationProjections } from '../../src/contexts/registration/read-models/projections.ts';
import { RegistrationReadModels } from '../../src/contexts/registration/read-models/queries.ts';
import type { RegistrationReadModelDb } from '../../src/contexts/registration/read-models/schema.ts';
import type { LoggedMessage, Message } from '../../src/platform/messages/envelope.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { HandlerContext, type MessageHandler } from '../../src/platform/processing/handler.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import { Store } from '../../src/platform/store/store.ts';
import { appendEvents, createConference, seatEvent, seatSnapshot } from '../support/conference-events.ts';
import { assignmentsStream, availabilityStream, orderStream, paymentStream } from '../support/registration-events.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

const registry = createMessageRegistry();
const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'Ada@Example.com' };
const alan = { firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com' };
const grace = { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' };
const fay = (email: string) => ({ firstName: 'Fay', lastName: 'Wray', email });

/** A conference known to the catalogue with seat types GA and WS; CP is a seat type it does not know. */
interface Ids {
  conference: string;
  ga: string;
  ws: string;
  cp: string;
}

/**
 * Registrations at one conference (and one order at another):
 * - A buys GA2 + WS1: a confirmation refused (payment p1, rejected), then paid by p2 and confirmed;
 *   a duplicate payment p3 completed and refunded; seats assigned, renamed, unassigned, reassigned.
 * - B asks GA2, changes to GA2 + CP1, obtains GA1 + CP1, then expires.
 * - F, G (later) and N (later still, no registrant) share an access code; H is at another conference.
 * - Availability: quotas, reservations, a lowered quota (WS below zero), CP before the catalogue knows it.
 */
function registrations({ conference, ga, ws, cp }: Ids) {
  const orders = { a: newId(), b: newId(), f: newId(), g: newId(), h: newId(), n: newId() };
  const payments = { p1: newId(), p2: newId(), p3: newId() };
  const assignmentsId = newId();
  const otherConference = newId();
  const list = (...entries: Array<[string, number]>) => entries.map(([seatType, quantity]) => ({ seatType, quantity }));
  const line = (seatType: string, unitPrice: number, quantity: number) => ({ seatType, unitPrice, quantity, lineTotal: unitPrice * quantity });
  const expiration = '2030-01-01T10:15:00.000Z';
  const placed = (accessCode: string, seats: Array<[string, number]>, conferenceId = conference) => ({
    conferenceId,
    seats: list(...seats),
    reservationAutoExpiration: expiration,
    accessCode,
  });
  const reserved = (...seats: Array<[string, number]>) => ({ reservationExpiration: '2030-01-01T10:16:00.000Z', seats: list(...seats) });

  const availability = availabilityStream(conference);
  const [a, b, f, g, h, n] = [orders.a, orders.b, orders.f, orders.g, orders.h, orders.n].map(orderStream);
  const [p1, p2, p3] = [payments.p1, payments.p2, payments.p3].map((id) => paymentStream(id, orders.a));
  const seats = assignmentsStream(assignmentsId, orders.a);
  const initiated = (amount: number) => ({ paymentSourceId: orders.a, conferenceId: conference, amount, description: 'Registration for CQRS Summit', items: [] });

  const events: Message[] = [
    availability.next('AvailableSeatsChanged', { seats: list([ga, 10], [ws, 5]), remaining: list([ga, 10], [ws, 5]), quotaVersion: 0 }),
    a.next('OrderPlaced', placed('AAA111', [[ga, 2], [ws, 1]]), '2030-01-01T10:00:00.000Z'),
    availability.next('SeatsReserved', { reservationId: orders.a, reservationDetails: list([ga, 2], [ws, 1]), availableSeatsChanged: list([ga, -2], [ws, -1]), remaining: list([ga, 8], [ws, 4]) }),
    a.next('OrderReservationCompleted', reserved([ga, 2], [ws, 1])),
    a.next('OrderTotalsCalculated', { total: 88_800, lines: [line(ga, 19_400, 2), line(ws, 50_000, 1)], isFreeOfCharge: false }),
    a.next('OrderRegistrantAssigned', ada),
    p1.next('PaymentInitiated', initiated(88_800), '2030-01-01T10:05:00.000Z'),
    p1.next('PaymentRejected', { paymentSourceId: orders.a }, '2030-01-01T10:06:00.000Z'),
    a.next('OrderConfirmationRejected', { paymentId: payments.p1, reason: 'AmountMismatch' }),
    p2.next('PaymentInitiated', initiated(88_800), '2030-01-01T10:07:00.000Z'),
    p2.next('PaymentCompleted', { paymentSourceId: orders.a, amount: 88_800 }, '2030-01-01T10:08:00.000Z'),
    a.next('OrderConfirmed', { paymentId: payments.p2 }),
    seats.next('SeatAssignmentsCreated', { orderId: orders.a, conferenceId: conference, seats: [{ position: 0, seatType: ga }, { position: 1, seatType: ga }, { position: 2, seatType: ws }] }),
    p3.next('PaymentInitiated', initiated(88_800), '2030-01-01T10:09:00.000Z'),
    p3.next('PaymentCompleted', { paymentSourceId: orders.a, amount: 88_800 }, '2030-01-01T10:10:00.000Z'),
    p3.next('PaymentRefunded', { paymentSourceId: orders.a, amount: 88_800, reason: 'DuplicatePayment' }, '2030-01-01T10:11:00.000Z'),
    seats.next('SeatAssigned', { position: 1, seatType: ga, attendee: alan }),
    seats.next('SeatAssigned', { position: 2, seatType: ws, attendee: alan }),
    seats.next('SeatAssignmentUpdated', { position: 2, attendee: { ...alan, firstName: 'Alan M.' } }),
    seats.next('SeatUnassigned', { position: 1 }),
    seats.next('SeatAssigned', { position: 1, seatType: ga, attendee: grace }),

    availability.next('AvailableSeatsChanged', { seats: list([cp, 3]), remaining: list([cp, 3]), quotaVersion: 0 }),
    b.next('OrderPlaced', placed('BBB222', [[ga, 2]]), '2030-01-01T11:00:00.000Z'),
    b.next('OrderUpdated', { seats: list([ga, 2], [cp, 1]) }),
    availability.next('SeatsReserved', { reservationId: orders.b, reservationDetails: list([ga, 1], [cp, 1]), availableSeatsChanged: list([ga, -1], [cp, -1]), remaining: list([ga, 7], [cp, 2]) }),
    b.next('OrderPartiallyReserved', reserved([ga, 1], [cp, 1])),
    b.next('OrderTotalsCalculated', { total: 24_400, lines: [line(ga, 19_400, 1), line(cp, 5_000, 1)], isFreeOfCharge: false }),
    b.next('OrderRegistrantAssigned', { firstName: 'Bob', lastName: 'Bobson', email: 'bob@example.com' }),
    availability.next('AvailableSeatsChanged', { seats: list([ws, -6]), remaining: list([ws, -2]), quotaVersion: 1 }),
    b.next('OrderExpired', {}),
    availability.next('SeatsReservationCancelled', { reservationId: orders.b, availableSeatsChanged: list([ga, 1], [cp, 1]), remaining: list([ga, 8], [cp, 3]) }),

    f.next('OrderPlaced', placed('FFF666', [[ga, 1]]), '2030-01-01T12:00:00.000Z'),
    f.next('OrderRegistrantAssigned', fay('fay@example.com')),
    g.next('OrderPlaced', placed('FFF666', [[ga, 1]]), '2030-01-01T13:00:00.000Z'),
    g.next('OrderRegistrantAssigned', fay('FAY@example.COM')),
    h.next('OrderPlaced', placed('FFF666', [[ga, 1]], otherConference), '2030-01-01T14:00:00.000Z'),
    h.next('OrderRegistrantAssigned', fay('fay@example.com')),
    n.next('OrderPlaced', placed('FFF666', [[ga, 1]]), '2030-01-01T15:00:00.000Z'),
  ];
  return { orders, payments, assignmentsId, otherConference, events };
}

const HANDLERS = [catalogueProjection, ...registrationProjections];
const READ_MODEL_TABLES = [
  'reg_draft_orders',
  'reg_draft_order_lines',
  'reg_priced_orders',
  'reg_priced_order_lines',
  'reg_seat_assignments',
  'reg_assigned_seats',
  'reg_payments',
] as const;

describe.each(STORE_KINDS)('the registration read models on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;
  let readModels: RegistrationReadModels;
  let catalogue: Catalogue;
  const db = () => store.db as unknown as RegistrationReadModelDb;

  /** Delivers one message the way a subscription does: the handler's effect in its own transaction. */
  function deliver(handler: MessageHandler, message: LoggedMessage): Promise<void> {
    return store.transaction((tx) => handler.handle(message, new HandlerContext(store, registry, tx, message)));
  }
  const handlersOf = (message: LoggedMessage) => HANDLERS.filter((handler) => handler.types.includes(message.type));

  /** A published conference in the catalogue with GA and WS; CP stays unknown to it. */
  async function knownConference(slug: string): Promise<Ids> {
    const { id, seatTypeIds } = await createConference(store, { conference: { slug }, seats: [{ name: 'General admission', quantity: 10 }, { name: 'Workshop', quantity: 5 }] });
    const logged = await store.readLog({ after: 0, limit: 10_000, types: catalogueProjection.types as string[] });
    for (const message of logged.filter((entry) => entry.metadata.correlationId === id)) await deliver(catalogueProjection, message);
    return { conference: id, ga: seatTypeIds[0], ws: seatTypeIds[1], cp: newId() };
  }

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS });
    readModels = new RegistrationReadModels(store.db);
    catalogue = new Catalogue(store);
  });
  afterAll(async () => {
    await store.close();
    await location.drop();
  });

  describe('fed through the log', () => {
    let processing: Processing;
    let ids: Ids;
    let flow: ReturnType<typeof registrations>;

    beforeAll(async () => {
      ids = await knownConference('through_the_log');
      flow = registrations(ids);
      processing = new Processing(store, registry, HANDLERS, { idleCheckMs: 500 });
      processing.start();
      const written = await appendEvents(store, flow.events);
      const last = written.at(-1)!.metadata.position;
      for (const handler of HANDLERS) await expect(processing.waitFor(handler.name, last, 15_000)).resolves.toBe(true);
    });
    afterAll(() => processing.stop());

    it('answers draft orders: requested and reserved lines, Expired as a real state, the last refused confirmation', async () => {
      const { conference, ga, ws, cp } = ids;
      expect(await readModels.draftOrder(flow.orders.a)).toEqual({
        orderId: flow.orders.a,
        conferenceId: conference,
        state: 'Confirmed',
        lines: [
          { seatType: ga, requested: 2, reserved: 2 },
          { seatType: ws, requested: 1, reserved: 1 },
        ],
        reservationExpiration: '2030-01-01T10:16:00.000Z',
        placedAt: '2030-01-01T10:00:00.000Z',
        accessCode: 'AAA111',
        registrant: ada,
        lastConfirmationRejection: { reason: 'AmountMismatch', paymentId: flow.payments.p1 },
        version: 5,
      });
      expect(await readModels.draftOrder(flow.orders.b)).toMatchObject({
        state: 'Expired',
        lines: [
          { seatType: ga, requested: 2, reserved: 1 },
          { seatType: cp, requested: 1, reserved: 1 },
        ],
        lastConfirmationRejection: null,
        version: 5,
      });
      expect(await readModels.draftOrder(flow.orders.n)).toMatchObject({ state: 'PendingReservation', registrant: null, reservationExpiration: '2030-01-01T10:15:00.000Z', version: 0 });
      expect(await readModels.draftOrder(newId())).toBeUndefined();
    });

    it('answers priced orders at the version the draft order reached, expired ones kept, lines in order with seat-type names', async () => {
      const { conference, ga, ws, cp } = ids;
      expect(await readModels.pricedOrder(flow.orders.a)).toEqual({
        orderId: flow.orders.a,
        conferenceId: conference,
        lines: [
          { position: 0, seatType: ga, description: 'General admission', unitPrice: 19_400, quantity: 2, lineTotal: 38_800 },
          { position: 1, seatType: ws, description: 'Workshop', unitPrice: 50_000, quantity: 1, lineTotal: 50_000 },
        ],
        total: 88_800,
        isFreeOfCharge: false,
        reservationExpiration: '2030-01-01T10:16:00.000Z',
        status: 'Confirmed',
        assignmentsId: flow.assignmentsId,
        version: 5,
      });
      // CP was priced before the catalogue knew its name: described by its id until then.
      expect(await readModels.pricedOrder(flow.orders.b)).toMatchObject({
        lines: [expect.objectContaining({ description: 'General admission' }), expect.objectContaining({ position: 1, seatType: cp, description: cp })],
        total: 24_400,
        status: 'Expired',
        assignmentsId: null,
        version: 5,
      });
      expect(await readModels.pricedOrder(flow.orders.n)).toMatchObject({ lines: [], total: 0, status: 'Reserved', version: 0 });
    });

    it('answers seat assignments by order, and payments with the most recently initiated one as the latest', async () => {
      const { conference, ga, ws } = ids;
      expect(await readModels.seatAssignments(flow.orders.a)).toEqual({
        assignmentsId: flow.assignmentsId,
        orderId: flow.orders.a,
        conferenceId: conference,
        seats: [
          { position: 0, seatType: ga, attendee: null },
          { position: 1, seatType: ga, attendee: grace },
          { position: 2, seatType: ws, attendee: { ...alan, firstName: 'Alan M.' } },
        ],
        version: 5,
      });
      expect(await readModels.seatAssignments(flow.orders.b)).toBeUndefined();

      expect(await readModels.payment(flow.payments.p1)).toEqual({
        paymentId: flow.payments.p1,
        orderId: flow.orders.a,
        conferenceId: conference,
        description: 'Registration for CQRS Summit',
        amount: 88_800,
        status: 'Rejected',
        refundReason: null,
        initiatedAt: '2030-01-01T10:05:00.000Z',
        updatedAt: '2030-01-01T10:06:00.000Z',
        version: 1,
      });
      expect(await readModels.payment(flow.payments.p2)).toMatchObject({ status: 'Completed', version: 1 });
      expect(await readModels.latestPayment(flow.orders.a)).toMatchObject({
        paymentId: flow.payments.p3,
        status: 'Refunded',
        refundReason: 'DuplicatePayment',
        initiatedAt: '2030-01-01T10:09:00.000Z',
        updatedAt: '2030-01-01T10:11:00.000Z',
        version: 2,
      });
      expect(await readModels.latestPayment(flow.orders.b)).toBeUndefined();
    });

    it('locates an order by conference, e-mail and access code in any case; the most recently placed wins', async () => {
      const { conference } = ids;
      expect(await readModels.findOrder(conference, 'ada@example.COM', 'aaa111')).toBe(flow.orders.a);
      expect(await readModels.findOrder(conference, ' ADA@example.com ', ' AAA111 ')).toBe(flow.orders.a);
      expect(await readModels.findOrder(conference, 'fay@example.com', 'fff666')).toBe(flow.orders.g);
      expect(await readModels.findOrder(flow.otherConference, 'Fay@Example.com', 'FFF666')).toBe(flow.orders.h);
      expect(await readModels.findOrder(conference, 'ada@example.com', 'BBB222')).toBeUndefined();
      expect(await readModels.findOrder(flow.otherConference, 'ada@example.com', 'AAA111')).toBeUndefined();
      expect(await readModels.findOrder(conference, 'bob@example.com', 'BBB222')).toBe(flow.orders.b);
    });

    it('offers the newest remaining seats, never below zero, and keeps the availability of a seat type not known yet', async () => {
      const { conference, ga, ws, cp } = ids;
      expect(await catalogue.seatTypes(conference)).toEqual([
        expect.objectContaining({ id: ga, available: 8 }),
        expect.objectContaining({ id: ws, available: 0 }),
      ]);
      expect(await db().selectFrom('reg_seat_types').select(['available_quantity', 'availability_version', 'seat_type_version']).where('id', '=', cp).executeTakeFirst()).toEqual({
        available_quantity: 3,
        availability_version: 5,
        seat_type_version: -1,
      });

      const written = await appendEvents(store, [seatEvent('SeatCreated', cp, 0, seatSnapshot(conference, { name: 'Coffee pass', quantity: 3, price: 5_000 }))]);
      await expect(processing.waitFor(catalogueProjection.name, written[0].metadata.position, 15_000)).resolves.toBe(true);
      expect((await catalogue.seatTypes(conference)).find((seatType) => seatType.id === cp)).toMatchObject({ name: 'Coffee pass', available: 3 });
      // The order priced before the name was known is now described by it.
      expect((await readModels.pricedOrder(flow.orders.b))?.lines[1]).toMatchObject({ description: 'Coffee pass' });
    });
  });

  describe('fed any order of deliveries with duplicates', () => {
    let logged: LoggedMessage[];
    let ids: Ids;

    beforeAll(async () => {
      ids = await knownConference('any_order');
      logged = (await appendEvents(store, registrations(ids).events)).filter((message) => handlersOf(message).length > 0);
    });
    beforeEach(clear);

    /** Empties the read models and the availability the catalogue holds, keeping the catalogue's own rows. */
    async function clear(): Promise<void> {
      for (const table of READ_MODEL_TABLES) await db().deleteFrom(table).execute();
      await db().deleteFrom('reg_seat_types').where('seat_type_version', '<', 0).execute();
      await db().updateTable('reg_seat_types').set({ available_quantity: null, availability_version: -1 }).execute();
      await db().deleteFrom('reg_conferences').where('defined', '=', 0).execute();
    }

    async function stateAfter(deliveries: LoggedMessage[]): Promise<unknown> {
      await clear();
      for (const message of deliveries) for (const handler of handlersOf(message)) await deliver(handler, message);
      return snapshot();
    }

    /** Every read-model row, order-independent. */
    async function snapshot(): Promise<unknown> {
      const state: Record<string, unknown[]> = {};
      for (const table of [...READ_MODEL_TABLES, 'reg_seat_types', 'reg_conferences'] as const) {
        const rows = await db().selectFrom(table).selectAll().execute();
        state[table] = rows.map((row) => JSON.stringify(row)).sort();
      }
      return state;
    }

    it('ends in the state of the in-order delivery (P1, P2, P3, P4)', async () => {
      const inOrder = await stateAfter(logged);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.nat({ max: logged.length - 1 }), { maxLength: logged.length }).chain((duplicates) => {
            const indices = [...logged.keys(), ...duplicates];
            return fc.shuffledSubarray(indices, { minLength: indices.length });
          }),
          async (delivered) => {
            expect(await stateAfter(delivered.map((index) => logged[index]))).toEqual(inOrder);
          },
        ),
        { numRuns: kind === 'sqlite' ? 15 : 8 },
      );
    });

    it('folds batches of any size, re-deliveries included, into the state of one message at a time (handleBatch)', async () => {
      const batched = HANDLERS.filter((handler) => handler.handleBatch);
      expect(batched.map((handler) => handler.name).sort()).toEqual(['draft-orders', 'priced-orders']);
      /** The other projections first (the catalogue as it ends up), then the batched ones: `feed` decides how. */
      async function stateWith(feed: (handler: MessageHandler, messages: LoggedMessage[]) => Promise<void>): Promise<unknown> {
        await clear();
        for (const message of logged) for (const handler of handlersOf(message).filter((h) => !h.handleBatch)) await deliver(handler, message);
        for (const handler of batched) await feed(handler, logged.filter((message) => handler.types.includes(message.type)));
        return snapshot();
      }
      const oneByOne = await stateWith(async (handler, messages) => {
        for (const message of messages) await deliver(handler, message);
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat({ max: logged.length - 1 }), fc.nat({ max: 6 })), { maxLength: 12 }),
          fc.array(fc.integer({ min: 1, max: logged.length }), { minLength: 1, maxLength: 6 }),
          async (redeliveries, sizes) => {
            const state = await stateWith(async (handler, messages) => {
              // Entries delivered again a little later (as after a switch), then cut into batches.
              const deliveries = messages.flatMap((message, index) =>
                [message, ...redeliveries.filter(([at, delay]) => Math.min(at + delay, messages.length - 1) === index).map(([at]) => messages[Math.min(at, index)])],
              );
              for (let start = 0, n = 0; start < deliveries.length; n++) {
                const batch = deliveries.slice(start, start + sizes[n % sizes.length]);
                await store.transaction((tx) => handler.handleBatch!(batch, { store, registry, tx, replaying: true }));
                start += batch.length;
              }
            });
            expect(state).toEqual(oneByOne);
          },
        ),
        { numRuns: kind === 'sqlite' ? 20 : 8 },
      );
    });

    it('keeps the newest availability when an older event arrives later', async () => {
      const availability = logged.filter((message) => message.metadata.sourceId === ids.conference);
      const [first, reservedA] = availability;
      const seatAvailability = registrationProjections.find((handler) => handler.name === 'seat-availability')!;
      await deliver(seatAvailability, reservedA);
      await deliver(seatAvailability, first);
      expect((await catalogue.seatTypes(ids.conference)).map((seatType) => seatType.available)).toEqual([8, 4]);
    });

    it('defers an order event whose earlier versions are not in the log yet, then applies them in order (P2)', async () => {
      const orderId = newId();
      const order = orderStream(orderId);
      const placed = order.next('OrderPlaced', { conferenceId: ids.conference, seats: [{ seatType: ids.ga, quantity: 1 }], reservationAutoExpiration: '2030-01-01T10:15:00.000Z', accessCode: 'ZZZ999' });
      const [expired] = await appendEvents(store, [order.next('OrderExpired', {})]);
      const [draft, priced] = registrationProjections.filter((handler) => ['draft-orders', 'priced-orders'].includes(handler.name));
      for (const handler of [draft, priced]) await expect(deliver(handler, expired)).rejects.toThrow(/not in the log yet/);
      await appendEvents(store, [placed]);
      for (const handler of [draft, priced]) await deliver(handler, expired);
      expect(await readModels.draftOrder(orderId)).toMatchObject({ state: 'Expired', accessCode: 'ZZZ999', version: 1 });
      expect(await readModels.pricedOrder(orderId)).toMatchObject({ status: 'Expired', version: 1 });
    });

    it('keeps the assignments id of an order whose events come later, without showing the order (P4)', async () => {
      const created = logged.find((message) => message.type === 'SeatAssignmentsCreated')!;
      const orderId = (created.data as { orderId: string }).orderId;
      const priced = registrationProjections.find((handler) => handler.name === 'priced-orders')!;
      await deliver(priced, created);
      expect(await readModels.pricedOrder(orderId)).toBeUndefined();
      const orderEvents = logged.filter((message) => message.metadata.sourceId === orderId);
      await deliver(priced, orderEvents.at(-1)!);
      expect(await readModels.pricedOrder(orderId)).toMatchObject({ status: 'Confirmed', assignmentsId: created.metadata.sourceId, version: orderEvents.length - 1 });
    });
  });
});

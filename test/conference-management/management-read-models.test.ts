import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { ordersProjection } from '../../src/contexts/conference-management/projections/orders.ts';
import type { ManagementReadModelsDatabase } from '../../src/contexts/conference-management/projections/schema.ts';
import { seatSalesProjection } from '../../src/contexts/conference-management/projections/seat-sales.ts';
import type { LoggedMessage, Message } from '../../src/platform/messages/envelope.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { HandlerContext } from '../../src/platform/processing/handler.ts';
import { Store } from '../../src/platform/store/store.ts';
import { appendEvents } from '../support/conference-events.ts';
import { assignmentsStream, availabilityStream, orderStream, paymentStream } from '../support/registration-events.ts';
import { STORE_KINDS, freshLocation } from '../support/stores.ts';
import { ManagementClient } from '../web/management-fixture.ts';
import { PageAgent, expectPage } from '../web/management-pages-fixture.ts';
import { type TestServer, testServerOn } from '../web/server-fixture.ts';

const registry = createMessageRegistry();

const HANDLERS = [ordersProjection, seatSalesProjection];
const grace = { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' };
const alan = { firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com' };

interface FlowIds {
  conference: string;
  ga: string;
  ws: string;
}

/**
 * A conference's registrations (GA $199 quota 10, WS $500 quota 5): A buys GA2 + WS1 on 2 Jan,
 * assigns seats and gets $199 refunded; B reserves GA1 and expires; C obtains no seat; D holds GA1,
 * pending; E buys GA1 on 3 Jan.
 */
function registrations({ conference, ga, ws }: FlowIds) {
  const orders = { a: newId(), b: newId(), c: newId(), d: newId(), e: newId() };
  const payment = newId();
  const availability = availabilityStream(conference);
  const [a, b, c, d, e] = [orders.a, orders.b, orders.c, orders.d, orders.e].map(orderStream);
  const pay = paymentStream(payment, orders.a);
  const seats = assignmentsStream(newId(), orders.a);
  const expiration = '2030-01-01T10:15:00.000Z';
  const placed = (accessCode: string, requested: Array<[string, number]>) => ({
    conferenceId: conference,
    seats: requested.map(([seatType, quantity]) => ({ seatType, quantity })),
    reservationAutoExpiration: expiration,
    accessCode,
  });
  const reserved = (...got: Array<[string, number]>) => ({ reservationExpiration: expiration, seats: got.map(([seatType, quantity]) => ({ seatType, quantity })) });
  const line = (seatType: string, unitPrice: number, quantity: number) => ({ seatType, unitPrice, quantity, lineTotal: unitPrice * quantity });
  const totals = (...lines: ReturnType<typeof line>[]) => ({ total: lines.reduce((sum, l) => sum + l.lineTotal, 0), lines, isFreeOfCharge: false });
  const list = (...entries: Array<[string, number]>) => entries.map(([seatType, quantity]) => ({ seatType, quantity }));
  const reservation = (reservationId: string, details: Array<[string, number]>, changes: Array<[string, number]>, remaining: Array<[string, number]>) => ({
    reservationId,
    reservationDetails: list(...details),
    availableSeatsChanged: list(...changes),
    remaining: list(...remaining),
  });
  const events: Message[] = [
    availability.next('AvailableSeatsChanged', { seats: list([ga, 10], [ws, 5]), remaining: list([ga, 10], [ws, 5]), quotaVersion: 0 }),
    a.next('OrderPlaced', placed('AAA111', [[ga, 2], [ws, 1]]), '2030-01-01T10:00:00.000Z'),
    availability.next('SeatsReserved', reservation(orders.a, [[ga, 2], [ws, 1]], [[ga, -2], [ws, -1]], [[ga, 8], [ws, 4]])),
    a.next('OrderReservationCompleted', reserved([ga, 2], [ws, 1])),
    a.next('OrderTotalsCalculated', totals(line(ga, 19_900, 2), line(ws, 50_000, 1))),
    a.next('OrderRegistrantAssigned', { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' }),
    pay.next('PaymentInitiated', { paymentSourceId: orders.a, conferenceId: conference, amount: 89_800, description: 'Registration for Test', items: [] }),
    pay.next('PaymentCompleted', { paymentSourceId: orders.a, amount: 89_800 }),
    a.next('OrderConfirmed', { paymentId: payment }, '2030-01-02T23:30:00.000Z'),
    availability.next('SeatsReservationCommitted', { reservationId: orders.a }),
    seats.next('SeatAssignmentsCreated', { orderId: orders.a, conferenceId: conference, seats: [{ position: 0, seatType: ga }, { position: 1, seatType: ga }, { position: 2, seatType: ws }] }),
    seats.next('SeatAssigned', { position: 1, seatType: ga, attendee: alan }),
    seats.next('SeatAssigned', { position: 2, seatType: ws, attendee: alan }),
    seats.next('SeatAssignmentUpdated', { position: 2, attendee: { ...alan, firstName: 'Alan M.' } }),
    seats.next('SeatUnassigned', { position: 1 }),
    seats.next('SeatAssigned', { position: 1, seatType: ga, attendee: grace }),
    pay.next('PaymentRefunded', { paymentSourceId: orders.a, amount: 19_900, reason: 'DuplicatePayment' }),

    b.next('OrderPlaced', placed('BBB222', [[ga, 2]]), '2030-01-01T11:00:00.000Z'),
    availability.next('SeatsReserved', reservation(orders.b, [[ga, 1]], [[ga, -1]], [[ga, 7]])),
    b.next('OrderPartiallyReserved', reserved([ga, 1])),
    b.next('OrderTotalsCalculated', totals(line(ga, 19_900, 1))),
    b.next('OrderExpired', {}),
    availability.next('SeatsReservationCancelled', { reservationId: orders.b, availableSeatsChanged: list([ga, 1]), remaining: list([ga, 8]) }),

    c.next('OrderPlaced', placed('CCC333', [[ws, 1]]), '2030-01-01T12:00:00.000Z'),
    availability.next('SeatsReserved', reservation(orders.c, [], [], [])),
    c.next('OrderPartiallyReserved', reserved([ws, 0])),
    c.next('OrderTotalsCalculated', totals()),

    e.next('OrderPlaced', placed('EEE555', [[ga, 1]]), '2030-01-03T08:00:00.000Z'),
    availability.next('SeatsReserved', reservation(orders.e, [[ga, 1]], [[ga, -1]], [[ga, 7]])),
    e.next('OrderReservationCompleted', reserved([ga, 1])),
    e.next('OrderTotalsCalculated', totals(line(ga, 19_900, 1))),
    e.next('OrderConfirmed', {}, '2030-01-03T08:05:00.000Z'),
    availability.next('SeatsReservationCommitted', { reservationId: orders.e }),

    d.next('OrderPlaced', placed('DDD444', [[ga, 1]]), '2030-01-03T09:00:00.000Z'),
    availability.next('SeatsReserved', reservation(orders.d, [[ga, 1]], [[ga, -1]], [[ga, 6]])),
    d.next('OrderUpdated', { seats: list([ga, 1]) }),
    d.next('OrderReservationCompleted', reserved([ga, 1])),
    d.next('OrderTotalsCalculated', totals(line(ga, 19_900, 1))),
    d.next('OrderConfirmationRejected', { reason: 'ReservationNotComplete' }),
  ];
  return { orders, events };
}

describe.each(STORE_KINDS)('the management orders and sales read models on %s', (kind) => {
  describe('fed through the log', () => {
    let server: TestServer;
    let owner: PageAgent;
    let api: ManagementClient;

    beforeAll(async () => {
      server = await testServerOn(kind, { registry: createMessageRegistry(), handlers: HANDLERS, env: { CONFERENCE_CREATION_LIMIT: '0' } });
      server.processing!.start();
      owner = new PageAgent(server);
      api = new ManagementClient(server);
    });
    afterAll(() => server?.close());

    async function feed(events: Message[]): Promise<void> {
      const written = await appendEvents(server.store, events);
      const last = written.at(-1)!.metadata.position;
      for (const handler of HANDLERS) await expect(server.processing!.waitFor(handler.name, last, 15_000)).resolves.toBe(true);
    }

    it('lists orders, attendees and refunds, and sums sales per type and day, in the API and the pages', async () => {
      const conference = await owner.createConference();
      const ga = await api.addSeatType(conference, { name: 'General admission', quantity: 10, price: 19_900 });
      const ws = await api.addSeatType(conference, { name: 'Workshop', quantity: 5, price: 50_000 });
      const { orders, events } = registrations({ conference: conference.id, ga: ga.id, ws: ws.id });
      await feed(events);

      const listed = await api.as(conference, 'GET', '/orders');
      expect(listed.statusCode, listed.body).toBe(200);
      const { orders: shown, next } = listed.json();
      expect(shown.map((order: { accessCode: string }) => order.accessCode)).toEqual(['DDD444', 'EEE555', 'AAA111']);
      expect(next).toBeNull();
      expect(shown[0]).toMatchObject({ status: 'pending', total: 19_900, registrant: null, seats: [] });
      expect(shown[2]).toEqual({
        orderId: orders.a,
        accessCode: 'AAA111',
        status: 'paid',
        total: 89_800,
        refundedAmount: 19_900,
        isFreeOfCharge: false,
        registrant: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
        createdAt: '2030-01-01T10:00:00.000Z',
        seats: [
          { position: 0, seatTypeId: ga.id, seatTypeName: 'General admission', attendee: null },
          { position: 1, seatTypeId: ga.id, seatTypeName: 'General admission', attendee: grace },
          { position: 2, seatTypeId: ws.id, seatTypeName: 'Workshop', attendee: { ...alan, firstName: 'Alan M.' } },
        ],
      });

      const expired = (await api.as(conference, 'GET', '/orders?status=expired')).json();
      expect(expired.orders.map((order: { orderId: string; status: string }) => [order.orderId, order.status])).toEqual([[orders.b, 'expired']]);
      expect((await api.as(conference, 'GET', '/orders?status=pending,paid,expired')).json().orders).toHaveLength(4);

      const first = (await api.as(conference, 'GET', '/orders?limit=2')).json();
      expect(first.orders.map((order: { orderId: string }) => order.orderId)).toEqual([orders.d, orders.e]);
      const second = (await api.as(conference, 'GET', `/orders?limit=2&after=${encodeURIComponent(first.next)}`)).json();
      expect(second).toMatchObject({ orders: [expect.objectContaining({ orderId: orders.a })], next: null });
      expect((await api.as(conference, 'GET', '/orders?after=nonsense')).statusCode).toBe(400);

      const stats = (await api.as(conference, 'GET', '/stats')).json();
      expect(stats.seatTypes).toEqual([
        { id: ga.id, name: 'General admission', quantity: 10, sold: 3, held: 1, remaining: 6, available: 6 },
        { id: ws.id, name: 'Workshop', quantity: 5, sold: 1, held: 0, remaining: 4, available: 4 },
      ]);
      for (const seatType of stats.seatTypes) expect(seatType.sold + seatType.held + seatType.remaining).toBe(seatType.quantity);
      expect(stats.salesOverTime).toEqual([
        { date: '2030-01-02', seatTypeId: ga.id, seatTypeName: 'General admission', seatsSold: 2, revenue: 39_800 },
        { date: '2030-01-02', seatTypeId: ws.id, seatTypeName: 'Workshop', seatsSold: 1, revenue: 50_000 },
        { date: '2030-01-03', seatTypeId: ga.id, seatTypeName: 'General admission', seatsSold: 1, revenue: 19_900 },
      ]);
      expect(stats.totals).toEqual({ seatsSold: 4, revenue: 109_700 });

      const page = expectPage(await owner.get(`/manage/${conference.slug}/orders`), 200);
      for (const text of ['AAA111', 'DDD444', 'EEE555', 'Lovelace, Ada', 'ada@example.com', 'General admission: Hopper Grace, grace@example.com', 'Workshop: Turing Alan M., alan@example.com', 'Refunded $199.00', '$898.00']) {
        expect(page).toContain(text);
      }
      expect(page).not.toContain('BBB222');
      expect(page).not.toContain('CCC333');
      expect(expectPage(await owner.get(`/manage/${conference.slug}/orders?expired=1`), 200)).toContain('BBB222');

      const dashboard = expectPage(await owner.get(`/manage/${conference.slug}/dashboard`), 200);
      expect(dashboard).not.toContain('No seats have been sold yet.');
      expect(dashboard).toContain('$1,097.00');
    });
  });

  describe('fed any order of deliveries with duplicates', () => {
    let store: Store;
    let drop: () => Promise<void>;
    let logged: LoggedMessage[];
    const ids = { conference: newId(), ga: newId(), ws: newId() };

    beforeAll(async () => {
      const location = await freshLocation(kind);
      drop = () => location.drop();
      store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS });
      const { events } = registrations(ids);
      logged = (await appendEvents(store, events)).filter((message) => HANDLERS.some((handler) => handler.types.includes(message.type)));
    });
    afterAll(async () => {
      await store?.close();
      await drop?.();
    });

    const db = () => store.db as unknown as Kysely<ManagementReadModelsDatabase>;
    const READ_MODEL_TABLES = ['mgmt_orders', 'mgmt_order_seats', 'mgmt_assignments', 'mgmt_refunds', 'mgmt_availability', 'mgmt_reservations', 'mgmt_sales_by_day', 'seat_sales'] as const;

    async function stateAfter(deliveries: LoggedMessage[]): Promise<unknown> {
      for (const table of READ_MODEL_TABLES) await db().deleteFrom(table).execute();
      for (const message of deliveries) {
        const handler = HANDLERS.find((candidate) => candidate.types.includes(message.type))!;
        await store.transaction((tx) => handler.handle(message, new HandlerContext(store, registry, tx, message)));
      }
      const state: Record<string, unknown[]> = {};
      for (const table of READ_MODEL_TABLES) {
        const rows = await db().selectFrom(table).selectAll().execute();
        state[table] = rows.map((row) => JSON.stringify({ ...row, updated_at: undefined })).sort();
      }
      return state;
    }

    it('ends in the state of the in-order delivery (P1, P2, P4), with quota = sold + held + remaining', async () => {
      const inOrder = await stateAfter(logged);
      const sales = await db().selectFrom('seat_sales').selectAll().execute();
      expect(Object.fromEntries(sales.map(({ seat_type_id, sold, held, remaining }) => [seat_type_id, sold + held + remaining]))).toEqual({ [ids.ga]: 10, [ids.ws]: 5 });
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
        { numRuns: 15 },
      );
    });

    it('defers an event whose earlier versions are not in the log yet, then applies them in order (P2)', async () => {
      const orderId = newId();
      const order = orderStream(orderId);
      const placed = order.next('OrderPlaced', { conferenceId: newId(), seats: [], reservationAutoExpiration: '2030-01-01T10:15:00.000Z', accessCode: 'ZZZ999' }, '2030-01-01T10:00:00.000Z');
      const [expired] = await appendEvents(store, [order.next('OrderExpired', {})]);
      const deliver = () => store.transaction((tx) => ordersProjection.handle(expired, new HandlerContext(store, registry, tx, expired)));
      await expect(deliver()).rejects.toThrow(/not in the log yet/);
      await appendEvents(store, [placed]);
      await deliver();
      expect(await db().selectFrom('mgmt_orders').select(['access_code', 'status', 'created_at', 'order_version']).where('order_id', '=', orderId).executeTakeFirst()).toEqual({
        access_code: 'ZZZ999',
        status: 'expired',
        created_at: '2030-01-01T10:00:00.000Z',
        order_version: 1,
      });
    });
  });
});

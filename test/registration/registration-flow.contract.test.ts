import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageHandlers } from '../../src/app/handlers.ts';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { parseSettings } from '../../src/config.ts';
import { PAYMENT_SOURCE } from '../../src/contexts/payments/contract.ts';
import { paymentAggregate } from '../../src/contexts/payments/payment.ts';
import { ORDER_SOURCE, SEAT_ASSIGNMENTS_SOURCE, SEATS_AVAILABILITY_SOURCE, type SeatQuantity } from '../../src/contexts/registration/contract.ts';
import { orderAggregate } from '../../src/contexts/registration/order.ts';
import type { RegistrationProcess } from '../../src/contexts/registration/process-manager.ts';
import { REGISTRATION_PROCESS } from '../../src/contexts/registration/process-manager-handler.ts';
import { seatAssignmentsId } from '../../src/contexts/registration/seat-assignments.ts';
import { seatsAvailabilityAggregate } from '../../src/contexts/registration/seats-availability.ts';
import { newCommand, originFromRequest } from '../../src/platform/messages/factory.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { type Aggregate, type TypedMessage, decideAndAppend, executeCommand, loadAggregate } from '../../src/platform/processing/commands.ts';
import { silentLogger } from '../../src/platform/processing/logger.ts';
import { ProcessStore } from '../../src/platform/processing/process-store.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import { Store } from '../../src/platform/store/store.ts';
import { type PublishedConference, appendEvents, createConference, seatEvent, seatSnapshot, writtenPosition } from '../support/conference-events.ts';
import { eventually } from '../support/eventually.ts';
import { orderStream } from '../support/registration-events.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

/**
 * Registration and Payments end to end on the real handlers of the worker (every handler of
 * `messageHandlers`), the real store and its durable timers: commands go in the way the HTTP side
 * sends them, and each test waits until every handler has caught up with what was written.
 */

const registry = createMessageRegistry();
/** A 1-second release buffer: an order held for 1 second is released 2 seconds after it was placed. */
const settings = parseSettings({ SEAT_RELEASE_BUFFER_SECONDS: '1' });
const HOLD_SECONDS = 900;
const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };

describe.each(STORE_KINDS)('registration flows on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;
  let processing: Processing;
  let processes: ProcessStore<RegistrationProcess>;

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS });
    const handlers = messageHandlers({ settings, store, registry, logger: silentLogger });
    processing = new Processing(store, registry, handlers, { idleCheckMs: 500, retry: { baseDelayMs: 20 } });
    processes = new ProcessStore(store, processing.timers, REGISTRATION_PROCESS);
    processing.start();
  });
  afterAll(async () => {
    await processing.stop();
    await store.close();
    await location.drop();
  });

  /** Waits until every handler has passed everything written, including what they wrote themselves. */
  async function settle(): Promise<void> {
    for (;;) {
      const written = await writtenPosition(store);
      for (const { name } of processing.subscriptions) {
        expect(await processing.waitFor(name, written, 15_000), `${name} caught up`).toBe(true);
      }
      if ((await writtenPosition(store)) === written) return;
    }
  }

  /** A command sent the way the HTTP side sends it: logged with its events, or refused with nothing stored. */
  async function send<S, C extends TypedMessage, E extends TypedMessage>(
    aggregate: Aggregate<S, C, E>,
    sourceId: string,
    orderId: string,
    type: string,
    data: object,
    context?: Record<string, unknown>,
  ): Promise<void> {
    const command = newCommand(type, data, { target: sourceId, origin: originFromRequest(orderId) });
    await executeCommand(store, command, (tx) => decideAndAppend(store, registry, tx, aggregate, sourceId, command, context));
  }

  const placeOrder = (conference: PublishedConference, seats: SeatQuantity[], holdSeconds = HOLD_SECONDS, orderId = newId()) =>
    registerToConference(conference, orderId, seats, holdSeconds).then(() => orderId);
  const registerToConference = (conference: PublishedConference, orderId: string, seats: SeatQuantity[], holdSeconds = HOLD_SECONDS) =>
    send(orderAggregate, orderId, orderId, 'RegisterToConference', { orderId, conferenceId: conference.id, seats, accessCode: 'K7QX3M' }, {
      now: new Date().toISOString(),
      holdSeconds,
    });
  const assignRegistrant = (orderId: string) => send(orderAggregate, orderId, orderId, 'AssignRegistrantDetails', { orderId, ...ada });

  /** Starts a payment for the order's current total; answers the payment id. */
  async function initiatePayment(conference: PublishedConference, orderId: string): Promise<string> {
    const { state } = await loadAggregate(store, registry, orderAggregate, orderId);
    const paymentId = newId();
    const items = state.lines.map((line) => ({ description: line.seatType, amount: line.lineTotal }));
    await send(paymentAggregate, paymentId, orderId, 'InitiateThirdPartyProcessorPayment', {
      paymentId,
      paymentSourceId: orderId,
      conferenceId: conference.id,
      description: 'Registration for CQRS Summit',
      totalAmount: state.total,
      items,
    });
    return paymentId;
  }
  const completePayment = (paymentId: string, orderId: string) =>
    send(paymentAggregate, paymentId, orderId, 'CompleteThirdPartyProcessorPayment', { paymentId });

  const eventsOf = async (sourceType: string, sourceId: string) =>
    (await store.readStream({ sourceType, sourceId })).map((event) => ({ type: event.type, data: event.data as Record<string, unknown> }));
  const typesOf = async (sourceType: string, sourceId: string) => (await eventsOf(sourceType, sourceId)).map((event) => event.type);
  const availability = async (conference: PublishedConference) =>
    (await loadAggregate(store, registry, seatsAvailabilityAggregate, conference.id)).state;
  const remaining = async (conference: PublishedConference, seatType: string) => (await availability(conference)).seatTypes[seatType]?.remaining;
  /** The reservation events of one order in the conference's availability stream. */
  const reservationEvents = async (conference: PublishedConference, orderId: string) =>
    (await eventsOf(SEATS_AVAILABILITY_SOURCE, conference.id)).filter((event) => event.data.reservationId === orderId);
  const processOf = async (orderId: string) => (await processes.load(orderId))?.state;
  const pendingTimersOf = async (orderId: string) => (await processing.timers.list()).filter((timer) => timer.targetId === orderId);

  /** A published conference whose quotas SeatsAvailability knows. */
  async function conferenceWith(seats: Array<{ name: string; price: number; quantity: number }>): Promise<PublishedConference> {
    const conference = await createConference(store, { conference: { slug: `summit_${newId().slice(-12)}` }, seats });
    await settle();
    return conference;
  }

  it('a paid order: reserved, priced, paid, confirmed; its seats committed and its assignments created', async () => {
    const conference = await conferenceWith([
      { name: 'General admission', price: 19_900, quantity: 10 },
      { name: 'Workshop', price: 50_000, quantity: 5 },
    ]);
    const [ga, ws] = conference.seatTypeIds;
    expect(await remaining(conference, ga)).toBe(10);
    expect(await remaining(conference, ws)).toBe(5);

    const orderId = await placeOrder(conference, [
      { seatType: ws, quantity: 1 },
      { seatType: ga, quantity: 2 },
    ]);
    await settle();
    const placed = await loadAggregate(store, registry, orderAggregate, orderId);
    expect(placed.state).toMatchObject({ status: 'ReservationCompleted', total: 89_800, isFreeOfCharge: false });
    // Lines follow the seat types' creation order.
    expect(placed.state.lines.map((line) => line.seatType)).toEqual([ga, ws]);
    expect(await remaining(conference, ga)).toBe(8);
    expect(await remaining(conference, ws)).toBe(4);
    expect(await pendingTimersOf(orderId)).toHaveLength(1);

    await assignRegistrant(orderId);
    const paymentId = await initiatePayment(conference, orderId);
    await completePayment(paymentId, orderId);
    await settle();

    expect(await typesOf(ORDER_SOURCE, orderId)).toEqual([
      'OrderPlaced',
      'OrderReservationCompleted',
      'OrderTotalsCalculated',
      'OrderRegistrantAssigned',
      'OrderConfirmed',
    ]);
    expect((await eventsOf(ORDER_SOURCE, orderId)).at(-1)!.data).toEqual({ paymentId });
    expect((await reservationEvents(conference, orderId)).map((event) => event.type)).toEqual(['SeatsReserved', 'SeatsReservationCommitted']);
    expect(await eventsOf(SEAT_ASSIGNMENTS_SOURCE, seatAssignmentsId(orderId))).toEqual([
      {
        type: 'SeatAssignmentsCreated',
        data: {
          orderId,
          conferenceId: conference.id,
          seats: [
            { position: 0, seatType: ga },
            { position: 1, seatType: ga },
            { position: 2, seatType: ws },
          ],
        },
      },
    ]);
    expect(await typesOf(PAYMENT_SOURCE, paymentId)).toEqual(['PaymentInitiated', 'PaymentCompleted']);
    expect(await processOf(orderId)).toMatchObject({ state: 'Completed', outcome: 'Confirmed', handledPaymentIds: [paymentId] });
    // The expiry timer was cancelled; the seats stay sold.
    expect(await pendingTimersOf(orderId)).toEqual([]);
    expect(await remaining(conference, ga)).toBe(8);
    expect(await processing.deadLetters.list()).toEqual([]);
  });

  it('a zero-cost order is confirmed without a payment', async () => {
    const conference = await conferenceWith([{ name: 'Community pass', price: 0, quantity: 5 }]);
    const [cp] = conference.seatTypeIds;
    const orderId = await placeOrder(conference, [{ seatType: cp, quantity: 2 }]);
    await settle();
    expect((await loadAggregate(store, registry, orderAggregate, orderId)).state).toMatchObject({
      status: 'ReservationCompleted',
      total: 0,
      isFreeOfCharge: true,
    });

    await assignRegistrant(orderId);
    await send(orderAggregate, orderId, orderId, 'ConfirmOrder', { orderId });
    await settle();

    expect((await eventsOf(ORDER_SOURCE, orderId)).at(-1)).toEqual({ type: 'OrderConfirmed', data: {} });
    expect((await reservationEvents(conference, orderId)).map((event) => event.type)).toEqual(['SeatsReserved', 'SeatsReservationCommitted']);
    expect(await typesOf(SEAT_ASSIGNMENTS_SOURCE, seatAssignmentsId(orderId))).toEqual(['SeatAssignmentsCreated']);
    expect(await remaining(conference, cp)).toBe(3);
    expect(await pendingTimersOf(orderId)).toEqual([]);
  });

  it('a partial reservation: the order re-submitted with what is left completes', async () => {
    const conference = await conferenceWith([{ name: 'General admission', price: 19_900, quantity: 3 }]);
    const [ga] = conference.seatTypeIds;
    const first = await placeOrder(conference, [{ seatType: ga, quantity: 2 }]);
    await settle();
    const second = await placeOrder(conference, [{ seatType: ga, quantity: 2 }]);
    await settle();

    expect((await loadAggregate(store, registry, orderAggregate, second)).state).toMatchObject({
      status: 'PartiallyReserved',
      reservedSeats: [{ seatType: ga, quantity: 1 }],
      total: 19_900,
    });
    expect(await processOf(second)).toMatchObject({ state: 'ReservationConfirmationReceived' });
    expect(await remaining(conference, ga)).toBe(0);

    await registerToConference(conference, second, [{ seatType: ga, quantity: 1 }]);
    await settle();
    expect((await loadAggregate(store, registry, orderAggregate, second)).state).toMatchObject({ status: 'ReservationCompleted', total: 19_900 });
    expect(await typesOf(ORDER_SOURCE, second)).toEqual([
      'OrderPlaced',
      'OrderPartiallyReserved',
      'OrderTotalsCalculated',
      'OrderUpdated',
      'OrderReservationCompleted',
      'OrderTotalsCalculated',
    ]);
    expect((await availability(conference)).pending).toEqual({ [first]: { [ga]: 2 }, [second]: { [ga]: 1 } });
    expect(await remaining(conference, ga)).toBe(0);
  });

  it('an order held for 1 second is expired by its timer after the release buffer, and its seats released', async () => {
    const conference = await conferenceWith([{ name: 'General admission', price: 19_900, quantity: 10 }]);
    const [ga] = conference.seatTypeIds;
    const orderId = await placeOrder(conference, [{ seatType: ga, quantity: 4 }], 1);
    await settle();
    expect((await reservationEvents(conference, orderId)).map((event) => event.type)).toEqual(['SeatsReserved']);
    expect(await remaining(conference, ga)).toBe(6);

    await eventually(async () => (await typesOf(ORDER_SOURCE, orderId)).includes('OrderExpired'));
    await settle();

    expect(await processOf(orderId)).toMatchObject({ state: 'Completed', outcome: 'Expired' });
    expect((await reservationEvents(conference, orderId)).map((event) => event.type)).toEqual(['SeatsReserved', 'SeatsReservationCancelled']);
    expect(await remaining(conference, ga)).toBe(10);
    expect(await pendingTimersOf(orderId)).toEqual([]);
    // The expired order refuses seat changes and confirmation.
    await expect(registerToConference(conference, orderId, [{ seatType: ga, quantity: 1 }])).rejects.toThrow('This order has expired.');
  });

  it('a payment that completes after the order expired is refunded', async () => {
    const conference = await conferenceWith([{ name: 'General admission', price: 19_900, quantity: 10 }]);
    const [ga] = conference.seatTypeIds;
    const orderId = await placeOrder(conference, [{ seatType: ga, quantity: 1 }], 1);
    await settle();
    expect((await loadAggregate(store, registry, orderAggregate, orderId)).state.status).toBe('ReservationCompleted');
    const paymentId = await initiatePayment(conference, orderId);

    await eventually(async () => (await typesOf(ORDER_SOURCE, orderId)).includes('OrderExpired'));
    await settle();
    await completePayment(paymentId, orderId);
    await settle();

    expect((await eventsOf(PAYMENT_SOURCE, paymentId)).map(({ type, data }) => [type, data.reason])).toEqual([
      ['PaymentInitiated', undefined],
      ['PaymentCompleted', undefined],
      ['PaymentRefunded', 'OrderExpired'],
    ]);
    expect(await typesOf(ORDER_SOURCE, orderId)).not.toContain('OrderConfirmed');
    expect(await processOf(orderId)).toMatchObject({ state: 'Completed', outcome: 'Expired', handledPaymentIds: [paymentId] });
    expect(await remaining(conference, ga)).toBe(10);
  });

  it('a payment for an amount other than the total is refunded and the order stays payable', async () => {
    const conference = await conferenceWith([{ name: 'General admission', price: 19_900, quantity: 10 }]);
    const [ga] = conference.seatTypeIds;
    const orderId = await placeOrder(conference, [{ seatType: ga, quantity: 1 }]);
    await settle();
    const wrong = newId();
    await send(paymentAggregate, wrong, orderId, 'InitiateThirdPartyProcessorPayment', {
      paymentId: wrong,
      paymentSourceId: orderId,
      conferenceId: conference.id,
      description: 'Registration for CQRS Summit',
      totalAmount: 100,
      items: [],
    });
    await completePayment(wrong, orderId);
    await settle();
    expect((await eventsOf(ORDER_SOURCE, orderId)).at(-1)).toEqual({ type: 'OrderConfirmationRejected', data: { paymentId: wrong, reason: 'AmountMismatch' } });
    expect((await eventsOf(PAYMENT_SOURCE, wrong)).at(-1)).toMatchObject({ type: 'PaymentRefunded', data: { reason: 'AmountMismatch', amount: 100 } });

    const right = await initiatePayment(conference, orderId);
    await completePayment(right, orderId);
    await settle();
    expect((await eventsOf(ORDER_SOURCE, orderId)).at(-1)).toEqual({ type: 'OrderConfirmed', data: { paymentId: right } });
  });

  it('a payment for an order with no registration process is refunded', async () => {
    const conference = await conferenceWith([{ name: 'General admission', price: 19_900, quantity: 10 }]);
    const unknownOrder = newId();
    const paymentId = newId();
    await send(paymentAggregate, paymentId, unknownOrder, 'InitiateThirdPartyProcessorPayment', {
      paymentId,
      paymentSourceId: unknownOrder,
      conferenceId: conference.id,
      description: 'Registration for CQRS Summit',
      totalAmount: 19_900,
      items: [],
    });
    await completePayment(paymentId, unknownOrder);
    await settle();
    expect((await eventsOf(PAYMENT_SOURCE, paymentId)).at(-1)).toMatchObject({ type: 'PaymentRefunded', data: { reason: 'OrderNotFound' } });
    expect(await processOf(unknownOrder)).toBeUndefined();
  });

  it('a queued command the decider refuses is dropped with a warning, never dead-lettered', async () => {
    const paymentId = newId();
    const refund = newCommand('RefundPayment', { paymentId, reason: 'OrderExpired' }, { target: paymentId, origin: originFromRequest(paymentId) });
    const confirm = newCommand('ConfirmOrder', { orderId: paymentId }, { target: paymentId, origin: originFromRequest(paymentId) });
    await store.transaction((tx) => store.append(tx, [refund, confirm]));
    await settle();
    expect(await eventsOf(PAYMENT_SOURCE, paymentId)).toEqual([]);
    expect(await eventsOf(ORDER_SOURCE, paymentId)).toEqual([]);
    expect(await processing.deadLetters.list()).toEqual([]);
  });

  it('seat-type quotas follow the latest SeatCreated/SeatUpdated, whatever order they arrive in', async () => {
    const conference = await conferenceWith([{ name: 'General admission', price: 19_900, quantity: 10 }]);
    const [ga] = conference.seatTypeIds;
    const snapshot = (quantity: number) => seatSnapshot(conference.id, { quantity });
    await appendEvents(store, [seatEvent('SeatUpdated', ga, 2, snapshot(4))]);
    await appendEvents(store, [seatEvent('SeatUpdated', ga, 1, snapshot(30))]);
    await settle();
    expect((await availability(conference)).seatTypes[ga]).toEqual({ quota: 4, remaining: 4, quotaVersion: 2 });
  });

  it('imported events cause no process', async () => {
    const conference = await conferenceWith([{ name: 'General admission', price: 19_900, quantity: 10 }]);
    const orderId = newId();
    const placed = orderStream(orderId).next('OrderPlaced', {
      conferenceId: conference.id,
      seats: [{ seatType: conference.seatTypeIds[0], quantity: 1 }],
      reservationAutoExpiration: new Date(Date.now() + 60_000).toISOString(),
      accessCode: 'K7QX3M',
    });
    await appendEvents(store, [{ ...placed, metadata: { ...placed.metadata, Imported: true } }]);
    await settle();
    expect(await processOf(orderId)).toBeUndefined();
    expect(await pendingTimersOf(orderId)).toEqual([]);
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { parseSettings } from '../../src/config.ts';
import { type RecordedEmail, listEmails } from '../../src/contexts/notifications/email-log.ts';
import { REGISTRATION_EMAILS, notificationHandlers } from '../../src/contexts/notifications/handlers.ts';
import { REFUND_REASON_WORDS } from '../../src/contexts/notifications/registration-emails.ts';
import { catalogueProjection } from '../../src/contexts/registration/catalogue/projection.ts';
import type { LoggedMessage, Message } from '../../src/platform/messages/envelope.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { HandlerContext, type MessageHandler } from '../../src/platform/processing/handler.ts';
import { silentLogger } from '../../src/platform/processing/logger.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import { Store } from '../../src/platform/store/store.ts';
import {
  type PublishedConference,
  appendEvents,
  conferenceEvent,
  conferenceSnapshot,
  createConference,
  seatEvent,
  seatSnapshot,
} from '../support/conference-events.ts';
import { eventually } from '../support/eventually.ts';
import { assignmentsStream, orderStream, paymentStream } from '../support/registration-events.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

/**
 * The e-mails Registration and Payments events cause (DOMAIN 3.4), recorded by the real handler fed
 * real events through a real Processing, next to the real catalogue projection.
 */

const PUBLIC_URL = 'https://tickets.example.com';
const registry = createMessageRegistry();
const settings = parseSettings({ PUBLIC_URL });
const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };
const alan = { firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com' };
const grace = { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' };
const OWNER = 'olivia@example.com';

describe.each(STORE_KINDS)('registration e-mails on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;
  let handler: MessageHandler;
  let processing: Processing;
  let conference: PublishedConference;
  let slug: string;
  let ga: string;
  let ws: string;

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS });
  });
  afterAll(async () => {
    await store.close();
    await location.drop();
  });

  beforeEach(async () => {
    // Each test counts the e-mails it caused.
    await store.db.deleteFrom('emails' as never).execute();
    [handler] = notificationHandlers({ settings, store, registry, logger: silentLogger });
    processing = new Processing(store, registry, [catalogueProjection, handler], { idleCheckMs: 500, retry: { baseDelayMs: 10 } });
    processing.start();
    slug = `summit_${newId().slice(-8)}`;
    conference = await createConference(store, {
      conference: { name: 'CQRS Summit', slug, startDate: '2030-06-12', endDate: '2030-06-14' },
      seats: [
        { name: 'General admission', price: 19_900 },
        { name: 'Workshop', price: 50_000 },
      ],
    });
    [ga, ws] = conference.seatTypeIds;
    await expect(processing.waitFor(catalogueProjection.name, conference.position, 10_000)).resolves.toBe(true);
  });
  afterEach(() => processing.stop());

  /** Appends the events and waits until the e-mail handler has passed them. */
  async function feed(...events: Message[]): Promise<LoggedMessage[]> {
    const written = await appendEvents(store, events);
    await expect(processing.waitFor(REGISTRATION_EMAILS, written.at(-1)!.metadata.position, 10_000)).resolves.toBe(true);
    return written;
  }

  async function emailsOf(trigger: Message): Promise<RecordedEmail[]> {
    const page = await listEmails(store.db, { triggerIds: [trigger.metadata.messageId], limit: 100 });
    return page!.emails.sort((a, b) => a.to.localeCompare(b.to));
  }

  const line = (seatType: string, unitPrice: number, quantity: number) => ({ seatType, unitPrice, quantity, lineTotal: unitPrice * quantity });

  /** A paid order of GA2 + WS1 ($898.00), first priced and registered differently, up to its confirmation. */
  function paidOrder(accessCode: string) {
    const orderId = newId();
    const paymentId = newId();
    const order = orderStream(orderId);
    const payment = paymentStream(paymentId, orderId);
    const seats = [
      { seatType: ga, quantity: 2 },
      { seatType: ws, quantity: 1 },
    ];
    const reserved = { reservationExpiration: '2030-01-01T10:15:00.000Z', seats };
    const events = [
      order.next('OrderPlaced', { conferenceId: conference.id, seats, reservationAutoExpiration: reserved.reservationExpiration, accessCode }),
      order.next('OrderPartiallyReserved', { ...reserved, seats: [seats[0]] }),
      order.next('OrderTotalsCalculated', { total: 39_800, lines: [line(ga, 19_900, 2)], isFreeOfCharge: false }),
      order.next('OrderReservationCompleted', reserved),
      order.next('OrderTotalsCalculated', { total: 89_800, lines: [line(ga, 19_900, 2), line(ws, 50_000, 1)], isFreeOfCharge: false }),
      order.next('OrderRegistrantAssigned', { ...ada, email: 'ada.old@example.com' }),
      order.next('OrderRegistrantAssigned', ada),
      payment.next('PaymentInitiated', {
        paymentSourceId: orderId,
        conferenceId: conference.id,
        amount: 89_800,
        description: 'Registration for CQRS Summit',
        items: [],
      }),
      payment.next('PaymentCompleted', { paymentSourceId: orderId, amount: 89_800 }),
    ];
    const confirmed = order.next('OrderConfirmed', { paymentId });
    return { orderId, paymentId, order, payment, events, confirmed };
  }

  /** No e-mail shows ids or message names. */
  function expectNoInternals(email: RecordedEmail, ...ids: string[]) {
    for (const internal of [...ids, conference.id, ga, ws, 'OrderConfirmed', 'SeatAssigned', 'PaymentRefunded', 'OrderExpired']) {
      expect(email.body, internal).not.toContain(internal);
      expect(email.subject, internal).not.toContain(internal);
    }
  }

  it('OrderConfirmed: the registrant gets the conference, order number, latest lines and total, and the locate link', async () => {
    const { orderId, paymentId, events, confirmed } = paidOrder('AB12CD');
    await feed(...events, confirmed);

    const [email] = await emailsOf(confirmed);
    expect(await emailsOf(confirmed)).toHaveLength(1);
    expect(email).toMatchObject({ to: ada.email, status: 'queued', subject: expect.stringContaining('CQRS Summit') });
    expect(email.subject).toContain('order #AB12CD');
    expect(email.body).toContain('Hello Ada Lovelace,');
    expect(email.body).toContain('2 × General admission at $199.00: $398.00');
    expect(email.body).toContain('1 × Workshop at $500.00: $500.00');
    expect(email.body).toContain('Total: $898.00');
    expect(email.body).toContain(`"Locate registration" at ${PUBLIC_URL}/${slug}/order/find`);
    expectNoInternals(email, orderId, paymentId);
    // Nothing went to the registrant's earlier address, nor for any other event of the order.
    expect((await listEmails(store.db, { recipients: ['ada.old@example.com'], limit: 10 }))!.emails).toEqual([]);
  });

  it('records one e-mail per trigger and recipient when an event is delivered again', async () => {
    const { events, confirmed } = paidOrder('AB12CD');
    const [written] = (await feed(...events, confirmed)).slice(-1);
    await store.transaction((tx) => handler.handle(written, new HandlerContext(store, registry, tx, written)));
    await store.transaction((tx) => handler.handle(written, new HandlerContext(store, registry, tx, written)));
    expect(await emailsOf(confirmed)).toHaveLength(1);
  });

  it('a replay records nothing', async () => {
    const { events, confirmed } = paidOrder('AB12CD');
    await feed(...events);
    // Handed to the handler only: in the log, the running subscription would e-mail it.
    const replayed = { ...confirmed, metadata: { ...confirmed.metadata, position: 1 } };
    await store.transaction((tx) => handler.handle(replayed, new HandlerContext(store, registry, tx, replayed, true)));
    expect(await emailsOf(confirmed)).toEqual([]);
  });

  it('SeatAssigned: the new attendee gets the conference, its dates, the seat type and who assigned it; updates and unassignments send none', async () => {
    const { orderId, events, confirmed } = paidOrder('AB12CD');
    const assignmentsId = newId();
    const seats = assignmentsStream(assignmentsId, orderId);
    const created = seats.next('SeatAssignmentsCreated', {
      orderId,
      conferenceId: conference.id,
      seats: [
        { position: 0, seatType: ga },
        { position: 1, seatType: ga },
        { position: 2, seatType: ws },
      ],
    });
    const toAlan = seats.next('SeatAssigned', { position: 2, seatType: ws, attendee: alan });
    const renamed = seats.next('SeatAssignmentUpdated', { position: 2, attendee: { ...alan, firstName: 'Alan M.' } });
    const unassigned = seats.next('SeatUnassigned', { position: 2 });
    const toGrace = seats.next('SeatAssigned', { position: 2, seatType: ws, attendee: grace });
    await feed(...events, confirmed, created, toAlan, renamed, unassigned, toGrace);

    const [alanEmail] = await emailsOf(toAlan);
    expect(await emailsOf(toAlan)).toHaveLength(1);
    expect(alanEmail).toMatchObject({ to: alan.email, subject: 'Your seat at CQRS Summit' });
    expect(alanEmail.body).toContain('Hello Alan Turing,');
    expect(alanEmail.body).toContain('Ada Lovelace has assigned you a seat at CQRS Summit.');
    expect(alanEmail.body).toContain('Dates: Jun 12 – Jun 14, 2030');
    expect(alanEmail.body).toContain('Seat: Workshop');
    expectNoInternals(alanEmail, orderId, assignmentsId);
    expect(await emailsOf(toGrace)).toEqual([expect.objectContaining({ to: grace.email, subject: 'Your seat at CQRS Summit' })]);
    expect(await emailsOf(renamed)).toEqual([]);
    expect(await emailsOf(unassigned)).toEqual([]);
    const all = (await listEmails(store.db, { limit: 100 }))!.emails;
    expect(all.map((email) => email.to).sort()).toEqual([ada.email, alan.email, grace.email]);
  });

  it('PaymentRefunded: the registrant and the owner get the order number, the amount and the reason in words', async () => {
    const { orderId, paymentId, order, payment, events } = paidOrder('AB12CD');
    const refunded = payment.next('PaymentRefunded', { paymentSourceId: orderId, amount: 89_800, reason: 'OrderExpired' });
    await feed(...events, order.next('OrderExpired', {}), refunded);

    const [registrant, owner] = await emailsOf(refunded);
    expect(await emailsOf(refunded)).toHaveLength(2);
    for (const email of [registrant, owner]) {
      expect(email.subject).toBe('Refund of $898.00 for order #AB12CD (CQRS Summit)');
      expect(email.body).toContain('the reservation expired before the payment completed');
      expect(email.body).toContain('$898.00');
      expectNoInternals(email, orderId, paymentId);
    }
    expect(registrant.to).toBe(ada.email);
    expect(registrant.body).toContain('Hello Ada Lovelace,');
    expect(registrant.body).toContain('your order #AB12CD for CQRS Summit');
    expect(owner.to).toBe(OWNER);
    expect(owner.body).toContain('Hello Olivia Owner,');
    expect(owner.body).toContain('Order: #AB12CD');
    expect(owner.body).toContain('Registrant: Ada Lovelace (ada@example.com)');
    expect(owner.body).toContain('Amount refunded: $898.00');
  });

  it('PaymentRefunded for a payment of no order: only the owner is told', async () => {
    const orderId = newId();
    const payment = paymentStream(newId(), orderId);
    const initiated = payment.next('PaymentInitiated', {
      paymentSourceId: orderId,
      conferenceId: conference.id,
      amount: 1_050,
      description: 'Registration for CQRS Summit',
      items: [],
    });
    const refunded = payment.next('PaymentRefunded', { paymentSourceId: orderId, amount: 1_050, reason: 'OrderNotFound' });
    await feed(initiated, payment.next('PaymentCompleted', { paymentSourceId: orderId, amount: 1_050 }), refunded);

    const emails = await emailsOf(refunded);
    expect(emails).toEqual([expect.objectContaining({ to: OWNER, subject: 'Refund of $10.50 for a payment (CQRS Summit)' })]);
    expect(emails[0].body).toContain(`Reason: ${REFUND_REASON_WORDS.OrderNotFound}.`);
    expect(emails[0].body).toContain('Order: none');
  });

  it('imported events send nothing', async () => {
    const { orderId, order, events, confirmed } = paidOrder('AB12CD');
    const seats = assignmentsStream(newId(), orderId);
    const assigned = [
      seats.next('SeatAssignmentsCreated', { orderId, conferenceId: conference.id, seats: [{ position: 0, seatType: ga }] }),
      seats.next('SeatAssigned', { position: 0, seatType: ga, attendee: alan }),
    ];
    const refund = paidOrder('ZZ99ZZ');
    const refunded = refund.payment.next('PaymentRefunded', { paymentSourceId: refund.orderId, amount: 89_800, reason: 'DuplicatePayment' });
    const imported = [...events, confirmed, ...assigned, ...refund.events, refunded];
    for (const event of imported) event.metadata.Imported = true;
    await feed(...imported, order.next('OrderExpired', {}));
    expect((await listEmails(store.db, { limit: 100 }))!.emails).toEqual([]);
  });

  it('waits for the catalogue: an order of a conference it does not know yet is e-mailed once the conference arrives, never with gaps', async () => {
    const unknown = { id: newId(), seat: newId() };
    const orderId = newId();
    const order = orderStream(orderId);
    const seats = [{ seatType: unknown.seat, quantity: 1 }];
    const placed = [
      order.next('OrderPlaced', { conferenceId: unknown.id, seats, reservationAutoExpiration: '2030-01-01T10:15:00.000Z', accessCode: 'FREE11' }),
      order.next('OrderReservationCompleted', { reservationExpiration: '2030-01-01T10:15:00.000Z', seats }),
      order.next('OrderTotalsCalculated', { total: 0, lines: [line(unknown.seat, 0, 1)], isFreeOfCharge: true }),
      order.next('OrderRegistrantAssigned', ada),
    ];
    const confirmed = order.next('OrderConfirmed', {});
    await appendEvents(store, [...placed, confirmed]);
    const [letter] = await eventually(async () => {
      const letters = await processing.deadLetters.list({ handler: REGISTRATION_EMAILS });
      return letters.length > 0 && letters;
    });
    expect(letter).toMatchObject({ messageId: confirmed.metadata.messageId, error: expect.stringContaining('not in the catalogue yet') });
    expect(await emailsOf(confirmed)).toEqual([]);

    const written = await appendEvents(store, [
      conferenceEvent('ConferenceCreated', unknown.id, 0, conferenceSnapshot({ name: 'Late Conf', slug: `late_${newId().slice(-8)}` })),
      seatEvent('SeatCreated', unknown.seat, 0, seatSnapshot(unknown.id, { name: 'Community pass', price: 0 })),
    ]);
    await expect(processing.waitFor(catalogueProjection.name, written.at(-1)!.metadata.position, 10_000)).resolves.toBe(true);
    expect(await processing.deadLetters.retry({ ids: [letter.id] })).toBe(1);
    await eventually(async () => (await emailsOf(confirmed)).length === 1);
    const [email] = await emailsOf(confirmed);
    expect(email.body).toContain('1 × Community pass at $0.00: $0.00');
    expect(email.body).toContain('Total: $0.00');
  });

});

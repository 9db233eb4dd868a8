/**
 * Writes stores in the V1 layout (V1-LAYOUT.md) with the DDL of `fixtures/v1-schema.sql`, for
 * import tests of shapes the sample does not have: seat types deleted after their quota was set,
 * partial reservations, free orders, orders without a registrant, queued commands.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

export const V1_SCHEMA = '/work/shared/fixtures/v1-schema.sql';

type Seats = Record<string, number>;

const typeOf = (name: string, assembly = 'Registration') => `Registration.Events.${name}, ${assembly}`;
const seatList = (seats: Seats) => Object.entries(seats).map(([SeatType, Quantity]) => ({ $type: 'Registration.SeatQuantity, Registration', SeatType, Quantity }));

export interface V1OrderSpec {
  conferenceId: string;
  seats: Seats;
  /** Unit prices in dollars (as V1 wrote them), per seat type. */
  prices: Record<string, number>;
  registrant?: { firstName: string; lastName: string; email: string };
  outcome: 'confirmed' | 'legacy-confirmed' | 'expired' | 'pending' | 'payment-queued';
  /** Hold end; default: in the past. */
  expiration?: Date;
  accessCode?: string;
}

export class V1StoreBuilder {
  readonly #db: Database.Database;
  readonly #versions = new Map<string, number>();
  /** Remaining per conference and seat type, as V1's availability folded it. */
  readonly #remaining = new Map<string, Map<string, number>>();
  #clock = Date.parse('2013-03-01T10:00:00.000Z');

  constructor(readonly file: string) {
    this.#db = new Database(file);
    this.#db.exec(readFileSync(V1_SCHEMA, 'utf8'));
  }

  close(): void {
    this.#db.close();
  }

  /** A statement of V1's own (a later change to a V1 row). */
  sql(text: string, ...params: unknown[]): void {
    this.#db.prepare(text).run(...params);
  }

  /** V1's availability event for a quota change of a seat type (signed delta). */
  quotaChange(conferenceId: string, seatType: string, delta: number): void {
    this.event('SeatsAvailability', conferenceId, 'AvailableSeatsChanged', { Seats: seatList({ [seatType]: delta }) });
    const remaining = this.#remaining.get(conferenceId)!;
    remaining.set(seatType, (remaining.get(seatType) ?? 0) + delta);
  }

  /** Runs `work` in one transaction (fast generation of large stores). */
  batch(work: () => void): void {
    this.#db.transaction(work)();
  }

  #tick(): string {
    this.#clock += 5000;
    return new Date(this.#clock).toISOString();
  }

  event(aggregateType: string, aggregateId: string, type: string, fields: Record<string, unknown>, assembly?: string): void {
    const key = `${aggregateType}/${aggregateId}`;
    const version = (this.#versions.get(key) ?? -1) + 1;
    this.#versions.set(key, version);
    const payload = { $type: typeOf(type, assembly), ...fields, SourceId: aggregateId, Version: version };
    this.#db
      .prepare('INSERT INTO Events_Events (AggregateId, AggregateType, Version, Payload, Timestamp) VALUES (?, ?, ?, ?, ?)')
      .run(aggregateId, aggregateType, version, JSON.stringify(payload), this.#tick());
  }

  conference(fields: { slug: string; name?: string; accessCode?: string | null; ownerEmail?: string; published: boolean; wasEverPublished: boolean }): string {
    const id = randomUUID();
    this.#db
      .prepare(
        `INSERT INTO ConferenceManagement_Conferences (Id, AccessCode, OwnerName, OwnerEmail, Name, Description, Location, Slug, Tagline, TwitterSearch, StartDate, EndDate, IsPublished, WasEverPublished)
         VALUES (?, ?, 'Olivia Owner', ?, ?, 'A V1 conference', 'Seattle', ?, NULL, NULL, '2013-06-10T00:00:00', '2013-06-12T00:00:00', ?, ?)`,
      )
      .run(id, fields.accessCode === undefined ? 'ABC234' : fields.accessCode, fields.ownerEmail ?? 'olivia@example.com', fields.name ?? fields.slug, fields.slug, fields.published ? 1 : 0, fields.wasEverPublished ? 1 : 0);
    this.#remaining.set(id, new Map());
    return id;
  }

  /** A seat type row (price in dollars, written as V1's NUMERIC); `quota` also writes V1's availability event. */
  seatType(conferenceId: string, fields: { name: string; quantity: number; price: number }, options: { quota?: boolean; row?: boolean } = {}): string {
    const id = randomUUID();
    if (options.row !== false) {
      this.#db
        .prepare('INSERT INTO ConferenceManagement_SeatTypes (Id, ConferenceInfo_Id, Name, Description, Quantity, Price) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, conferenceId, fields.name, `${fields.name} pass`, fields.quantity, fields.price);
    }
    if (options.quota !== false) {
      this.event('SeatsAvailability', conferenceId, 'AvailableSeatsChanged', { Seats: seatList({ [id]: fields.quantity }) });
      this.#remaining.get(conferenceId)!.set(id, fields.quantity);
    }
    return id;
  }

  /** An order's V1 history: placed, reserved (partially when seats run out), priced, and its outcome. */
  order(spec: V1OrderSpec): { orderId: string; reservationId: string; reserved: Seats } {
    const orderId = randomUUID();
    const reservationId = randomUUID();
    const expiration = (spec.expiration ?? new Date('2013-03-01T10:15:00.000Z')).toISOString();
    const remaining = this.#remaining.get(spec.conferenceId)!;
    this.event('Order', orderId, 'OrderPlaced', {
      ConferenceId: spec.conferenceId,
      Seats: seatList(spec.seats),
      ReservationAutoExpiration: expiration,
      AccessCode: spec.accessCode ?? code(),
    });
    const reserved: Seats = {};
    for (const [seatType, wanted] of Object.entries(spec.seats)) reserved[seatType] = Math.min(wanted, Math.max(remaining.get(seatType) ?? 0, 0));
    const changes = Object.fromEntries(Object.entries(reserved).filter(([, n]) => n > 0).map(([seatType, n]) => [seatType, -n]));
    for (const [seatType, delta] of Object.entries(changes)) remaining.set(seatType, (remaining.get(seatType) ?? 0) + delta);
    const held = Object.fromEntries(Object.entries(reserved).filter(([, n]) => n > 0));
    this.event('SeatsAvailability', spec.conferenceId, 'SeatsReserved', { ReservationId: reservationId, ReservationDetails: seatList(held), AvailableSeatsChanged: seatList(changes) });
    const complete = Object.entries(spec.seats).every(([seatType, wanted]) => reserved[seatType] === wanted);
    this.event('Order', orderId, complete ? 'OrderReservationCompleted' : 'OrderPartiallyReserved', { ReservationExpiration: expiration, Seats: seatList(reserved) });
    const lines = Object.entries(held).map(([seatType, quantity]) => ({
      $type: 'Registration.Contracts.SeatOrderLine, Registration.Contracts',
      SeatType: seatType,
      UnitPrice: spec.prices[seatType],
      Quantity: quantity,
      LineTotal: Math.round(spec.prices[seatType] * quantity * 100) / 100,
    }));
    const total = Math.round(lines.reduce((sum, line) => sum + line.LineTotal * 100, 0)) / 100;
    this.event('Order', orderId, 'OrderTotalsCalculated', { Total: total, Lines: lines });
    if (spec.registrant) {
      const { firstName, lastName, email } = spec.registrant;
      this.event('Order', orderId, 'OrderRegistrantAssigned', { FirstName: firstName, LastName: lastName, Email: email });
    }
    const completed = spec.outcome === 'confirmed' || spec.outcome === 'legacy-confirmed' || spec.outcome === 'expired';
    if (spec.outcome === 'confirmed' || spec.outcome === 'legacy-confirmed') {
      this.event('Order', orderId, spec.outcome === 'confirmed' ? 'OrderConfirmed' : 'OrderPaymentConfirmed', {});
      this.event('SeatsAvailability', spec.conferenceId, 'SeatsReservationCommitted', { ReservationId: reservationId });
    } else if (spec.outcome === 'expired') {
      const back = Object.fromEntries(Object.entries(held).map(([seatType, n]) => [seatType, n]));
      for (const [seatType, n] of Object.entries(back)) remaining.set(seatType, (remaining.get(seatType) ?? 0) + n);
      this.event('SeatsAvailability', spec.conferenceId, 'SeatsReservationCancelled', { ReservationId: reservationId, AvailableSeatsChanged: seatList(back) });
      this.event('Order', orderId, 'OrderExpired', {});
    }
    this.#db
      .prepare(
        'INSERT INTO ConferenceRegistrationProcesses_RegistrationProcess (Id, Completed, ConferenceId, OrderId, ReservationId, ReservationAutoExpiration, ExpirationCommandId, StateValue) VALUES (?, ?, ?, ?, ?, ?, ?, 2)',
      )
      .run(randomUUID(), completed ? 1 : 0, spec.conferenceId, orderId, reservationId, expiration, randomUUID());
    if (!completed) this.command({ $type: 'Registration.Commands.ExpireRegistrationProcess, Registration', Id: randomUUID(), ProcessId: orderId }, expiration);
    if (total > 0 && spec.outcome !== 'expired' && spec.outcome !== 'pending') this.payment(orderId, total, spec.outcome === 'payment-queued' || completed ? 2 : 0);
    if (spec.outcome === 'payment-queued') this.command({ $type: 'Registration.Commands.ConfirmOrderPayment, Registration', Id: randomUUID(), OrderId: orderId });
    return { orderId, reservationId, reserved };
  }

  payment(orderId: string, total: number, stateValue: number): string {
    const id = randomUUID();
    this.#db
      .prepare('INSERT INTO ConferencePayments_ThirdPartyProcessorPayments (Id, StateValue, PaymentSourceId, Description, TotalAmount) VALUES (?, ?, ?, ?, ?)')
      .run(id, stateValue, orderId, 'Registration for a conference', total);
    return id;
  }

  command(body: Record<string, unknown>, deliveryDate: string | null = null): void {
    this.#db.prepare('INSERT INTO SqlBus_Commands (Body, DeliveryDate) VALUES (?, ?)').run(JSON.stringify(body), deliveryDate);
  }
}

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ123456789';
function code(): string {
  return Array.from({ length: 6 }, () => ALPHABET[Math.floor(Math.random() * ALPHABET.length)]).join('');
}

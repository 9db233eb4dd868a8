/**
 * What the import needs to know about the V1 event streams before copying them: the values the
 * upcasters cannot compute event by event (DOMAIN 7.5 step 3: `remaining` from folding each
 * availability stream, the conference of each `SeatAssignmentsCreated`), each order's outcome and
 * hold, and each conference's pending reservations (steps 5 and 8).
 */
import type { V1Derived } from './upcasters.ts';
import type { V1Store } from './v1-store.ts';

export interface V1Order {
  orderId: string;
  conferenceId: string;
  reservationAutoExpiration: string;
  outcome: 'Confirmed' | 'Expired' | null;
  /** A reservation reply reached the order (`OrderReservationCompleted` or `…PartiallyReserved`). */
  reservationReceived: boolean;
  /** Lines of its latest `OrderTotalsCalculated` (seat type → quantity). */
  pricedSeats: Map<string, number>;
  lastVersion: number;
  /** Storage time of its last V1 event. */
  lastTimestamp: string;
}

export interface V1Availability {
  conferenceId: string;
  /** Seat type → remaining, folded over the whole stream. */
  remaining: Map<string, number>;
  /** Seat type → quota (sum of the `AvailableSeatsChanged` deltas). */
  quota: Map<string, number>;
  /** Reservation id → seats held (seat type → quantity). */
  pending: Map<string, Map<string, number>>;
  lastVersion: number;
}

export interface V1History {
  orders: Map<string, V1Order>;
  availability: Map<string, V1Availability>;
  /** `<AggregateType>_<AggregateId>_<Version>` → metadata `Derived` of that entry. */
  derived: Map<string, V1Derived>;
  /** Assignments id → order id. */
  assignmentsOrders: Map<string, string>;
  /** Seat types some V1 availability event mentions. */
  mentionedSeatTypes: Set<string>;
}

interface V1SeatQuantity {
  SeatType: string;
  Quantity: number;
}

function seatsOf(value: unknown): V1SeatQuantity[] {
  return Array.isArray(value) ? (value as V1SeatQuantity[]) : [];
}

export function eventKey(aggregateType: string, aggregateId: string, version: number): string {
  return `${aggregateType}_${aggregateId}_${version}`;
}

export function readHistory(v1: V1Store): V1History {
  const history: V1History = {
    orders: new Map(),
    availability: new Map(),
    derived: new Map(),
    assignmentsOrders: new Map(),
    mentionedSeatTypes: new Set(),
  };
  foldOrders(v1, history);
  foldAvailability(v1, history);
  for (const event of v1.eventsOf('SeatAssignments')) {
    if (event.type !== 'SeatAssignmentsCreated') continue;
    const orderId = String(event.payload.OrderId);
    history.assignmentsOrders.set(event.aggregateId, orderId);
    const conferenceId = history.orders.get(orderId)?.conferenceId;
    if (conferenceId !== undefined) history.derived.set(eventKey(event.aggregateType, event.aggregateId, event.version), { conferenceId });
  }
  return history;
}

function foldOrders(v1: V1Store, history: V1History): void {
  for (const event of v1.eventsOf('Order')) {
    const { payload } = event;
    if (event.type === 'OrderPlaced') {
      history.orders.set(event.aggregateId, {
        orderId: event.aggregateId,
        conferenceId: String(payload.ConferenceId),
        reservationAutoExpiration: String(payload.ReservationAutoExpiration),
        outcome: null,
        reservationReceived: false,
        pricedSeats: new Map(),
        lastVersion: event.version,
        lastTimestamp: event.timestamp,
      });
      continue;
    }
    const order = history.orders.get(event.aggregateId);
    if (!order) continue;
    order.lastVersion = event.version;
    order.lastTimestamp = event.timestamp;
    switch (event.type) {
      case 'OrderReservationCompleted':
      case 'OrderPartiallyReserved':
        order.reservationReceived = true;
        break;
      case 'OrderUpdated':
        order.reservationReceived = false;
        break;
      case 'OrderTotalsCalculated':
        order.pricedSeats = new Map(seatsOf(payload.Lines).map((line) => [line.SeatType, Number(line.Quantity)]));
        break;
      case 'OrderPaymentConfirmed':
      case 'OrderConfirmed':
        order.outcome = 'Confirmed';
        break;
      case 'OrderExpired':
        if (order.outcome === null) order.outcome = 'Expired';
        break;
    }
  }
}

function foldAvailability(v1: V1Store, history: V1History): void {
  for (const event of v1.eventsOf('SeatsAvailability')) {
    let stream = history.availability.get(event.aggregateId);
    if (!stream) {
      stream = { conferenceId: event.aggregateId, remaining: new Map(), quota: new Map(), pending: new Map(), lastVersion: -1 };
      history.availability.set(event.aggregateId, stream);
    }
    stream.lastVersion = event.version;
    const { payload } = event;
    const changes = event.type === 'AvailableSeatsChanged' ? seatsOf(payload.Seats) : seatsOf(payload.AvailableSeatsChanged);
    for (const change of changes) {
      history.mentionedSeatTypes.add(change.SeatType);
      stream.remaining.set(change.SeatType, (stream.remaining.get(change.SeatType) ?? 0) + Number(change.Quantity));
      if (event.type === 'AvailableSeatsChanged') stream.quota.set(change.SeatType, (stream.quota.get(change.SeatType) ?? 0) + Number(change.Quantity));
    }
    const reservationId = String(payload.ReservationId ?? '');
    switch (event.type) {
      case 'SeatsReserved': {
        const details = seatsOf(payload.ReservationDetails).filter((seat) => Number(seat.Quantity) > 0);
        for (const seat of details) history.mentionedSeatTypes.add(seat.SeatType);
        if (details.length === 0) stream.pending.delete(reservationId);
        else stream.pending.set(reservationId, new Map(details.map((seat) => [seat.SeatType, Number(seat.Quantity)])));
        break;
      }
      case 'SeatsReservationCommitted':
      case 'SeatsReservationCancelled':
        stream.pending.delete(reservationId);
        break;
    }
    if (event.type === 'AvailableSeatsChanged' || event.type === 'SeatsReserved' || event.type === 'SeatsReservationCancelled') {
      const remaining = changes.map((change) => ({ seatType: change.SeatType, quantity: stream.remaining.get(change.SeatType) ?? 0 }));
      history.derived.set(eventKey(event.aggregateType, event.aggregateId, event.version), { remaining });
    }
  }
}

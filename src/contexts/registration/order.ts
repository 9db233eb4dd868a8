/**
 * The Order aggregate (DOMAIN 3.2.3) as a pure decider. An order ends in exactly one of Confirmed or
 * Expired; its hold end (`reservationAutoExpiration`) is fixed when it is placed and never extended.
 */
import { type Aggregate, DomainError } from '../../platform/processing/commands.ts';
import type { MessageOf, MessagesOf } from '../shared/typed-messages.ts';
import type * as Commands from './commands.ts';
import { ORDER_SOURCE, type OrderEvents, type OrderLine, type PersonalInfo, type SeatQuantity } from './contract.ts';
import { validPersonalInfo } from './personal-info.ts';
import { priceOrder, type SeatPrice } from './pricing.ts';

export type OrderStatus = 'PendingReservation' | 'PartiallyReserved' | 'ReservationCompleted' | 'Confirmed' | 'Expired';

export interface OrderState {
  status: OrderStatus | 'None';
  conferenceId: string;
  /** The latest request (quantities > 0 only). */
  seats: SeatQuantity[];
  /** What the latest reservation obtained (quantities > 0 only). */
  reservedSeats: SeatQuantity[];
  /** ISO instant: the hold end. Empty until placed. */
  reservationAutoExpiration: string;
  lines: OrderLine[];
  total: number;
  isFreeOfCharge: boolean;
  registrant: PersonalInfo | null;
  accessCode: string;
}

export const MAX_SEATS_PER_TYPE = 20;
export const INVALID_REGISTRATION = 'Invalid registration.';
export const ITEMS_REQUIRED = 'One or more items are required.';
export const TOO_MANY_SEATS = `You can order at most ${MAX_SEATS_PER_TYPE} seats of each type.`;
export const UNKNOWN_ORDER = 'This order does not exist.';
export const OTHER_CONFERENCE = 'This order belongs to another conference.';
export const ORDER_CONFIRMED = 'This order is already confirmed.';
export const ORDER_EXPIRED = 'This order has expired.';
export const HOLD_ENDED = 'The hold on these seats has ended.';

/** Handler-supplied, never logged: the time of handling (ISO) and the conference's hold length. */
export type RegisterToConference = {
  type: 'RegisterToConference';
  data: Commands.RegisterToConference & { now: string; holdSeconds: number };
};
/** Handler-supplied: the unit prices of the conference's seat types, in seat-type creation order. */
export type MarkSeatsAsReserved = { type: 'MarkSeatsAsReserved'; data: Commands.MarkSeatsAsReserved & { prices: SeatPrice[] } };
export type AssignRegistrantDetails = { type: 'AssignRegistrantDetails'; data: Commands.AssignRegistrantDetails };
export type ConfirmOrder = { type: 'ConfirmOrder'; data: Commands.ConfirmOrder };
export type RejectOrder = { type: 'RejectOrder'; data: Commands.RejectOrder };
export type OrderCommand = RegisterToConference | MarkSeatsAsReserved | AssignRegistrantDetails | ConfirmOrder | RejectOrder;

export type OrderEvent = MessagesOf<typeof OrderEvents>;
type Event<K extends OrderEvent['type']> = MessageOf<typeof OrderEvents, K>;

const initialState: OrderState = {
  status: 'None',
  conferenceId: '',
  seats: [],
  reservedSeats: [],
  reservationAutoExpiration: '',
  lines: [],
  total: 0,
  isFreeOfCharge: false,
  registrant: null,
  accessCode: '',
};

const isFinal = (status: OrderState['status']) => status === 'Confirmed' || status === 'Expired';

/** The seat-request rules of DOMAIN 3.2.1 the order itself can check; returns the lines asked for. */
export function validSeatRequest(seats: readonly SeatQuantity[]): SeatQuantity[] {
  const seatTypes = new Set(seats.map((seat) => seat.seatType));
  if (seatTypes.size !== seats.length || seats.some((seat) => seat.quantity < 0)) throw new DomainError(INVALID_REGISTRATION);
  const requested = seats.filter((seat) => seat.quantity > 0);
  if (requested.length === 0) throw new DomainError(ITEMS_REQUIRED);
  if (requested.some((seat) => seat.quantity > MAX_SEATS_PER_TYPE)) throw new DomainError(TOO_MANY_SEATS);
  return requested.map(({ seatType, quantity }) => ({ seatType, quantity }));
}

function register({ data }: RegisterToConference, state: OrderState): OrderEvent[] {
  const seats = validSeatRequest(data.seats);
  if (state.status === 'None') {
    const reservationAutoExpiration = new Date(Date.parse(data.now) + data.holdSeconds * 1000).toISOString();
    const placed: Event<'OrderPlaced'> = {
      type: 'OrderPlaced',
      data: { conferenceId: data.conferenceId, seats, reservationAutoExpiration, accessCode: data.accessCode },
    };
    return [placed];
  }
  if (state.status === 'Confirmed') throw new DomainError(ORDER_CONFIRMED);
  if (state.status === 'Expired') throw new DomainError(ORDER_EXPIRED);
  if (data.conferenceId !== state.conferenceId) throw new DomainError(OTHER_CONFERENCE);
  if (Date.parse(data.now) >= Date.parse(state.reservationAutoExpiration)) throw new DomainError(HOLD_ENDED);
  return [{ type: 'OrderUpdated', data: { seats } }];
}

/** "Complete" when every requested line got exactly its quantity. */
function markSeatsAsReserved({ data }: MarkSeatsAsReserved, state: OrderState): OrderEvent[] {
  if (state.status === 'None') throw new DomainError(UNKNOWN_ORDER);
  // A late reservation reply for a finished order changes nothing and is no error.
  if (isFinal(state.status)) return [];
  const reserved = data.seats.filter((seat) => seat.quantity > 0).map(({ seatType, quantity }) => ({ seatType, quantity }));
  const got = (seatType: string) => reserved.find((seat) => seat.seatType === seatType)?.quantity ?? 0;
  const complete = state.seats.every((seat) => got(seat.seatType) === seat.quantity);
  const reservation = { reservationExpiration: data.expiration, seats: reserved };
  return [
    { type: complete ? 'OrderReservationCompleted' : 'OrderPartiallyReserved', data: reservation },
    { type: 'OrderTotalsCalculated', data: priceOrder(reserved, data.prices) },
  ];
}

function assignRegistrant({ data }: AssignRegistrantDetails, state: OrderState): OrderEvent[] {
  if (state.status === 'None') throw new DomainError(UNKNOWN_ORDER);
  if (state.status === 'Expired') throw new DomainError(ORDER_EXPIRED);
  const { firstName, lastName, email } = data;
  return [{ type: 'OrderRegistrantAssigned', data: validPersonalInfo({ firstName, lastName, email }) }];
}

function confirm({ data }: ConfirmOrder, state: OrderState): OrderEvent[] {
  if (state.status === 'None') throw new DomainError(UNKNOWN_ORDER);
  if (state.status === 'Confirmed') return [];
  const payment = data.paymentId === undefined ? {} : { paymentId: data.paymentId };
  const reject = (reason: Event<'OrderConfirmationRejected'>['data']['reason']): OrderEvent[] => [
    { type: 'OrderConfirmationRejected', data: { ...payment, reason } },
  ];
  if (state.status === 'Expired') return reject('OrderExpired');
  if (state.status !== 'ReservationCompleted') return reject('ReservationNotComplete');
  const paid = data.paymentId === undefined ? 0 : data.paidAmount;
  if (paid !== state.total) return reject('AmountMismatch');
  return [{ type: 'OrderConfirmed', data: payment }];
}

function decide(command: OrderCommand, state: OrderState): OrderEvent[] {
  switch (command.type) {
    case 'RegisterToConference':
      return register(command, state);
    case 'MarkSeatsAsReserved':
      return markSeatsAsReserved(command, state);
    case 'AssignRegistrantDetails':
      return assignRegistrant(command, state);
    case 'ConfirmOrder':
      return confirm(command, state);
    case 'RejectOrder':
      // Unknown, confirmed or expired: nothing to expire, and no error (no dead letter).
      return state.status === 'None' || isFinal(state.status) ? [] : [{ type: 'OrderExpired', data: {} }];
  }
}

function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderPlaced': {
      const { conferenceId, seats, reservationAutoExpiration, accessCode } = event.data;
      return { ...state, status: 'PendingReservation', conferenceId, seats, reservationAutoExpiration, accessCode };
    }
    case 'OrderUpdated':
      return { ...state, status: 'PendingReservation', seats: event.data.seats };
    case 'OrderPartiallyReserved':
      return { ...state, status: 'PartiallyReserved', reservedSeats: event.data.seats };
    case 'OrderReservationCompleted':
      return { ...state, status: 'ReservationCompleted', reservedSeats: event.data.seats };
    case 'OrderTotalsCalculated': {
      const { lines, total, isFreeOfCharge } = event.data;
      return { ...state, lines, total, isFreeOfCharge };
    }
    case 'OrderRegistrantAssigned':
      return { ...state, registrant: event.data };
    case 'OrderConfirmed':
      return { ...state, status: 'Confirmed' };
    case 'OrderExpired':
      return { ...state, status: 'Expired' };
    case 'OrderConfirmationRejected':
      return state;
  }
}

export const orderAggregate: Aggregate<OrderState, OrderCommand, OrderEvent> = {
  sourceType: ORDER_SOURCE,
  decider: { initialState, evolve, decide },
};

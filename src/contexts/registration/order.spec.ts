import { describe, expect, it } from 'vitest';
import { given } from '../shared/decider-spec.ts';
import {
  HOLD_ENDED,
  INVALID_REGISTRATION,
  ITEMS_REQUIRED,
  ORDER_CONFIRMED,
  ORDER_EXPIRED,
  OTHER_CONFERENCE,
  type OrderCommand,
  type OrderEvent,
  TOO_MANY_SEATS,
  UNKNOWN_ORDER,
  orderAggregate,
} from './order.ts';
import type { SeatQuantity } from './contract.ts';

const orderId = 'order-1';
const conferenceId = 'conference-1';
const GA = 'ga';
const WS = 'ws';
const prices = [
  { seatType: GA, unitPrice: 199_00 },
  { seatType: WS, unitPrice: 500_00 },
];
const placedAt = '2030-05-01T10:00:00.000Z';
const expiresAt = '2030-05-01T10:15:00.000Z';
const registrant = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };

const register = (seats: SeatQuantity[], now = placedAt, conference = conferenceId): OrderCommand => ({
  type: 'RegisterToConference',
  data: { orderId, conferenceId: conference, seats, accessCode: 'ABC123', now, holdSeconds: 900 },
});
const markReserved = (seats: SeatQuantity[], withPrices = prices): OrderCommand => ({
  type: 'MarkSeatsAsReserved',
  data: { orderId, seats, expiration: expiresAt, prices: withPrices },
});
const confirm = (payment?: { paymentId: string; paidAmount: number }): OrderCommand => ({
  type: 'ConfirmOrder',
  data: { orderId, ...payment },
});
const assignRegistrant = (details = registrant): OrderCommand => ({ type: 'AssignRegistrantDetails', data: { orderId, ...details } });
const reject: OrderCommand = { type: 'RejectOrder', data: { orderId } };

const placedWith = (seats: SeatQuantity[]): OrderEvent => ({
  type: 'OrderPlaced',
  data: { conferenceId, seats, reservationAutoExpiration: expiresAt, accessCode: 'ABC123' },
});
const placed = placedWith([{ seatType: GA, quantity: 2 }]);
const reservation = (seats: SeatQuantity[]) => ({ reservationExpiration: expiresAt, seats });
const completed: OrderEvent[] = [
  { type: 'OrderReservationCompleted', data: reservation([{ seatType: GA, quantity: 2 }]) },
  { type: 'OrderTotalsCalculated', data: { total: 398_00, lines: [{ seatType: GA, unitPrice: 199_00, quantity: 2, lineTotal: 398_00 }], isFreeOfCharge: false } },
];
const partial: OrderEvent[] = [
  { type: 'OrderPartiallyReserved', data: reservation([{ seatType: GA, quantity: 1 }]) },
  { type: 'OrderTotalsCalculated', data: { total: 199_00, lines: [{ seatType: GA, unitPrice: 199_00, quantity: 1, lineTotal: 199_00 }], isFreeOfCharge: false } },
];
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { paymentId: 'payment-1' } };
const expired: OrderEvent = { type: 'OrderExpired', data: {} };

describe('Order: placing', () => {
  it('places a new order held until now + hold, with the access code of the command', () => {
    const state = given(orderAggregate)
      .when(register([{ seatType: GA, quantity: 2 }]))
      .then([placed]);
    expect(state).toMatchObject({ status: 'PendingReservation', conferenceId, reservationAutoExpiration: expiresAt, accessCode: 'ABC123' });
  });

  it('keeps only the lines asked for', () => {
    given(orderAggregate)
      .when(register([{ seatType: WS, quantity: 0 }, { seatType: GA, quantity: 2 }]))
      .then([placed]);
  });

  it.each([
    ['a negative quantity', [{ seatType: GA, quantity: -1 }, { seatType: WS, quantity: 1 }], INVALID_REGISTRATION],
    ['a seat type twice', [{ seatType: GA, quantity: 1 }, { seatType: GA, quantity: 1 }], INVALID_REGISTRATION],
    ['no quantity above 0', [{ seatType: GA, quantity: 0 }], ITEMS_REQUIRED],
    ['no lines', [], ITEMS_REQUIRED],
    ['more than 20 of a type', [{ seatType: GA, quantity: 21 }], TOO_MANY_SEATS],
  ])('refuses %s', (_, seats, message) => {
    given(orderAggregate).when(register(seats)).thenRefused(message);
  });

  it('words the refusals as DOMAIN 3.2.1 does', () => {
    expect([INVALID_REGISTRATION, ITEMS_REQUIRED, TOO_MANY_SEATS]).toEqual([
      'Invalid registration.',
      'One or more items are required.',
      'You can order at most 20 seats of each type.',
    ]);
  });

  it('accepts 20 seats of a type', () => {
    given(orderAggregate)
      .when(register([{ seatType: GA, quantity: 20 }]))
      .then([placedWith([{ seatType: GA, quantity: 20 }])]);
  });
});

describe('Order: updating the seats', () => {
  const update = (now = '2030-05-01T10:14:59.999Z') => register([{ seatType: WS, quantity: 1 }], now);
  const updated: OrderEvent = { type: 'OrderUpdated', data: { seats: [{ seatType: WS, quantity: 1 }] } };

  it.each([
    ['pending', [placed]],
    ['partially reserved', [placed, ...partial]],
    ['reservation completed', [placed, ...completed]],
  ])('updates a %s order back to PendingReservation, never extending the hold', (_, history) => {
    const state = given(orderAggregate, history).when(update()).then([updated]);
    expect(state.status).toBe('PendingReservation');
    expect(state.seats).toEqual([{ seatType: WS, quantity: 1 }]);
    expect(state.reservationAutoExpiration).toBe(expiresAt);
  });

  it('refuses once the hold has ended', () => {
    given(orderAggregate, [placed]).when(update(expiresAt)).thenRefused(HOLD_ENDED);
  });

  it('refuses a confirmed or expired order', () => {
    given(orderAggregate, [placed, ...completed, confirmed]).when(update()).thenRefused(ORDER_CONFIRMED);
    given(orderAggregate, [placed, expired]).when(update()).thenRefused(ORDER_EXPIRED);
  });

  it('refuses a request for another conference', () => {
    given(orderAggregate, [placed])
      .when(register([{ seatType: GA, quantity: 1 }], placedAt, 'conference-2'))
      .thenRefused(OTHER_CONFERENCE);
  });

  it('checks the request as placing does', () => {
    given(orderAggregate, [placed])
      .when(register([{ seatType: GA, quantity: 0 }]))
      .thenRefused(ITEMS_REQUIRED);
  });
});

describe('Order: marking seats as reserved', () => {
  it('completes the reservation when every line got its quantity, then prices the reserved seats', () => {
    const state = given(orderAggregate, [placed])
      .when(markReserved([{ seatType: GA, quantity: 2 }]))
      .then(completed);
    expect(state).toMatchObject({ status: 'ReservationCompleted', reservedSeats: [{ seatType: GA, quantity: 2 }], total: 398_00 });
  });

  it('is partial when a line got less, and prices what was reserved', () => {
    const state = given(orderAggregate, [placed])
      .when(markReserved([{ seatType: GA, quantity: 1 }]))
      .then(partial);
    expect(state.status).toBe('PartiallyReserved');
  });

  it('is partial with total 0, not free, when no seat was obtained', () => {
    given(orderAggregate, [placed])
      .when(markReserved([]))
      .then([
        { type: 'OrderPartiallyReserved', data: reservation([]) },
        { type: 'OrderTotalsCalculated', data: { total: 0, lines: [], isFreeOfCharge: false } },
      ]);
  });

  it('is complete against the latest request after an update', () => {
    const updated: OrderEvent = { type: 'OrderUpdated', data: { seats: [{ seatType: GA, quantity: 1 }, { seatType: WS, quantity: 1 }] } };
    given(orderAggregate, [placed, ...partial, updated])
      .when(markReserved([{ seatType: WS, quantity: 1 }, { seatType: GA, quantity: 1 }]))
      .then([
        { type: 'OrderReservationCompleted', data: reservation([{ seatType: WS, quantity: 1 }, { seatType: GA, quantity: 1 }]) },
        {
          type: 'OrderTotalsCalculated',
          data: {
            total: 699_00,
            lines: [
              { seatType: GA, unitPrice: 199_00, quantity: 1, lineTotal: 199_00 },
              { seatType: WS, unitPrice: 500_00, quantity: 1, lineTotal: 500_00 },
            ],
            isFreeOfCharge: false,
          },
        },
      ]);
  });

  it('marks a free order free of charge', () => {
    given(orderAggregate, [placed])
      .when(markReserved([{ seatType: GA, quantity: 2 }], [{ seatType: GA, unitPrice: 0 }]))
      .then([
        completed[0],
        { type: 'OrderTotalsCalculated', data: { total: 0, lines: [{ seatType: GA, unitPrice: 0, quantity: 2, lineTotal: 0 }], isFreeOfCharge: true } },
      ]);
  });

  it('fails, for the handler to retry, while a reserved seat type has no price', () => {
    given(orderAggregate, [placed])
      .when(markReserved([{ seatType: GA, quantity: 2 }], [{ seatType: WS, unitPrice: 500_00 }]))
      .thenFails(/price/);
  });

  it('ignores a reservation for a confirmed or expired order, without error', () => {
    given(orderAggregate, [placed, ...completed, confirmed]).when(markReserved([{ seatType: GA, quantity: 2 }])).thenNothing();
    given(orderAggregate, [placed, expired]).when(markReserved([{ seatType: GA, quantity: 2 }])).thenNothing();
  });

  it('refuses an unknown order', () => {
    given(orderAggregate).when(markReserved([])).thenRefused(UNKNOWN_ORDER);
  });
});

describe('Order: registrant details', () => {
  it('assigns the trimmed details', () => {
    const state = given(orderAggregate, [placed, ...completed])
      .when(assignRegistrant({ firstName: ' Ada ', lastName: 'Lovelace', email: 'ada@example.com ' }))
      .then([{ type: 'OrderRegistrantAssigned', data: registrant }]);
    expect(state.registrant).toEqual(registrant);
  });

  it('may be assigned to a confirmed order', () => {
    given(orderAggregate, [placed, ...completed, confirmed])
      .when(assignRegistrant())
      .then([{ type: 'OrderRegistrantAssigned', data: registrant }]);
  });

  it('refuses an expired or unknown order', () => {
    given(orderAggregate, [placed, expired]).when(assignRegistrant()).thenRefused(ORDER_EXPIRED);
    given(orderAggregate).when(assignRegistrant()).thenRefused(UNKNOWN_ORDER);
  });

  it.each([
    [{ ...registrant, firstName: ' ' }, 'The FirstName field is required.'],
    [{ ...registrant, lastName: '' }, 'The LastName field is required.'],
    [{ ...registrant, email: '' }, 'The Email field is required.'],
    [{ ...registrant, lastName: 'x'.repeat(101) }, 'The LastName field must be at most 100 characters.'],
    [{ ...registrant, email: 'ada@example' }, 'The provided email address is not valid.'],
  ])('refuses invalid details %o', (details, message) => {
    given(orderAggregate, [placed]).when(assignRegistrant(details)).thenRefused(message);
  });
});

describe('Order: confirming', () => {
  const paid = (paidAmount: number) => confirm({ paymentId: 'payment-1', paidAmount });

  it('confirms a completed reservation paid in full, with the payment', () => {
    const state = given(orderAggregate, [placed, ...completed]).when(paid(398_00)).then([confirmed]);
    expect(state.status).toBe('Confirmed');
  });

  it('confirms a free completed reservation without a payment', () => {
    const free: OrderEvent = { type: 'OrderTotalsCalculated', data: { total: 0, lines: [{ seatType: GA, unitPrice: 0, quantity: 2, lineTotal: 0 }], isFreeOfCharge: true } };
    given(orderAggregate, [placed, completed[0], free])
      .when(confirm())
      .then([{ type: 'OrderConfirmed', data: {} }]);
  });

  it('records nothing for an order already confirmed', () => {
    given(orderAggregate, [placed, ...completed, confirmed]).when(paid(398_00)).thenNothing();
  });

  it('rejects an expired order', () => {
    given(orderAggregate, [placed, ...completed, expired])
      .when(paid(398_00))
      .then([{ type: 'OrderConfirmationRejected', data: { paymentId: 'payment-1', reason: 'OrderExpired' } }]);
  });

  it.each([
    ['pending', [placed]],
    ['partially reserved', [placed, ...partial]],
    ['updated after its reservation', [placed, ...completed, { type: 'OrderUpdated', data: { seats: [{ seatType: GA, quantity: 1 }] } } as OrderEvent]],
  ])('rejects a %s order as not complete', (_, history) => {
    given(orderAggregate, history)
      .when(paid(398_00))
      .then([{ type: 'OrderConfirmationRejected', data: { paymentId: 'payment-1', reason: 'ReservationNotComplete' } }]);
  });

  it('rejects a payment that does not match the total', () => {
    given(orderAggregate, [placed, ...completed])
      .when(paid(199_00))
      .then([{ type: 'OrderConfirmationRejected', data: { paymentId: 'payment-1', reason: 'AmountMismatch' } }]);
  });

  it('rejects a confirmation without payment of an order that costs something', () => {
    given(orderAggregate, [placed, ...completed])
      .when(confirm())
      .then([{ type: 'OrderConfirmationRejected', data: { reason: 'AmountMismatch' } }]);
  });

  it('refuses an unknown order', () => {
    given(orderAggregate).when(confirm()).thenRefused(UNKNOWN_ORDER);
  });
});

describe('Order: rejecting', () => {
  it('expires a pending, partial or completed order', () => {
    expect(given(orderAggregate, [placed]).when(reject).then([expired]).status).toBe('Expired');
    given(orderAggregate, [placed, ...partial]).when(reject).then([expired]);
    given(orderAggregate, [placed, ...completed]).when(reject).then([expired]);
  });

  it('records nothing for a confirmed, expired or unknown order', () => {
    given(orderAggregate, [placed, ...completed, confirmed]).when(reject).thenNothing();
    given(orderAggregate, [placed, expired]).when(reject).thenNothing();
    given(orderAggregate).when(reject).thenNothing();
  });
});

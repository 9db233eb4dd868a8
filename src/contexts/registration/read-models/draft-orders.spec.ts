import { describe, expect, it } from 'vitest';
import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { OrderEventType } from '../contract.ts';
import { evolveDraft } from './draft-orders.ts';
import type { DraftOrder } from './queries.ts';

const orderId = 'order-1';
let position = 0;

function event(type: OrderEventType, version: number, data: object, createdAt = '2030-01-01T10:00:00.000Z'): LoggedMessage {
  return {
    type,
    data,
    metadata: {
      messageId: `Order_${orderId}_${version}`,
      kind: 'event',
      schemaVersion: 1,
      sourceType: 'Order',
      sourceId: orderId,
      version,
      correlationId: orderId,
      causationId: null,
      createdAt,
      position: ++position,
    },
  };
}

const run = (...events: LoggedMessage[]) => events.reduce<DraftOrder | undefined>((draft, next) => evolveDraft(draft, orderId, next), undefined)!;

const requested = [
  { seatType: 'GA', quantity: 2 },
  { seatType: 'WS', quantity: 1 },
];
const placed = event('OrderPlaced', 0, {
  conferenceId: 'conf',
  seats: requested,
  reservationAutoExpiration: '2030-01-01T10:15:00.000Z',
  accessCode: 'ABC123',
});

describe('a draft order', () => {
  it('starts with its request, nothing reserved, placed at the OrderPlaced timestamp', () => {
    expect(run(placed)).toEqual({
      orderId,
      conferenceId: 'conf',
      state: 'PendingReservation',
      lines: [
        { seatType: 'GA', requested: 2, reserved: 0 },
        { seatType: 'WS', requested: 1, reserved: 0 },
      ],
      reservationExpiration: '2030-01-01T10:15:00.000Z',
      placedAt: '2030-01-01T10:00:00.000Z',
      accessCode: 'ABC123',
      registrant: null,
      lastConfirmationRejection: null,
      version: 0,
    });
  });

  it('records what each line obtained; a requested line that got nothing shows 0', () => {
    const draft = run(placed, event('OrderPartiallyReserved', 1, { reservationExpiration: '2030-01-01T10:15:00.000Z', seats: [{ seatType: 'GA', quantity: 1 }] }));
    expect(draft).toMatchObject({
      state: 'PartiallyReserved',
      lines: [
        { seatType: 'GA', requested: 2, reserved: 1 },
        { seatType: 'WS', requested: 1, reserved: 0 },
      ],
      version: 1,
    });
  });

  it('goes back to PendingReservation with the new request, nothing reserved, on an update', () => {
    const draft = run(
      placed,
      event('OrderReservationCompleted', 1, { reservationExpiration: '2030-01-01T10:15:00.000Z', seats: requested }),
      event('OrderUpdated', 2, { seats: [{ seatType: 'WS', quantity: 3 }] }),
    );
    expect(draft).toMatchObject({ state: 'PendingReservation', lines: [{ seatType: 'WS', requested: 3, reserved: 0 }], version: 2 });
  });

  it('advances its version on events it does not otherwise use, and ends Expired or Confirmed', () => {
    const totals = event('OrderTotalsCalculated', 1, { total: 0, lines: [], isFreeOfCharge: false });
    expect(run(placed, totals)).toMatchObject({ state: 'PendingReservation', version: 1 });
    expect(run(placed, totals, event('OrderExpired', 2, {}))).toMatchObject({ state: 'Expired', version: 2 });
    expect(run(placed, event('OrderConfirmed', 1, {}))).toMatchObject({ state: 'Confirmed', version: 1 });
  });

  it('keeps the last refused confirmation, with or without a payment', () => {
    const refused = run(placed, event('OrderConfirmationRejected', 1, { reason: 'ReservationNotComplete' }));
    expect(refused.lastConfirmationRejection).toEqual({ reason: 'ReservationNotComplete', paymentId: null });
    const again = evolveDraft(refused, orderId, event('OrderConfirmationRejected', 2, { reason: 'AmountMismatch', paymentId: 'pay-1' }));
    expect(again.lastConfirmationRejection).toEqual({ reason: 'AmountMismatch', paymentId: 'pay-1' });
  });

  it('refuses an event of an order whose OrderPlaced was not applied', () => {
    expect(() => evolveDraft(undefined, orderId, event('OrderExpired', 0, {}))).toThrow(/before its OrderPlaced/);
  });
});

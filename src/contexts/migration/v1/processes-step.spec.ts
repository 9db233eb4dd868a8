import { describe, expect, it } from 'vitest';
import type { RegistrationProcess } from '../../registration/process-manager.ts';
import type { V1History, V1Order } from './history.ts';
import { derive, rederive } from './processes-step.ts';
import type { V1Payment, V1Process } from './v1-store.ts';

const NOW = new Date('2030-01-01T12:00:00.000Z');
const options = { releaseBufferSeconds: 840, now: NOW };
const CONFERENCE = 'conf-1';

function order(overrides: Partial<V1Order> = {}): V1Order {
  return {
    orderId: 'order-1',
    conferenceId: CONFERENCE,
    reservationAutoExpiration: '2030-01-01T11:00:00.000Z',
    outcome: null,
    reservationReceived: true,
    pricedSeats: new Map([['ga', 2]]),
    lastVersion: 3,
    lastTimestamp: '2030-01-01T10:50:00.000Z',
    ...overrides,
  };
}

function history(pendingReservations: string[] = []): V1History {
  return {
    orders: new Map(),
    availability: new Map([
      [CONFERENCE, { conferenceId: CONFERENCE, remaining: new Map(), quota: new Map(), pending: new Map(pendingReservations.map((id) => [id, new Map([['ga', 2]])])), lastVersion: 5 }],
    ]),
    derived: new Map(),
    assignmentsOrders: new Map(),
    mentionedSeatTypes: new Set(),
  };
}

const row = (stateValue: number): V1Process => ({
  rowId: 'row-1',
  orderId: 'order-1',
  conferenceId: CONFERENCE,
  reservationId: 'reservation-1',
  reservationAutoExpiration: '2030-01-01T11:00:00.000Z',
  completed: false,
  stateValue,
});
const payment: V1Payment = { id: 'payment-1', stateValue: 2, orderId: 'order-1', description: null, totalAmount: '398.5' };

describe('the process of a V1 order (DOMAIN 7.5 step 5)', () => {
  it('is Completed when the order stream confirmed it, committing the reservation V1 left pending', () => {
    const plan = derive(order({ outcome: 'Confirmed' }), row(2), undefined, history(['reservation-1']), options);
    expect(plan.state).toMatchObject({ state: 'Completed', outcome: 'Confirmed', reservationId: 'reservation-1', seatReservationCommandId: null, expirationTimerId: null });
    expect(plan.output.commands).toEqual([
      { type: 'CommitSeatReservation', data: { conferenceId: CONFERENCE, reservationId: 'reservation-1' }, target: CONFERENCE, id: expect.any(String) },
    ]);
    expect(plan.output.schedule).toBeUndefined();
  });

  it('is Completed(Expired) with a cancellation only while the reservation is still pending', () => {
    expect(derive(order({ outcome: 'Expired' }), row(2), undefined, history(['reservation-1']), options).output.commands).toEqual([
      expect.objectContaining({ type: 'CancelSeatReservation', data: { conferenceId: CONFERENCE, reservationId: 'reservation-1' } }),
    ]);
    expect(derive(order({ outcome: 'Expired' }), row(2), undefined, history(), options).output.commands).toEqual([]);
  });

  it('is P with ConfirmOrder for a queued ConfirmOrderPayment and a completed payment; the expiry is due when hold + buffer is past', () => {
    const plan = derive(order(), row(2), payment, history(['reservation-1']), options);
    expect(plan.state).toMatchObject({ state: 'PaymentConfirmationReceived', forwardedPaymentId: 'payment-1', handledPaymentIds: ['payment-1'], expiryDue: true });
    expect(plan.output.commands).toEqual([
      { type: 'ConfirmOrder', data: { orderId: 'order-1', paymentId: 'payment-1', paidAmount: 39_850 }, target: 'order-1', id: expect.any(String) },
    ]);
    const [timer] = plan.output.schedule!;
    expect(timer.dueAt.toISOString()).toBe('2030-01-01T11:14:00.000Z');
    expect(timer.command).toMatchObject({ type: 'ExpireRegistrationProcess', data: { processId: 'order-1' }, target: 'order-1', id: plan.state.expirationTimerId });
    const later = derive(order({ reservationAutoExpiration: '2030-01-01T11:50:00.000Z' }), row(2), payment, history(), options);
    expect(later.state.expiryDue).toBe(false);
  });

  it("follows V1's state otherwise (0, 1 → A; 2 → R), each with a new durable expiry timer", () => {
    for (const [stateValue, state] of [
      [0, 'AwaitingReservationConfirmation'],
      [1, 'AwaitingReservationConfirmation'],
      [2, 'ReservationConfirmationReceived'],
    ] as const) {
      const plan = derive(order(), row(stateValue), undefined, history(), options);
      expect(plan.state.state).toBe(state);
      expect(plan.output.commands).toBeUndefined();
      expect(plan.output.schedule).toHaveLength(1);
    }
    const noRow = derive(order({ reservationReceived: false }), undefined, undefined, history(), options);
    expect(noRow.state).toMatchObject({ state: 'AwaitingReservationConfirmation', reservationId: 'order-1' });
  });

  it('is derived again only when V1 completed the order or queued its payment confirmation since', () => {
    const stored = (state: RegistrationProcess['state']) => ({
      version: 3,
      state: { ...derive(order(), row(2), undefined, history(), options).state, state, expirationTimerId: 'timer-1' },
    });
    expect(rederive(order({ outcome: 'Confirmed' }), stored('Completed'), undefined, history(), options)).toBeUndefined();
    expect(rederive(order(), stored('ReservationConfirmationReceived'), undefined, history(), options)).toBeUndefined();
    const completed = rederive(order({ outcome: 'Confirmed' }), stored('ReservationConfirmationReceived'), undefined, history(['reservation-1']), options)!;
    expect(completed).toMatchObject({ expectedVersion: 3, state: { state: 'Completed', outcome: 'Confirmed' }, output: { cancel: ['timer-1'] } });
    expect(completed.output.commands).toEqual([expect.objectContaining({ type: 'CommitSeatReservation' })]);
    const paid = rederive(order(), stored('ReservationConfirmationReceived'), payment, history(), options)!;
    expect(paid).toMatchObject({ expectedVersion: 3, state: { state: 'PaymentConfirmationReceived', forwardedPaymentId: 'payment-1', handledPaymentIds: ['payment-1'] } });
    expect(paid.output.commands).toEqual([expect.objectContaining({ type: 'ConfirmOrder' })]);
  });
});

import { describe, expect, it } from 'vitest';
import { given } from '../shared/decider-spec.ts';
import type { SeatQuantity } from './contract.ts';
import { type SeatsAvailabilityCommand, type SeatsAvailabilityEvent, seatsAvailabilityAggregate } from './seats-availability.ts';

const conferenceId = 'conference-1';
const T = 't';
const U = 'u';
const now = '2030-05-01T10:00:00.000Z';
const deadline = '2030-05-01T10:15:00.000Z';

const q = (seatType: string, quantity: number): SeatQuantity => ({ seatType, quantity });
const quota = (seatType: string, quantity: number, quotaVersion: number): SeatsAvailabilityCommand => ({
  type: 'SetSeatTypeQuota',
  data: { conferenceId, seatType, quantity, quotaVersion },
});
const reserve = (reservationId: string, seats: SeatQuantity[], at = now): SeatsAvailabilityCommand => ({
  type: 'MakeSeatReservation',
  data: { conferenceId, reservationId, seats, deadline, now: at },
});
const commit = (reservationId: string): SeatsAvailabilityCommand => ({ type: 'CommitSeatReservation', data: { conferenceId, reservationId } });
const cancel = (reservationId: string): SeatsAvailabilityCommand => ({ type: 'CancelSeatReservation', data: { conferenceId, reservationId } });

const changed = (seatType: string, delta: number, remaining: number, quotaVersion: number): SeatsAvailabilityEvent => ({
  type: 'AvailableSeatsChanged',
  data: { seats: [q(seatType, delta)], remaining: [q(seatType, remaining)], quotaVersion },
});
const reserved = (reservationId: string, details: SeatQuantity[], changes: SeatQuantity[], remaining: SeatQuantity[]): SeatsAvailabilityEvent => ({
  type: 'SeatsReserved',
  data: { reservationId, reservationDetails: details, availableSeatsChanged: changes, remaining },
});

/** Quota 10 for T and for U. */
const quotas = [changed(T, 10, 10, 0), changed(U, 10, 10, 0)];
/** R1 holds T6: 4 left. */
const r1HoldsT6 = [...quotas, reserved('R1', [q(T, 6)], [q(T, -6)], [q(T, 4)])];

describe('SeatsAvailability: quotas', () => {
  it('creates the seat type with its quota', () => {
    const state = given(seatsAvailabilityAggregate).when(quota(T, 10, 0)).then([changed(T, 10, 10, 0)]);
    expect(state.seatTypes[T]).toEqual({ quota: 10, remaining: 10, quotaVersion: 0 });
  });

  it('changes quota and remaining by the difference to the new quota', () => {
    given(seatsAvailabilityAggregate, r1HoldsT6).when(quota(T, 15, 1)).then([changed(T, 5, 9, 1)]);
    const state = given(seatsAvailabilityAggregate, r1HoldsT6).when(quota(T, 3, 2)).then([changed(T, -7, -3, 2)]);
    expect(state.seatTypes[T]).toEqual({ quota: 3, remaining: -3, quotaVersion: 2 });
  });

  it('ignores a quota version already applied or older', () => {
    const history = [...quotas, changed(T, 5, 15, 3)];
    given(seatsAvailabilityAggregate, history).when(quota(T, 20, 3)).thenNothing();
    given(seatsAvailabilityAggregate, history).when(quota(T, 20, 2)).thenNothing();
  });

  it('emits nothing for an unchanged quota', () => {
    given(seatsAvailabilityAggregate, quotas).when(quota(T, 10, 1)).thenNothing();
  });
});

describe('SeatsAvailability: reservations (DOMAIN 3.2.4 worked rules, quota 10)', () => {
  it('reserve 4 → T4, change −4', () => {
    const state = given(seatsAvailabilityAggregate, quotas)
      .when(reserve('R1', [q(T, 4)]))
      .then([reserved('R1', [q(T, 4)], [q(T, -4)], [q(T, 6)])]);
    expect(state.pending).toEqual({ R1: { [T]: 4 } });
    expect(state.seatTypes[T]).toEqual({ quota: 10, remaining: 6, quotaVersion: 0 });
  });

  it('reserve 11 → T10, change −10', () => {
    given(seatsAvailabilityAggregate, quotas)
      .when(reserve('R1', [q(T, 11)]))
      .then([reserved('R1', [q(T, 10)], [q(T, -10)], [q(T, 0)])]);
  });

  it('R1 holding T6 re-reserves T8 → T8, −2', () => {
    given(seatsAvailabilityAggregate, r1HoldsT6)
      .when(reserve('R1', [q(T, 8)]))
      .then([reserved('R1', [q(T, 8)], [q(T, -2)], [q(T, 2)])]);
  });

  it('R1 holding T6 re-reserves T2 → T2, +4', () => {
    given(seatsAvailabilityAggregate, r1HoldsT6)
      .when(reserve('R1', [q(T, 2)]))
      .then([reserved('R1', [q(T, 2)], [q(T, 4)], [q(T, 8)])]);
  });

  it('R1 holding T6 re-reserves T12 → T10, −4', () => {
    given(seatsAvailabilityAggregate, r1HoldsT6)
      .when(reserve('R1', [q(T, 12)]))
      .then([reserved('R1', [q(T, 10)], [q(T, -4)], [q(T, 0)])]);
  });

  it('R1 holding T6 re-reserves U3 only → U3, changes {U −3, T +6}', () => {
    const state = given(seatsAvailabilityAggregate, r1HoldsT6)
      .when(reserve('R1', [q(U, 3)]))
      .then([reserved('R1', [q(U, 3)], [q(U, -3), q(T, 6)], [q(U, 7), q(T, 10)])]);
    expect(state.pending).toEqual({ R1: { [U]: 3 } });
  });

  it('releases a type asked for with quantity 0', () => {
    given(seatsAvailabilityAggregate, r1HoldsT6)
      .when(reserve('R1', [q(T, 0), q(U, 1)]))
      .then([reserved('R1', [q(U, 1)], [q(T, 6), q(U, -1)], [q(T, 10), q(U, 9)])]);
  });

  it('an identical repeat → T6 and no change', () => {
    given(seatsAvailabilityAggregate, r1HoldsT6)
      .when(reserve('R1', [q(T, 6)]))
      .then([reserved('R1', [q(T, 6)], [], [])]);
  });

  it('another reservation asking T5 → T4', () => {
    given(seatsAvailabilityAggregate, r1HoldsT6)
      .when(reserve('R2', [q(T, 5)]))
      .then([reserved('R2', [q(T, 4)], [q(T, -4)], [q(T, 0)])]);
  });

  it('grants nothing beyond what is held while remaining is negative', () => {
    const lowered = [...r1HoldsT6, changed(T, -8, -4, 1)];
    given(seatsAvailabilityAggregate, lowered)
      .when(reserve('R2', [q(T, 1)]))
      .then([reserved('R2', [], [], [])]);
    given(seatsAvailabilityAggregate, lowered)
      .when(reserve('R1', [q(T, 7)]))
      .then([reserved('R1', [q(T, 6)], [], [])]);
  });

  it('grants 0 of an unknown seat type, on a stream not created yet too', () => {
    const state = given(seatsAvailabilityAggregate)
      .when(reserve('R1', [q(T, 2)]))
      .then([reserved('R1', [], [], [])]);
    expect(state.pending).toEqual({});
    given(seatsAvailabilityAggregate, quotas)
      .when(reserve('R1', [q('unknown', 2), q(T, 1)]))
      .then([reserved('R1', [q(T, 1)], [q(T, -1)], [q(T, 9)])]);
  });

  it('answers a reservation that gets nothing, which leaves the pending set without being closed', () => {
    const emptied = [...r1HoldsT6, reserved('R1', [], [q(T, 6)], [q(T, 10)])];
    const { state } = given(seatsAvailabilityAggregate, emptied);
    expect(state.pending).toEqual({});
    given(seatsAvailabilityAggregate, emptied).when(commit('R1')).thenNothing();
    given(seatsAvailabilityAggregate, emptied)
      .when(reserve('R1', [q(T, 1)]))
      .then([reserved('R1', [q(T, 1)], [q(T, -1)], [q(T, 9)])]);
  });

  it('ignores a reservation after its deadline, but not at it', () => {
    given(seatsAvailabilityAggregate, quotas).when(reserve('R1', [q(T, 1)], '2030-05-01T10:15:00.001Z')).thenNothing();
    given(seatsAvailabilityAggregate, quotas)
      .when(reserve('R1', [q(T, 1)], deadline))
      .then([reserved('R1', [q(T, 1)], [q(T, -1)], [q(T, 9)])]);
  });

  it('ignores a reservation id already committed or cancelled', () => {
    const committed = [...r1HoldsT6, { type: 'SeatsReservationCommitted', data: { reservationId: 'R1' } } as SeatsAvailabilityEvent];
    given(seatsAvailabilityAggregate, committed).when(reserve('R1', [q(T, 1)])).thenNothing();
    const cancelled: SeatsAvailabilityEvent = {
      type: 'SeatsReservationCancelled',
      data: { reservationId: 'R1', availableSeatsChanged: [q(T, 6)], remaining: [q(T, 10)] },
    };
    given(seatsAvailabilityAggregate, [...r1HoldsT6, cancelled]).when(reserve('R1', [q(T, 1)])).thenNothing();
  });

  it('never overbooks: 20 orders of 1 seat on a quota of 10 → 10 get a seat, 10 get none', () => {
    let history: SeatsAvailabilityEvent[] = [changed(T, 10, 10, 0)];
    const granted: number[] = [];
    for (let order = 0; order < 20; order++) {
      const events = seatsAvailabilityAggregate.decider.decide(reserve(`R${order}`, [q(T, 1)]), given(seatsAvailabilityAggregate, history).state);
      history = [...history, ...events];
      const answer = events[0];
      if (answer.type !== 'SeatsReserved') throw new Error(`unexpected ${answer.type}`);
      granted.push(answer.data.reservationDetails.reduce((sum, seat) => sum + seat.quantity, 0));
    }
    expect(granted).toEqual([...Array(10).fill(1), ...Array(10).fill(0)]);
    expect(given(seatsAvailabilityAggregate, history).state.seatTypes[T].remaining).toBe(0);
  });
});

describe('SeatsAvailability: commit and cancel', () => {
  it('commits a pending reservation: its seats stay consumed, its id is closed', () => {
    const state = given(seatsAvailabilityAggregate, r1HoldsT6)
      .when(commit('R1'))
      .then([{ type: 'SeatsReservationCommitted', data: { reservationId: 'R1' } }]);
    expect(state.pending).toEqual({});
    expect(state.seatTypes[T].remaining).toBe(4);
    given(seatsAvailabilityAggregate, r1HoldsT6).when(commit('R2')).thenNothing();
  });

  it('cancels a pending reservation, giving its seats back', () => {
    const history = [...quotas, reserved('R1', [q(T, 6), q(U, 2)], [q(T, -6), q(U, -2)], [q(T, 4), q(U, 8)])];
    const state = given(seatsAvailabilityAggregate, history)
      .when(cancel('R1'))
      .then([
        {
          type: 'SeatsReservationCancelled',
          data: { reservationId: 'R1', availableSeatsChanged: [q(T, 6), q(U, 2)], remaining: [q(T, 10), q(U, 10)] },
        },
      ]);
    expect(state.pending).toEqual({});
    expect(state.seatTypes[T]).toEqual({ quota: 10, remaining: 10, quotaVersion: 0 });
  });

  it('does nothing for a reservation not pending', () => {
    given(seatsAvailabilityAggregate, quotas).when(cancel('R1')).thenNothing();
    const committed = [...r1HoldsT6, { type: 'SeatsReservationCommitted', data: { reservationId: 'R1' } } as SeatsAvailabilityEvent];
    given(seatsAvailabilityAggregate, committed).when(cancel('R1')).thenNothing();
    given(seatsAvailabilityAggregate, committed).when(commit('R1')).thenNothing();
  });
});

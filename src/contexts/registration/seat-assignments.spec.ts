import { describe, expect, it } from 'vitest';
import { given } from '../shared/decider-spec.ts';
import {
  type SeatAssignmentsCommand,
  type SeatAssignmentsEvent,
  UNKNOWN_POSITION,
  UNKNOWN_SEAT_ASSIGNMENTS,
  seatAssignmentsAggregate,
  seatAssignmentsId,
} from './seat-assignments.ts';

const orderId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const id = seatAssignmentsId(orderId);
const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };
const grace = { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' };

const line = (seatType: string, quantity: number, unitPrice = 100_00) => ({ seatType, unitPrice, quantity, lineTotal: unitPrice * quantity });
const create: SeatAssignmentsCommand = {
  type: 'CreateSeatAssignments',
  data: { orderId, conferenceId: 'conference-1', lines: [line('GA', 3), line('WS', 1), line('CP', 2)] },
};
const assign = (position: number, attendee = ada): SeatAssignmentsCommand => ({ type: 'AssignSeat', data: { seatAssignmentsId: id, position, attendee } });
const unassign = (position: number): SeatAssignmentsCommand => ({ type: 'UnassignSeat', data: { seatAssignmentsId: id, position } });

const created: SeatAssignmentsEvent = {
  type: 'SeatAssignmentsCreated',
  data: {
    orderId,
    conferenceId: 'conference-1',
    seats: [
      { position: 0, seatType: 'GA' },
      { position: 1, seatType: 'GA' },
      { position: 2, seatType: 'GA' },
      { position: 3, seatType: 'WS' },
      { position: 4, seatType: 'CP' },
      { position: 5, seatType: 'CP' },
    ],
  },
};
const adaOnWs: SeatAssignmentsEvent = { type: 'SeatAssigned', data: { position: 3, seatType: 'WS', attendee: ada } };

describe('SeatAssignments: id', () => {
  it('is UUIDv5 of the order id in its own namespace: stable, and not the order id', () => {
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(seatAssignmentsId(orderId)).toBe(id);
    expect(id).not.toBe(orderId);
    expect(seatAssignmentsId('another-order')).not.toBe(id);
  });
});

describe('SeatAssignments: creation', () => {
  it('has one empty slot per seat, positions 0..n−1 following the lines (GA3, WS1, CP2 → 6)', () => {
    const state = given(seatAssignmentsAggregate).when(create).then([created]);
    expect(state.seats).toHaveLength(6);
    expect(state.seats.every((seat) => seat.attendee === null)).toBe(true);
  });

  it('is created once', () => {
    given(seatAssignmentsAggregate, [created]).when(create).thenNothing();
  });
});

describe('SeatAssignments: assigning', () => {
  it('assigns an empty seat', () => {
    const state = given(seatAssignmentsAggregate, [created]).when(assign(3)).then([adaOnWs]);
    expect(state.seats[3].attendee).toEqual(ada);
  });

  it('stores the details trimmed', () => {
    given(seatAssignmentsAggregate, [created])
      .when(assign(3, { firstName: ' Ada', lastName: 'Lovelace ', email: ' ada@example.com' }))
      .then([adaOnWs]);
  });

  it('lets one person hold many seats', () => {
    given(seatAssignmentsAggregate, [created, adaOnWs])
      .when(assign(0))
      .then([{ type: 'SeatAssigned', data: { position: 0, seatType: 'GA', attendee: ada } }]);
  });

  it('unassigns the occupant first when the e-mail differs', () => {
    const state = given(seatAssignmentsAggregate, [created, adaOnWs])
      .when(assign(3, grace))
      .then([
        { type: 'SeatUnassigned', data: { position: 3 } },
        { type: 'SeatAssigned', data: { position: 3, seatType: 'WS', attendee: grace } },
      ]);
    expect(state.seats[3].attendee).toEqual(grace);
  });

  it('updates the names when only they differ (e-mails compare case-insensitively)', () => {
    const renamed = { firstName: 'Augusta Ada', lastName: 'King', email: 'ADA@Example.com' };
    const state = given(seatAssignmentsAggregate, [created, adaOnWs])
      .when(assign(3, renamed))
      .then([{ type: 'SeatAssignmentUpdated', data: { position: 3, attendee: renamed } }]);
    expect(state.seats[3].attendee).toEqual(renamed);
  });

  it('compares names exactly', () => {
    const lower = { ...ada, firstName: 'ada' };
    given(seatAssignmentsAggregate, [created, adaOnWs])
      .when(assign(3, lower))
      .then([{ type: 'SeatAssignmentUpdated', data: { position: 3, attendee: lower } }]);
  });

  it('records nothing for the same attendee', () => {
    given(seatAssignmentsAggregate, [created, adaOnWs]).when(assign(3, { ...ada, email: 'Ada@Example.COM' })).thenNothing();
  });

  it('refuses an unknown position or unknown assignments', () => {
    given(seatAssignmentsAggregate, [created]).when(assign(6)).thenRefused(UNKNOWN_POSITION);
    given(seatAssignmentsAggregate).when(assign(0)).thenRefused(UNKNOWN_SEAT_ASSIGNMENTS);
  });

  it.each([
    [{ ...ada, email: '' }, 'The Email field is required.'],
    [{ ...ada, email: 'ada' }, 'The provided email address is not valid.'],
    [{ ...ada, firstName: '' }, 'The FirstName field is required.'],
    [{ ...ada, lastName: 'x'.repeat(101) }, 'The LastName field must be at most 100 characters.'],
  ])('refuses an invalid attendee %o', (attendee, message) => {
    given(seatAssignmentsAggregate, [created]).when(assign(0, attendee)).thenRefused(message);
  });
});

describe('SeatAssignments: unassigning', () => {
  it('empties an occupied seat', () => {
    const state = given(seatAssignmentsAggregate, [created, adaOnWs])
      .when(unassign(3))
      .then([{ type: 'SeatUnassigned', data: { position: 3 } }]);
    expect(state.seats[3].attendee).toBeNull();
  });

  it('records nothing for an empty seat', () => {
    given(seatAssignmentsAggregate, [created, adaOnWs]).when(unassign(0)).thenNothing();
  });

  it('refuses an unknown position', () => {
    given(seatAssignmentsAggregate, [created]).when(unassign(-1)).thenRefused(UNKNOWN_POSITION);
    given(seatAssignmentsAggregate, [created]).when(unassign(6)).thenRefused(UNKNOWN_POSITION);
  });
});

/**
 * The SeatAssignments aggregate (DOMAIN 3.2.5): one slot per purchased seat of a confirmed order,
 * each naming its attendee. Created by the `OrderConfirmed` handler, never over HTTP.
 */
import { derivedId } from '../../platform/messages/ids.ts';
import { type Aggregate, DomainError } from '../../platform/processing/commands.ts';
import type { MessagesOf } from '../shared/typed-messages.ts';
import type * as Commands from './commands.ts';
import { type OrderLine, type PersonalInfo, SEAT_ASSIGNMENTS_SOURCE, type SeatAssignmentsEvents } from './contract.ts';
import { sameEmail, sameNames, validPersonalInfo } from './personal-info.ts';

const SEAT_ASSIGNMENTS_NAMESPACE = 'f408bd64-924a-4a02-b8b2-6250c90c380f';

/** The assignments id of an order: derived from the order id, never equal to it. */
export function seatAssignmentsId(orderId: string): string {
  return derivedId(SEAT_ASSIGNMENTS_NAMESPACE, orderId);
}

export const UNKNOWN_SEAT_ASSIGNMENTS = 'These seat assignments do not exist.';
export const UNKNOWN_POSITION = 'There is no seat at this position.';

export interface SeatSlot {
  position: number;
  seatType: string;
  attendee: PersonalInfo | null;
}

export interface SeatAssignmentsState {
  created: boolean;
  orderId: string;
  conferenceId: string;
  seats: SeatSlot[];
}

/** Internal: run by the `OrderConfirmed` handler with the lines of the order's latest pricing. */
export type CreateSeatAssignments = { type: 'CreateSeatAssignments'; data: { orderId: string; conferenceId: string; lines: OrderLine[] } };
export type AssignSeat = { type: 'AssignSeat'; data: Commands.AssignSeat };
export type UnassignSeat = { type: 'UnassignSeat'; data: Commands.UnassignSeat };
export type SeatAssignmentsCommand = CreateSeatAssignments | AssignSeat | UnassignSeat;

export type SeatAssignmentsEvent = MessagesOf<typeof SeatAssignmentsEvents>;

const initialState: SeatAssignmentsState = { created: false, orderId: '', conferenceId: '', seats: [] };

/** Positions 0..n−1: each line expanded by its quantity, in line order. */
function create({ data }: CreateSeatAssignments, state: SeatAssignmentsState): SeatAssignmentsEvent[] {
  // Created once; a redelivered confirmation changes nothing.
  if (state.created) return [];
  const seatTypes = data.lines.flatMap((line) => Array.from({ length: line.quantity }, () => line.seatType));
  const seats = seatTypes.map((seatType, position) => ({ position, seatType }));
  return [{ type: 'SeatAssignmentsCreated', data: { orderId: data.orderId, conferenceId: data.conferenceId, seats } }];
}

function slot(state: SeatAssignmentsState, position: number): SeatSlot {
  if (!state.created) throw new DomainError(UNKNOWN_SEAT_ASSIGNMENTS);
  const found = state.seats.find((seat) => seat.position === position);
  if (found === undefined) throw new DomainError(UNKNOWN_POSITION);
  return found;
}

function assign({ data }: AssignSeat, state: SeatAssignmentsState): SeatAssignmentsEvent[] {
  const { position, seatType, attendee: occupant } = slot(state, data.position);
  const attendee = validPersonalInfo(data.attendee);
  if (occupant !== null && sameEmail(occupant, attendee)) {
    return sameNames(occupant, attendee) ? [] : [{ type: 'SeatAssignmentUpdated', data: { position, attendee } }];
  }
  const assigned: SeatAssignmentsEvent = { type: 'SeatAssigned', data: { position, seatType, attendee } };
  return occupant === null ? [assigned] : [{ type: 'SeatUnassigned', data: { position } }, assigned];
}

function unassign({ data }: UnassignSeat, state: SeatAssignmentsState): SeatAssignmentsEvent[] {
  const { position, attendee } = slot(state, data.position);
  return attendee === null ? [] : [{ type: 'SeatUnassigned', data: { position } }];
}

function decide(command: SeatAssignmentsCommand, state: SeatAssignmentsState): SeatAssignmentsEvent[] {
  switch (command.type) {
    case 'CreateSeatAssignments':
      return create(command, state);
    case 'AssignSeat':
      return assign(command, state);
    case 'UnassignSeat':
      return unassign(command, state);
  }
}

const withAttendee = (state: SeatAssignmentsState, position: number, attendee: PersonalInfo | null): SeatAssignmentsState => ({
  ...state,
  seats: state.seats.map((seat) => (seat.position === position ? { ...seat, attendee } : seat)),
});

function evolve(state: SeatAssignmentsState, event: SeatAssignmentsEvent): SeatAssignmentsState {
  switch (event.type) {
    case 'SeatAssignmentsCreated': {
      const { orderId, conferenceId, seats } = event.data;
      return { created: true, orderId, conferenceId, seats: seats.map((seat) => ({ ...seat, attendee: null })) };
    }
    case 'SeatAssigned':
    case 'SeatAssignmentUpdated':
      return withAttendee(state, event.data.position, event.data.attendee);
    case 'SeatUnassigned':
      return withAttendee(state, event.data.position, null);
  }
}

export const seatAssignmentsAggregate: Aggregate<SeatAssignmentsState, SeatAssignmentsCommand, SeatAssignmentsEvent> = {
  sourceType: SEAT_ASSIGNMENTS_SOURCE,
  decider: { initialState, evolve, decide },
};

/**
 * The SeatsAvailability aggregate (DOMAIN 3.2.4), one per conference (id = conference id), as a pure
 * decider. Remaining seats may go negative when a quota is lowered below what is held; reservations
 * are serialised by the stream's optimistic concurrency, so seats are never overbooked.
 */
import type { Aggregate } from '../../platform/processing/commands.ts';
import type { MessageOf, MessagesOf } from '../shared/typed-messages.ts';
import type * as Commands from './commands.ts';
import { SEATS_AVAILABILITY_SOURCE, type SeatQuantity, type SeatsAvailabilityEvents } from './contract.ts';

export interface SeatTypeAvailability {
  quota: number;
  remaining: number;
  /** Version of the `SeatCreated`/`SeatUpdated` the quota comes from; −1 before any. */
  quotaVersion: number;
}

/** Seats held per seat type (quantities > 0). */
export type Holding = Readonly<Record<string, number>>;

/** Closed reservation ids, newest first: a list shares its tail, so closing one id copies nothing. */
export type ClosedReservations = { readonly id: string; readonly older: ClosedReservations } | null;

export interface SeatsAvailabilityState {
  seatTypes: Readonly<Record<string, SeatTypeAvailability>>;
  pending: Readonly<Record<string, Holding>>;
  /**
   * Committed or cancelled reservations. DOMAIN allows forgetting ids closed longer than the longest
   * hold + release buffer + 1 day, but a decider has no clock: they are all kept.
   */
  closed: ClosedReservations;
}

export type SetSeatTypeQuota = { type: 'SetSeatTypeQuota'; data: Commands.SetSeatTypeQuota };
/** Handler-supplied, never logged: `now`, the time of handling (ISO). */
export type MakeSeatReservation = { type: 'MakeSeatReservation'; data: Commands.MakeSeatReservation & { now: string } };
export type CommitSeatReservation = { type: 'CommitSeatReservation'; data: Commands.CommitSeatReservation };
export type CancelSeatReservation = { type: 'CancelSeatReservation'; data: Commands.CancelSeatReservation };
export type SeatsAvailabilityCommand = SetSeatTypeQuota | MakeSeatReservation | CommitSeatReservation | CancelSeatReservation;

export type SeatsAvailabilityEvent = MessagesOf<typeof SeatsAvailabilityEvents>;
type Event<K extends SeatsAvailabilityEvent['type']> = MessageOf<typeof SeatsAvailabilityEvents, K>;

const UNSEEN: SeatTypeAvailability = { quota: 0, remaining: 0, quotaVersion: -1 };

const initialState: SeatsAvailabilityState = { seatTypes: {}, pending: {}, closed: null };

const availability = (state: SeatsAvailabilityState, seatType: string) => state.seatTypes[seatType] ?? UNSEEN;

export function isClosed(closed: ClosedReservations, reservationId: string): boolean {
  for (let entry = closed; entry !== null; entry = entry.older) if (entry.id === reservationId) return true;
  return false;
}

/** The remaining seats after applying `changes`, for each changed seat type. */
function remainingAfter(state: SeatsAvailabilityState, changes: SeatQuantity[]): SeatQuantity[] {
  return changes.map(({ seatType, quantity }) => ({ seatType, quantity: availability(state, seatType).remaining + quantity }));
}

function setQuota({ data }: SetSeatTypeQuota, state: SeatsAvailabilityState): SeatsAvailabilityEvent[] {
  const current = availability(state, data.seatType);
  if (data.quotaVersion <= current.quotaVersion) return [];
  const delta = data.quantity - current.quota;
  if (delta === 0) return [];
  const seats = [{ seatType: data.seatType, quantity: delta }];
  return [{ type: 'AvailableSeatsChanged', data: { seats, remaining: remainingAfter(state, seats), quotaVersion: data.quotaVersion } }];
}

/**
 * Grants each wanted seat type what is free plus what the reservation already holds, and releases
 * what it held of types it no longer asks for. Always answers `SeatsReserved`: the process manager
 * waits for it.
 */
function reserve({ data }: MakeSeatReservation, state: SeatsAvailabilityState): SeatsAvailabilityEvent[] {
  if (isClosed(state.closed, data.reservationId)) return [];
  if (Date.parse(data.now) > Date.parse(data.deadline)) return [];
  const held = state.pending[data.reservationId] ?? {};
  const wanted = new Map<string, number>();
  for (const { seatType, quantity } of data.seats) wanted.set(seatType, (wanted.get(seatType) ?? 0) + Math.max(quantity, 0));
  for (const seatType of Object.keys(held)) if (!wanted.has(seatType)) wanted.set(seatType, 0);
  const reservationDetails: SeatQuantity[] = [];
  const changes: SeatQuantity[] = [];
  for (const [seatType, quantity] of wanted) {
    const alreadyHeld = held[seatType] ?? 0;
    const granted = Math.min(quantity, Math.max(availability(state, seatType).remaining, 0) + alreadyHeld);
    if (granted > 0) reservationDetails.push({ seatType, quantity: granted });
    if (granted !== alreadyHeld) changes.push({ seatType, quantity: alreadyHeld - granted });
  }
  const reserved: Event<'SeatsReserved'> = {
    type: 'SeatsReserved',
    data: { reservationId: data.reservationId, reservationDetails, availableSeatsChanged: changes, remaining: remainingAfter(state, changes) },
  };
  return [reserved];
}

function cancel({ data }: CancelSeatReservation, state: SeatsAvailabilityState): SeatsAvailabilityEvent[] {
  const held = state.pending[data.reservationId];
  if (held === undefined) return [];
  const changes = Object.entries(held).map(([seatType, quantity]) => ({ seatType, quantity }));
  return [
    {
      type: 'SeatsReservationCancelled',
      data: { reservationId: data.reservationId, availableSeatsChanged: changes, remaining: remainingAfter(state, changes) },
    },
  ];
}

function decide(command: SeatsAvailabilityCommand, state: SeatsAvailabilityState): SeatsAvailabilityEvent[] {
  switch (command.type) {
    case 'SetSeatTypeQuota':
      return setQuota(command, state);
    case 'MakeSeatReservation':
      return reserve(command, state);
    case 'CommitSeatReservation':
      return state.pending[command.data.reservationId] === undefined
        ? []
        : [{ type: 'SeatsReservationCommitted', data: { reservationId: command.data.reservationId } }];
    case 'CancelSeatReservation':
      return cancel(command, state);
  }
}

/** Applies signed deltas to the remaining seats (and to the quota when `toQuota`). */
function applyChanges(state: SeatsAvailabilityState, changes: SeatQuantity[], toQuota: boolean, quotaVersion = -1) {
  const seatTypes = { ...state.seatTypes };
  for (const { seatType, quantity } of changes) {
    const current = seatTypes[seatType] ?? UNSEEN;
    seatTypes[seatType] = {
      quota: toQuota ? current.quota + quantity : current.quota,
      remaining: current.remaining + quantity,
      quotaVersion: Math.max(current.quotaVersion, quotaVersion),
    };
  }
  return seatTypes;
}

function withoutPending(state: SeatsAvailabilityState, reservationId: string): Record<string, Holding> {
  const { [reservationId]: _left, ...pending } = state.pending;
  return pending;
}

function evolve(state: SeatsAvailabilityState, event: SeatsAvailabilityEvent): SeatsAvailabilityState {
  switch (event.type) {
    case 'AvailableSeatsChanged':
      return { ...state, seatTypes: applyChanges(state, event.data.seats, true, event.data.quotaVersion) };
    case 'SeatsReserved': {
      const { reservationId, reservationDetails, availableSeatsChanged } = event.data;
      const holding = Object.fromEntries(reservationDetails.filter((seat) => seat.quantity > 0).map((seat) => [seat.seatType, seat.quantity]));
      const pending = withoutPending(state, reservationId);
      // A reservation holding nothing leaves the pending set, but is not closed.
      if (Object.keys(holding).length > 0) pending[reservationId] = holding;
      return { ...state, seatTypes: applyChanges(state, availableSeatsChanged, false), pending };
    }
    case 'SeatsReservationCommitted': {
      const { reservationId } = event.data;
      return { ...state, pending: withoutPending(state, reservationId), closed: { id: reservationId, older: state.closed } };
    }
    case 'SeatsReservationCancelled': {
      const { reservationId, availableSeatsChanged } = event.data;
      return {
        seatTypes: applyChanges(state, availableSeatsChanged, false),
        pending: withoutPending(state, reservationId),
        closed: { id: reservationId, older: state.closed },
      };
    }
  }
}

export const seatsAvailabilityAggregate: Aggregate<SeatsAvailabilityState, SeatsAvailabilityCommand, SeatsAvailabilityEvent> = {
  sourceType: SEATS_AVAILABILITY_SOURCE,
  decider: { initialState, evolve, decide },
};

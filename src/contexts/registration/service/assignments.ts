/**
 * Seat assignment (DOMAIN 3.2.5, 6.1 "Assign seats"): who attends on each purchased seat of a
 * confirmed order. The slots exist once the order's `OrderConfirmed` was handled, a moment after
 * the confirmation itself.
 */
import { decideAndAppend, loadAggregate } from '../../../platform/processing/commands.ts';
import type { Tx } from '../../../platform/store/store.ts';
import { valid } from '../../shared/field-checks.ts';
import type { PersonalInfo } from '../contract.ts';
import { checkPersonalInfo } from '../personal-info.ts';
import type { OrderSeatAssignments } from '../read-models/queries.ts';
import { seatAssignmentsProjection } from '../read-models/seat-assignments.ts';
import { UNKNOWN_POSITION, seatAssignmentsAggregate, seatAssignmentsId } from '../seat-assignments.ts';
import { type ServiceContext, httpCommand, logCommand, transact } from './context.ts';
import { DomainError, NOT_CONFIRMED, NotFoundError, ORDER_NOT_FOUND } from './errors.ts';
import { Deadline, handlersReached, readUntil } from './waiting.ts';

/** DOMAIN `readModelWaitMs`: how long a confirmed order's slots may take to appear. */
export const READ_MODEL_WAIT_MS = 5000;

export interface AssignedSeat {
  position: number;
  seatTypeId: string;
  seatTypeName: string;
  attendee: PersonalInfo | null;
}

export interface SeatsAssigned {
  seats: AssignedSeat[];
  /** The read model had not reached `minPosition`, or the slots did not appear in time. */
  stale: boolean;
}

export interface SeatChanged {
  /** The seat as the command left it. */
  seat: AssignedSeat;
  position: number;
}

/**
 * The seats of a confirmed order by position (not confirmed: DomainError). Waits up to `waitMs`
 * for the read model to process `minPosition`, and for the slots to appear at least
 * {@link READ_MODEL_WAIT_MS}.
 */
export async function seatAssignments(context: ServiceContext, orderId: string, wait: { minPosition?: number; waitMs?: number } = {}): Promise<SeatsAssigned> {
  await confirmedOrder(context, orderId);
  const reached = await handlersReached(context.progress, [seatAssignmentsProjection], wait.minPosition, new Deadline(wait.waitMs ?? 0));
  const { value, ready } = await slotsOf(context, orderId, new Deadline(Math.max(wait.waitMs ?? 0, READ_MODEL_WAIT_MS)));
  return { seats: await seatsOf(context, value), stale: !reached || !ready };
}

/** Puts an attendee on a seat (invalid details: `ValidationError`; unknown position: {@link NotFoundError}). */
export function assignSeat(context: ServiceContext, orderId: string, position: number, attendee: PersonalInfo): Promise<SeatChanged> {
  const details = valid(checkPersonalInfo(attendee));
  return changeSeat(context, orderId, position, (seatAssignmentsId) => httpCommand('AssignSeat', { seatAssignmentsId, position, attendee: details }, seatAssignmentsId, orderId), details);
}

/** Frees a seat (unknown position: {@link NotFoundError}); an empty seat stays so. */
export function unassignSeat(context: ServiceContext, orderId: string, position: number): Promise<SeatChanged> {
  return changeSeat(context, orderId, position, (seatAssignmentsId) => httpCommand('UnassignSeat', { seatAssignmentsId, position }, seatAssignmentsId, orderId), null);
}

async function changeSeat(
  context: ServiceContext,
  orderId: string,
  position: number,
  commandFor: (seatAssignmentsId: string) => ReturnType<typeof httpCommand>,
  attendee: PersonalInfo | null,
): Promise<SeatChanged> {
  const order = await confirmedOrder(context, orderId);
  await slotsOf(context, orderId, new Deadline(READ_MODEL_WAIT_MS));
  const id = seatAssignmentsId(orderId);
  const { store, registry } = context;
  const { state } = await loadAggregate(store, registry, seatAssignmentsAggregate, id);
  const slot = state.seats.find((seat) => seat.position === position);
  if (state.created && !slot) throw new NotFoundError(UNKNOWN_POSITION);
  const command = commandFor(id);
  const { position: logPosition } = await transact(store, async (tx: Tx) => {
    await logCommand(store, tx, command);
    await decideAndAppend(store, registry, tx, seatAssignmentsAggregate, id, command);
  });
  const [seat] = await seatsOf(context, { conferenceId: order.conferenceId, seats: [{ position, seatType: slot!.seatType, attendee }] });
  return { seat, position: logPosition };
}

async function confirmedOrder(context: ServiceContext, orderId: string) {
  const order = await context.order(orderId);
  if (order.status === 'None') throw new NotFoundError(ORDER_NOT_FOUND);
  if (order.status !== 'Confirmed') throw new DomainError(NOT_CONFIRMED);
  return order;
}

/** The order's slots from the read model, waiting for them to appear. */
function slotsOf(context: ServiceContext, orderId: string, deadline: Deadline) {
  return readUntil(context.store, () => context.readModels.seatAssignments(orderId), (found) => found !== undefined, deadline, orderId);
}

async function seatsOf(context: ServiceContext, assignments: Pick<OrderSeatAssignments, 'conferenceId' | 'seats'> | undefined): Promise<AssignedSeat[]> {
  if (!assignments) return [];
  const names = new Map((await context.catalogue.seatTypes(assignments.conferenceId)).map((offer) => [offer.id, offer.name]));
  return assignments.seats.map(({ position, seatType, attendee }) => ({ position, seatTypeId: seatType, seatTypeName: names.get(seatType) ?? seatType, attendee }));
}

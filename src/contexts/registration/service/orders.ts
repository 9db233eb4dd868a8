/**
 * Placing an order and changing its seats (DOMAIN 3.2.1 `RegisterToConference`, 3.2.3): the
 * conference and seat types are checked against the catalogue here, every other rule again by the
 * Order decider inside the transaction.
 */
import { newId } from '../../../platform/messages/ids.ts';
import { decideAndAppend } from '../../../platform/processing/commands.ts';
import type { Tx } from '../../../platform/store/store.ts';
import { newAccessCode, normalizeAccessCode } from '../../shared/access-code.ts';
import { valid } from '../../shared/field-checks.ts';
import type { OrderingConference } from '../catalogue/queries.ts';
import { HOLD_ENDED, ORDER_CONFIRMED, ORDER_EXPIRED, type OrderState, orderAggregate } from '../order.ts';
import { type ServiceContext, holdEnded, httpCommand, logCommand, nowIso, transact } from './context.ts';
import {
  CONFERENCE_NOT_FOUND,
  DomainError,
  NotFoundError,
  ORDER_NOT_FOUND,
  OrderExistsError,
  PAYMENT_IN_PROGRESS,
  REGISTRATION_CLOSED,
} from './errors.ts';
import { type SeatRequest, checkSeatRequest, sameSeats } from './seat-request.ts';

export interface PlaceOrderOptions {
  /** A client-chosen order id (any UUID): placing it again with the same seats is idempotent. */
  orderId?: string;
  /** The access code the caller gave for an order id that may exist already. */
  accessCode?: string;
}

export interface PlacedOrder {
  orderId: string;
  accessCode: string;
  /** False when the order existed already with the same request (nothing was written). */
  created: boolean;
  /** Highest log position written; 0 when nothing was. */
  position: number;
}

export interface SeatsChanged {
  orderId: string;
  position: number;
}

/** The order existed when its placing transaction looked: nothing may be written. */
class AlreadyPlaced extends Error {
  constructor(readonly order: OrderState) {
    super('The order exists already');
  }
}

/**
 * Places a new order for a published conference (unknown or unpublished: {@link NotFoundError}).
 * With an `orderId` that exists already, answers that order unchanged when it is of the same
 * conference with the same seats and `accessCode` is its code; otherwise {@link OrderExistsError}.
 * Invalid seats: `ValidationError` (fields as {@link checkSeatRequest}).
 */
export async function placeOrder(
  context: ServiceContext,
  slug: string,
  seats: readonly SeatRequest[],
  options: PlaceOrderOptions = {},
): Promise<PlacedOrder> {
  const conference = await context.catalogue.orderingConference(slug);
  if (!conference?.isPublished) throw new NotFoundError(CONFERENCE_NOT_FOUND);
  const requested = valid(checkSeatRequest(seats, await seatTypeIdsOf(context, conference.id)));
  const orderId = options.orderId ?? newId();
  const accessCode = newAccessCode();
  const command = httpCommand('RegisterToConference', { orderId, conferenceId: conference.id, seats: requested, accessCode }, orderId, orderId);
  const { store, registry } = context;
  try {
    const { position } = await transact(store, async (tx) => {
      // Inside the transaction: an order placed meanwhile with this id must not be updated by this request.
      const existing = await context.order(orderId, tx);
      if (existing.status !== 'None') throw new AlreadyPlaced(existing);
      await logCommand(store, tx, command);
      await decideAndAppend(store, registry, tx, orderAggregate, orderId, command, registration(context, conference));
    });
    return { orderId, accessCode, created: true, position };
  } catch (error) {
    if (!(error instanceof AlreadyPlaced)) throw error;
    const order = error.order;
    const given = options.accessCode === undefined ? undefined : normalizeAccessCode(options.accessCode);
    if (given !== order.accessCode) throw new OrderExistsError(given !== undefined);
    if (order.conferenceId !== conference.id || !sameSeats(order.seats, requested)) throw new OrderExistsError(false);
    return { orderId, accessCode: order.accessCode, created: false, position: 0 };
  }
}

/**
 * Re-reserves an order's seats with the same hold deadline (DOMAIN 3.2.3). Refused (DomainError)
 * when the order is confirmed or expired, its conference unpublished, its hold over, or a payment
 * for it is in progress.
 */
export async function updateSeats(context: ServiceContext, orderId: string, seats: readonly SeatRequest[]): Promise<SeatsChanged> {
  const order = await context.order(orderId);
  if (order.status === 'None') throw new NotFoundError(ORDER_NOT_FOUND);
  const conference = await context.catalogue.orderingConferenceById(order.conferenceId);
  const requested = valid(checkSeatRequest(seats, conference ? await seatTypeIdsOf(context, conference.id) : new Set()));
  if (order.status === 'Confirmed') throw new DomainError(ORDER_CONFIRMED);
  if (order.status === 'Expired') throw new DomainError(ORDER_EXPIRED);
  if (!conference?.isPublished) throw new DomainError(REGISTRATION_CLOSED);
  if (holdEnded(order.reservationAutoExpiration, nowIso())) throw new DomainError(HOLD_ENDED);
  if (await paymentInProgress(context, orderId, order)) throw new DomainError(PAYMENT_IN_PROGRESS);
  const command = httpCommand(
    'RegisterToConference',
    { orderId, conferenceId: order.conferenceId, seats: requested, accessCode: order.accessCode },
    orderId,
    orderId,
  );
  const { position } = await transact(context.store, async (tx: Tx) => {
    await logCommand(context.store, tx, command);
    await decideAndAppend(context.store, context.registry, tx, orderAggregate, orderId, command, registration(context, conference));
  });
  return { orderId, position };
}

/**
 * DOMAIN 3.2.3: the latest payment is under way, or completed and not yet confirming the order. The
 * process manager stays the safety net for a payment the read model does not show yet.
 */
export async function paymentInProgress(context: ServiceContext, orderId: string, order: OrderState): Promise<boolean> {
  const latest = await context.readModels.latestPayment(orderId);
  return latest?.status === 'Initiated' || (latest?.status === 'Completed' && order.status !== 'Confirmed');
}

/** The decider's handler-supplied values for `RegisterToConference`. */
function registration(context: ServiceContext, conference: OrderingConference) {
  return { now: nowIso(), holdSeconds: context.holdSeconds(conference) };
}

async function seatTypeIdsOf(context: ServiceContext, conferenceId: string): Promise<Set<string>> {
  return new Set((await context.catalogue.seatTypes(conferenceId)).map((seatType) => seatType.id));
}

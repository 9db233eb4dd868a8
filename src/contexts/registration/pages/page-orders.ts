/**
 * An order as the registrant's pages read it (DOMAIN 6.1 "Waiting for read models"): the draft order,
 * the priced order at the same version, and the latest payment. Pages wait on the server for the
 * state they need, woken by read-model commits; they never sleep or poll.
 */
import type { DraftOrder, OrderSeatAssignments, PaymentView, PricedOrder } from '../read-models/queries.ts';
import { draftOrdersProjection } from '../read-models/draft-orders.ts';
import { paymentsProjection } from '../read-models/payments.ts';
import { pricedOrdersProjection } from '../read-models/priced-orders.ts';
import { seatAssignmentsProjection } from '../read-models/seat-assignments.ts';
import type { ServiceContext } from '../service/context.ts';
import { readOrderParts } from '../service/order-view.ts';
import { Deadline, handlersReached, readUntil } from '../service/waiting.ts';

/** DOMAIN 3.5 `readModelWaitMs`: how long a page waits for a read model before the waiting page. */
export const READ_MODEL_WAIT_MS = 5000;

/** The read models of an order page. */
const ORDER_READ_MODELS = [draftOrdersProjection, pricedOrdersProjection, paymentsProjection, seatAssignmentsProjection];

/** The draft and priced order agree (both reached the same Order version). */
export interface OrderSnapshot {
  draft: DraftOrder;
  priced: PricedOrder;
  /** The most recently initiated payment. */
  payment: PaymentView | undefined;
}

/** What a page read: the snapshot, or nothing when the order is not (yet) there in agreeing read models. */
export interface WaitedOrder {
  snapshot: OrderSnapshot | undefined;
  /** False when the wait ran out first: the page shows the waiting page. */
  ready: boolean;
}

/**
 * Reads the order until `ready` holds of an agreeing snapshot, for at most {@link READ_MODEL_WAIT_MS}.
 * With `minPosition` (a command the page just sent) the read models must first have processed the
 * log up to it.
 */
export async function waitForOrder(
  context: ServiceContext,
  orderId: string,
  ready: (snapshot: OrderSnapshot) => boolean,
  minPosition?: number,
): Promise<WaitedOrder> {
  const deadline = new Deadline(READ_MODEL_WAIT_MS);
  if (!(await handlersReached(context.progress, ORDER_READ_MODELS, minPosition, deadline))) {
    return { snapshot: await readOrder(context, orderId), ready: false };
  }
  const { value, ready: done } = await readUntil(context.store, () => readOrder(context, orderId), (snapshot) => snapshot !== undefined && ready(snapshot), deadline, orderId);
  return { snapshot: value, ready: done };
}

async function readOrder(context: ServiceContext, orderId: string): Promise<OrderSnapshot | undefined> {
  const { draft, priced, payment } = await readOrderParts(context, orderId);
  if (!draft || !priced || draft.version !== priced.version) return undefined;
  return { draft, priced, payment };
}

/** The order's seat assignments once they exist (they are created after the confirmation). */
export async function waitForAssignments(context: ServiceContext, orderId: string, minPosition?: number): Promise<OrderSeatAssignments | undefined> {
  const deadline = new Deadline(READ_MODEL_WAIT_MS);
  await handlersReached(context.progress, [seatAssignmentsProjection], minPosition, deadline);
  const { value } = await readUntil(context.store, () => context.readModels.seatAssignments(orderId), (found) => found !== undefined, deadline, orderId);
  return value;
}

/** The payment once the payments read model has it. */
export async function waitForPayment(context: ServiceContext, paymentId: string): Promise<PaymentView | undefined> {
  const { value } = await readUntil(context.store, () => context.readModels.payment(paymentId), (found) => found !== undefined, new Deadline(READ_MODEL_WAIT_MS));
  return value;
}

/** DOMAIN 3.2.3: the hold has ended by the server's clock. */
export function holdOver(draft: DraftOrder, now = Date.now()): boolean {
  return now >= Date.parse(draft.reservationExpiration);
}

/** The countdown's figures: seconds left by the server's clock, and the order's own hold. */
export function holdTimes(draft: DraftOrder, now = Date.now()): { remainingSeconds: number; holdSeconds: number } {
  const end = Date.parse(draft.reservationExpiration);
  return {
    remainingSeconds: Math.max(0, Math.ceil((end - now) / 1000)),
    holdSeconds: Math.max(0, Math.round((end - Date.parse(draft.placedAt)) / 1000)),
  };
}

/** A state no command changes any more. */
export function isFinal(draft: DraftOrder): boolean {
  return draft.state === 'Confirmed' || draft.state === 'Expired';
}

/**
 * The registrant's application service (DOMAIN 3.2, 3.3, 6.1; API.md Public): the one layer the
 * JSON API and the public pages both use. It checks what the site checks (conference, seat types,
 * hold window, payment in progress), then decides and appends each command inside the caller's
 * request. It does not check credentials: the API asks for the access code, the pages for a
 * session that holds the order.
 *
 * Errors: `ValidationError` (invalid input, with fields), `DomainError` (the state refuses: 409;
 * {@link OrderExistsError} is one), {@link NotFoundError} (unknown conference, order, position or
 * payment token).
 */
import type { PersonalInfo } from '../contract.ts';
import type { OrderingConference } from '../catalogue/queries.ts';
import type { OrderState } from '../order.ts';
import type { TokenCheck } from '../../payments/payment-tokens.ts';
import { type SeatChanged, type SeatsAssigned, assignSeat, seatAssignments, unassignSeat } from './assignments.ts';
import { type CheckedOut, type CheckoutOptions, checkout } from './checkout.ts';
import { type RegistrationServiceOptions, ServiceContext } from './context.ts';
import { type LocatedOrder, locateOrder } from './locate.ts';
import { type OrderView, type OrderWait, type Viewed, orderView } from './order-view.ts';
import { type PlaceOrderOptions, type PlacedOrder, type SeatsChanged, paymentInProgress, placeOrder, updateSeats } from './orders.ts';
import { type PaymentAnswered, type PaymentSummary, answerPayment, orderOfPayment, paymentSummary, paymentTokenCheck } from './payments.ts';
import type { SeatRequest } from './seat-request.ts';
import { Deadline } from './waiting.ts';

export class RegistrationService {
  readonly #context: ServiceContext;

  constructor(options: RegistrationServiceOptions) {
    this.#context = new ServiceContext(options);
  }

  /** A conference, published or not, by slug in any case (with its hold in minutes). */
  conference(slug: string): Promise<OrderingConference | undefined> {
    return this.#context.catalogue.orderingConference(slug);
  }

  /** The Order aggregate as its stream says now (status `None`: no such order). The source of truth for credentials. */
  order(orderId: string): Promise<OrderState> {
    return this.#context.order(orderId);
  }

  /** The order's access code; undefined for an unknown order. */
  async accessCodeOf(orderId: string): Promise<string | undefined> {
    const order = await this.#context.order(orderId);
    return order.status === 'None' ? undefined : order.accessCode;
  }

  /** Places an order (see {@link placeOrder}); then wait for it with {@link orderView}. */
  placeOrder(slug: string, seats: readonly SeatRequest[], options?: PlaceOrderOptions): Promise<PlacedOrder> {
    return placeOrder(this.#context, slug, seats, options);
  }

  /** Changes an order's seats, keeping its hold deadline (see {@link updateSeats}). */
  updateSeats(orderId: string, seats: readonly SeatRequest[]): Promise<SeatsChanged> {
    return updateSeats(this.#context, orderId, seats);
  }

  /** Whether seat changes are refused because of a payment (DOMAIN 3.2.3), for the seat-selection page. */
  async paymentInProgress(orderId: string): Promise<boolean> {
    return paymentInProgress(this.#context, orderId, await this.#context.order(orderId));
  }

  /** Registrant details, then a zero-cost confirmation or a payment with its processor link (see {@link checkout}). */
  checkout(orderId: string, registrant: PersonalInfo, options?: CheckoutOptions): Promise<CheckedOut> {
    return checkout(this.#context, orderId, registrant, options);
  }

  /** The processor accepted the payment (the token is used up). */
  acceptPayment(paymentId: string, token: string, options?: { sessionId?: string }): Promise<PaymentAnswered> {
    return answerPayment(this.#context, paymentId, 'accept', token, options);
  }

  /** The processor rejected the payment (the token is used up); the order stays payable until its hold ends. */
  rejectPayment(paymentId: string, token: string, options?: { sessionId?: string }): Promise<PaymentAnswered> {
    return answerPayment(this.#context, paymentId, 'reject', token, options);
  }

  /** Whether a processor token may still answer the payment. */
  paymentTokenCheck(paymentId: string, token: string, sessionId?: string): Promise<TokenCheck> {
    return paymentTokenCheck(this.#context, paymentId, token, sessionId);
  }

  /** The order a payment is for; undefined for an unknown payment. */
  orderOfPayment(paymentId: string): Promise<string | undefined> {
    return orderOfPayment(this.#context, paymentId);
  }

  /** The payment, waiting up to `waitMs` for the read model to process `minPosition` (and to know it). */
  async payment(paymentId: string, wait: { minPosition?: number; waitMs?: number } = {}): Promise<Viewed<PaymentSummary>> {
    const { payment, stale } = await paymentSummary(this.#context, paymentId, wait.minPosition, new Deadline(wait.waitMs ?? 0));
    return { view: payment, stale };
  }

  /** The order view, parked until it satisfies `wait` or `waitMs` runs out (see {@link orderView}). */
  orderView(orderId: string, wait?: OrderWait): Promise<Viewed<OrderView>> {
    return orderView(this.#context, orderId, wait);
  }

  /** Locates an order by conference, registrant e-mail and access code. */
  findOrder(slug: string, email: string, accessCode: string): Promise<LocatedOrder | undefined> {
    return locateOrder(this.#context, slug, email, accessCode);
  }

  /** The seats of a confirmed order and their attendees. */
  seatAssignments(orderId: string, wait?: { minPosition?: number; waitMs?: number }): Promise<SeatsAssigned> {
    return seatAssignments(this.#context, orderId, wait);
  }

  assignSeat(orderId: string, position: number, attendee: PersonalInfo): Promise<SeatChanged> {
    return assignSeat(this.#context, orderId, position, attendee);
  }

  unassignSeat(orderId: string, position: number): Promise<SeatChanged> {
    return unassignSeat(this.#context, orderId, position);
  }
}

export type { RegistrationServiceOptions } from './context.ts';
export type { OrderView, OrderViewLine, OrderWait, Viewed, WaitUntil, OrderStatusName } from './order-view.ts';
export type { PlacedOrder, PlaceOrderOptions, SeatsChanged } from './orders.ts';
export type { CheckedOut, IssuedPayment, CheckoutOptions } from './checkout.ts';
export type { PaymentAnswered, PaymentSummary } from './payments.ts';
export type { AssignedSeat, SeatsAssigned, SeatChanged } from './assignments.ts';
export type { LocatedOrder } from './locate.ts';
export type { SeatRequest } from './seat-request.ts';
export type { TokenCheck };
export { NotFoundError, OrderExistsError } from './errors.ts';

/**
 * The refusals of the registrant's commands (API.md Public, DOMAIN 3.2.3) that the service adds to
 * the deciders' own. A {@link DomainError} is a refusal by the current state (HTTP 409); a
 * {@link NotFoundError} names something that does not exist (HTTP 404).
 */
import { DomainError } from '../../../platform/processing/commands.ts';

export { DomainError };

/** Something the request names does not exist (or, for credentials, must look as if it did not). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export const CONFERENCE_NOT_FOUND = 'Conference not found.';
export const ORDER_NOT_FOUND = 'Order not found.';
export const PAYMENT_LINK_INVALID = 'This payment link is not valid.';
export const NO_ORDER_FOUND = 'No order was found for this e-mail address and order number.';

export const ORDER_EXISTS = 'This order already exists; change it with PUT /api/orders/{orderId}/seats.';
export const REGISTRATION_CLOSED = 'Registration for this conference is closed.';
export const PAYMENT_IN_PROGRESS = 'A payment for this order is in progress.';
export const NOT_RESERVED = 'Only an order whose seats are all reserved can be checked out.';
export const PAYMENT_LINK_USED = 'This payment link has been used already.';
export const NOT_CONFIRMED = 'Seats can be assigned once the order is completed.';

/**
 * A new order whose id is taken (API.md: an `orderId` makes placing idempotent only for the same
 * request with the order's access code). `wrongAccessCode`: an access code was given and is not
 * the order's, which counts as a failed credential check.
 */
export class OrderExistsError extends DomainError {
  override readonly name = 'OrderExistsError';
  constructor(readonly wrongAccessCode: boolean) {
    super(ORDER_EXISTS);
  }
}

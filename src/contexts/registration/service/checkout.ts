/**
 * Checkout (DOMAIN 6.1 "Checkout", 3.3): the registrant's details, then a zero-cost confirmation or
 * a payment with the processor. Only a fully reserved order within its hold may be checked out.
 */
import { newId } from '../../../platform/messages/ids.ts';
import { decideAndAppend } from '../../../platform/processing/commands.ts';
import type { Tx } from '../../../platform/store/store.ts';
import { paymentAggregate } from '../../payments/payment.ts';
import { issuePaymentToken } from '../../payments/payment-tokens.ts';
import { valid } from '../../shared/field-checks.ts';
import type { PersonalInfo } from '../contract.ts';
import { HOLD_ENDED, ORDER_CONFIRMED, ORDER_EXPIRED, type OrderState, orderAggregate } from '../order.ts';
import { checkPersonalInfo } from '../personal-info.ts';
import { type ServiceContext, holdEnded, httpCommand, logCommand, nowIso, transact } from './context.ts';
import { DomainError, NOT_RESERVED, NotFoundError, ORDER_NOT_FOUND } from './errors.ts';

/** A payment handed to the processor: its page is `redirectUrl`, which carries the one-time token. */
export interface IssuedPayment {
  paymentId: string;
  token: string;
  /** `/payment?paymentId=…&token=…` */
  redirectUrl: string;
}

export interface CheckedOut {
  orderId: string;
  position: number;
  /** Absent for a zero-cost order, which was confirmed instead. */
  payment?: IssuedPayment;
}

export interface CheckoutOptions {
  /** The page session the processor's token is bound to (pages only). */
  sessionId?: string;
}

/** The processor page of a payment (DOMAIN 6.1 "Simulated processor"). */
export function processorUrl(paymentId: string, token: string): string {
  return `/payment?${new URLSearchParams({ paymentId, token })}`;
}

/**
 * Refuses (DomainError) a checkout the order's state does not allow (DOMAIN 3.2.3 hold window):
 * confirmed, expired, not fully reserved (a partial reservation must first be accepted by changing
 * the seats), or past its hold by the server's clock.
 */
export function checkCheckout(order: OrderState, now: string): void {
  if (order.status === 'None') throw new NotFoundError(ORDER_NOT_FOUND);
  if (order.status === 'Confirmed') throw new DomainError(ORDER_CONFIRMED);
  if (order.status === 'Expired') throw new DomainError(ORDER_EXPIRED);
  if (order.status !== 'ReservationCompleted') throw new DomainError(NOT_RESERVED);
  if (holdEnded(order.reservationAutoExpiration, now)) throw new DomainError(HOLD_ENDED);
}

/**
 * Assigns the registrant, then either confirms a free order (in that order, so the confirmation
 * e-mail knows the registrant) or initiates a payment of the priced total, one item per priced
 * line, with a one-time token for the processor's answer. All in one transaction: a refusal stores
 * nothing. Invalid registrant details: `ValidationError` keyed `firstName`, `lastName`, `email`.
 */
export async function checkout(context: ServiceContext, orderId: string, registrant: PersonalInfo, options: CheckoutOptions = {}): Promise<CheckedOut> {
  const details = valid(checkPersonalInfo(registrant));
  const known = await context.order(orderId);
  checkCheckout(known, nowIso());
  const conference = await context.catalogue.orderingConferenceById(known.conferenceId);
  const seatTypeNames = new Map((await context.catalogue.seatTypes(known.conferenceId)).map((seatType) => [seatType.id, seatType.name]));
  const { store, registry } = context;
  const assign = httpCommand('AssignRegistrantDetails', { orderId, ...details }, orderId, orderId);

  const { result: payment, position } = await transact(store, async (tx: Tx) => {
    // Decided on the order as it is inside the transaction, not as it was read above.
    const order = await context.order(orderId, tx);
    checkCheckout(order, nowIso());
    await logCommand(store, tx, assign);
    await decideAndAppend(store, registry, tx, orderAggregate, orderId, assign);
    if (order.isFreeOfCharge) {
      const confirm = httpCommand('ConfirmOrder', { orderId }, orderId, orderId);
      await logCommand(store, tx, confirm);
      await decideAndAppend(store, registry, tx, orderAggregate, orderId, confirm);
      return undefined;
    }
    const paymentId = newId();
    const initiate = httpCommand(
      'InitiateThirdPartyProcessorPayment',
      {
        paymentId,
        paymentSourceId: orderId,
        conferenceId: order.conferenceId,
        description: `Registration for ${conference?.name ?? 'the conference'}`,
        totalAmount: order.total,
        items: order.lines.map((line) => ({ description: seatTypeNames.get(line.seatType) ?? line.seatType, amount: line.lineTotal })),
      },
      paymentId,
      orderId,
    );
    await logCommand(store, tx, initiate);
    await decideAndAppend(store, registry, tx, paymentAggregate, paymentId, initiate);
    const token = await issuePaymentToken(tx, paymentId, options.sessionId);
    return { paymentId, token, redirectUrl: processorUrl(paymentId, token) };
  });
  return { orderId, position, ...(payment ? { payment } : {}) };
}

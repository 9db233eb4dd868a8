/**
 * The processor's answers to a payment (DOMAIN 3.3, 6.1 "Simulated processor") and the payment as
 * the registrant sees it. An answer needs the payment's one-time token, used up in the same
 * transaction as the command it sends.
 */
import { decideAndAppend, loadAggregate } from '../../../platform/processing/commands.ts';
import type { Tx } from '../../../platform/store/store.ts';
import { PAYMENT_SOURCE } from '../../payments/contract.ts';
import { type PaymentStatus, paymentAggregate } from '../../payments/payment.ts';
import { type TokenCheck, checkPaymentToken, usePaymentToken } from '../../payments/payment-tokens.ts';
import { paymentsProjection } from '../read-models/payments.ts';
import { type ServiceContext, httpCommand, logCommand, transact } from './context.ts';
import { DomainError, NotFoundError, PAYMENT_LINK_INVALID, PAYMENT_LINK_USED } from './errors.ts';
import { Deadline, handlersReached, readUntil } from './waiting.ts';

export type PaymentAnswer = 'accept' | 'reject';

export interface PaymentAnswered {
  paymentId: string;
  orderId: string;
  position: number;
}

export interface PaymentSummary {
  id: string;
  orderId: string;
  status: Lowercase<PaymentStatus>;
  /** Cents. */
  amount: number;
  description: string;
}

const COMMANDS = { accept: 'CompleteThirdPartyProcessorPayment', reject: 'CancelThirdPartyProcessorPayment' } as const;

/** The order a payment is for, as its stream says; undefined for an unknown payment. */
export async function orderOfPayment(context: ServiceContext, paymentId: string): Promise<string | undefined> {
  const { state } = await loadAggregate(context.store, context.registry, paymentAggregate, paymentId);
  return state.status === 'None' ? undefined : state.paymentSourceId;
}

/** Whether a token may still answer this payment (pages show the processor only for a valid one). */
export function paymentTokenCheck(context: ServiceContext, paymentId: string, token: string, sessionId?: string): Promise<TokenCheck> {
  return checkPaymentToken(context.store.db, paymentId, token, sessionId);
}

/**
 * Sends the processor's answer: accept → `CompleteThirdPartyProcessorPayment`, reject →
 * `CancelThirdPartyProcessorPayment`. A token that is not this payment's (or not this session's)
 * → {@link NotFoundError}; a used one → DomainError. The payment decider refuses an answer that
 * contradicts an earlier one; the token then stays unused.
 */
export async function answerPayment(
  context: ServiceContext,
  paymentId: string,
  answer: PaymentAnswer,
  token: string,
  options: { sessionId?: string } = {},
): Promise<PaymentAnswered> {
  const { store, registry } = context;
  const { result: orderId, position } = await transact(store, async (tx: Tx) => {
    const check = await usePaymentToken(tx, paymentId, token, options.sessionId);
    if (check === 'unknown') throw new NotFoundError(PAYMENT_LINK_INVALID);
    if (check === 'used') throw new DomainError(PAYMENT_LINK_USED);
    const { state } = await loadAggregate(store, registry, paymentAggregate, paymentId, tx);
    const command = httpCommand(COMMANDS[answer], { paymentId }, paymentId, state.paymentSourceId);
    await logCommand(store, tx, command);
    await decideAndAppend(store, registry, tx, paymentAggregate, paymentId, command);
    return state.paymentSourceId;
  });
  return { paymentId, orderId, position };
}

/**
 * The payment from the payments read model, once it has processed the log up to `minPosition`.
 * When the read model does not answer in time (`stale`), the payment as its own stream says.
 */
export async function paymentSummary(
  context: ServiceContext,
  paymentId: string,
  minPosition: number | undefined,
  deadline: Deadline,
): Promise<{ payment: PaymentSummary | undefined; stale: boolean }> {
  const reached = await handlersReached(context.progress, [paymentsProjection], minPosition, deadline);
  const { value, ready } = await readUntil(context.store, () => context.readModels.payment(paymentId), (found) => found !== undefined, reached ? deadline : new Deadline(0));
  if (value && reached) {
    const { orderId, status, amount, description } = value;
    return { payment: { id: paymentId, orderId, status: lower(status), amount, description }, stale: false };
  }
  return { payment: await paymentFromStream(context, paymentId), stale: !ready || !reached };
}

function lower<S extends string>(status: S): Lowercase<S> {
  return status.toLowerCase() as Lowercase<S>;
}

/** The payment folded from its stream, with the description of its `PaymentInitiated`. */
async function paymentFromStream(context: ServiceContext, paymentId: string): Promise<PaymentSummary | undefined> {
  const events = await context.store.readStream({ sourceType: PAYMENT_SOURCE, sourceId: paymentId });
  if (events.length === 0) return undefined;
  const { decider } = paymentAggregate;
  const state = events
    .map((stored) => context.registry.upcast(stored))
    .reduce((folded, event) => decider.evolve(folded, event as Parameters<typeof decider.evolve>[1]), decider.initialState);
  const initiated = context.registry.upcast(events[0]).data as { description: string };
  return { id: paymentId, orderId: state.paymentSourceId, status: lower(state.status as PaymentStatus), amount: state.amount, description: initiated.description };
}

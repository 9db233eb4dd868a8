/**
 * The `ThirdPartyProcessorPayment` aggregate (DOMAIN 3.3), id = payment id, as a pure decider. The
 * processor's answers may arrive twice: repeating the answer already given is a no-op; contradicting
 * it is refused.
 */
import { type Aggregate, DomainError } from '../../platform/processing/commands.ts';
import type { MessagesOf } from '../shared/typed-messages.ts';
import type * as Commands from './commands.ts';
import { PAYMENT_SOURCE, type PaymentEvents } from './contract.ts';

export type PaymentStatus = 'Initiated' | 'Completed' | 'Rejected' | 'Refunded';

export interface PaymentState {
  status: PaymentStatus | 'None';
  /** The order id. */
  paymentSourceId: string;
  conferenceId: string;
  /** Cents. */
  amount: number;
}

export type InitiateThirdPartyProcessorPayment = {
  type: 'InitiateThirdPartyProcessorPayment';
  data: Commands.InitiateThirdPartyProcessorPayment;
};
export type CompleteThirdPartyProcessorPayment = { type: 'CompleteThirdPartyProcessorPayment'; data: Commands.CompleteThirdPartyProcessorPayment };
export type CancelThirdPartyProcessorPayment = { type: 'CancelThirdPartyProcessorPayment'; data: Commands.CancelThirdPartyProcessorPayment };
export type RefundPayment = { type: 'RefundPayment'; data: Commands.RefundPayment };
export type PaymentCommand = InitiateThirdPartyProcessorPayment | CompleteThirdPartyProcessorPayment | CancelThirdPartyProcessorPayment | RefundPayment;

export type PaymentEvent = MessagesOf<typeof PaymentEvents>;

/** Refusal messages, by the state that refuses. */
export const PAYMENT_REFUSALS = {
  None: 'This payment does not exist.',
  Initiated: 'This payment is not completed.',
  Completed: 'This payment is already completed.',
  Rejected: 'This payment was rejected.',
  Refunded: 'This payment was refunded.',
} as const satisfies Record<PaymentState['status'], string>;
export const PAYMENT_EXISTS = 'This payment already exists.';

const initialState: PaymentState = { status: 'None', paymentSourceId: '', conferenceId: '', amount: 0 };

/**
 * `from` → the event; `to` (the state that event leads to) → nothing; any other state → refused.
 */
function transition(state: PaymentState, from: PaymentStatus, to: PaymentStatus, event: PaymentEvent): PaymentEvent[] {
  if (state.status === from) return [event];
  if (state.status === to) return [];
  throw new DomainError(PAYMENT_REFUSALS[state.status]);
}

function decide(command: PaymentCommand, state: PaymentState): PaymentEvent[] {
  const { paymentSourceId, amount } = state;
  switch (command.type) {
    case 'InitiateThirdPartyProcessorPayment': {
      if (state.status !== 'None') throw new DomainError(PAYMENT_EXISTS);
      const { paymentSourceId, conferenceId, totalAmount, description, items } = command.data;
      return [{ type: 'PaymentInitiated', data: { paymentSourceId, conferenceId, amount: totalAmount, description, items } }];
    }
    case 'CompleteThirdPartyProcessorPayment':
      return transition(state, 'Initiated', 'Completed', { type: 'PaymentCompleted', data: { paymentSourceId, amount } });
    case 'CancelThirdPartyProcessorPayment':
      return transition(state, 'Initiated', 'Rejected', { type: 'PaymentRejected', data: { paymentSourceId } });
    case 'RefundPayment':
      return transition(state, 'Completed', 'Refunded', {
        type: 'PaymentRefunded',
        data: { paymentSourceId, amount, reason: command.data.reason },
      });
  }
}

function evolve(state: PaymentState, event: PaymentEvent): PaymentState {
  switch (event.type) {
    case 'PaymentInitiated': {
      const { paymentSourceId, conferenceId, amount } = event.data;
      return { status: 'Initiated', paymentSourceId, conferenceId, amount };
    }
    case 'PaymentCompleted':
      return { ...state, status: 'Completed' };
    case 'PaymentRejected':
      return { ...state, status: 'Rejected' };
    case 'PaymentRefunded':
      return { ...state, status: 'Refunded' };
  }
}

export const paymentAggregate: Aggregate<PaymentState, PaymentCommand, PaymentEvent> = {
  sourceType: PAYMENT_SOURCE,
  decider: { initialState, evolve, decide },
};

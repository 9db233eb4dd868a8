import { describe, it } from 'vitest';
import { given } from '../shared/decider-spec.ts';
import { PAYMENT_EXISTS, PAYMENT_REFUSALS, type PaymentCommand, type PaymentEvent, paymentAggregate } from './payment.ts';

const paymentId = 'payment-1';
const paymentSourceId = 'order-1';
const items = [{ description: 'General admission × 2', amount: 398_00 }];

const initiate: PaymentCommand = {
  type: 'InitiateThirdPartyProcessorPayment',
  data: { paymentId, paymentSourceId, conferenceId: 'conference-1', description: 'Registration for DevConf', totalAmount: 398_00, items },
};
const complete: PaymentCommand = { type: 'CompleteThirdPartyProcessorPayment', data: { paymentId } };
const cancel: PaymentCommand = { type: 'CancelThirdPartyProcessorPayment', data: { paymentId } };
const refund: PaymentCommand = { type: 'RefundPayment', data: { paymentId, reason: 'OrderExpired' } };

const initiated: PaymentEvent = {
  type: 'PaymentInitiated',
  data: { paymentSourceId, conferenceId: 'conference-1', amount: 398_00, description: 'Registration for DevConf', items },
};
const completed: PaymentEvent = { type: 'PaymentCompleted', data: { paymentSourceId, amount: 398_00 } };
const rejected: PaymentEvent = { type: 'PaymentRejected', data: { paymentSourceId } };
const refunded: PaymentEvent = { type: 'PaymentRefunded', data: { paymentSourceId, amount: 398_00, reason: 'OrderExpired' } };

describe('payment: initiation', () => {
  it('creates the payment with its description and items', () => {
    given(paymentAggregate).when(initiate).then([initiated]);
  });

  it('refuses a second initiation of the same payment', () => {
    given(paymentAggregate, [initiated]).when(initiate).thenRefused(PAYMENT_EXISTS);
  });
});

describe('payment: completion', () => {
  it('completes an initiated payment', () => {
    given(paymentAggregate, [initiated]).when(complete).then([completed]);
  });

  it('records nothing for a payment already completed', () => {
    given(paymentAggregate, [initiated, completed]).when(complete).thenNothing();
  });

  it('refuses a rejected, refunded or unknown payment', () => {
    given(paymentAggregate, [initiated, rejected]).when(complete).thenRefused(PAYMENT_REFUSALS.Rejected);
    given(paymentAggregate, [initiated, completed, refunded]).when(complete).thenRefused(PAYMENT_REFUSALS.Refunded);
    given(paymentAggregate).when(complete).thenRefused(PAYMENT_REFUSALS.None);
  });
});

describe('payment: cancellation', () => {
  it('rejects an initiated payment', () => {
    given(paymentAggregate, [initiated]).when(cancel).then([rejected]);
  });

  it('records nothing for a payment already rejected', () => {
    given(paymentAggregate, [initiated, rejected]).when(cancel).thenNothing();
  });

  it('refuses a completed, refunded or unknown payment', () => {
    given(paymentAggregate, [initiated, completed]).when(cancel).thenRefused(PAYMENT_REFUSALS.Completed);
    given(paymentAggregate, [initiated, completed, refunded]).when(cancel).thenRefused(PAYMENT_REFUSALS.Refunded);
    given(paymentAggregate).when(cancel).thenRefused(PAYMENT_REFUSALS.None);
  });
});

describe('payment: refund', () => {
  it('refunds a completed payment in full, with the reason', () => {
    given(paymentAggregate, [initiated, completed]).when(refund).then([refunded]);
  });

  it('records nothing for a payment already refunded', () => {
    given(paymentAggregate, [initiated, completed, refunded]).when(refund).thenNothing();
  });

  it('refuses an initiated, rejected or unknown payment', () => {
    given(paymentAggregate, [initiated]).when(refund).thenRefused(PAYMENT_REFUSALS.Initiated);
    given(paymentAggregate, [initiated, rejected]).when(refund).thenRefused(PAYMENT_REFUSALS.Rejected);
    given(paymentAggregate).when(refund).thenRefused(PAYMENT_REFUSALS.None);
  });
});

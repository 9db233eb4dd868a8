/**
 * The events of a `ThirdPartyProcessorPayment` (DOMAIN 3.3): source id = payment id, versioned per
 * payment from 0; `paymentSourceId` is the order id; amounts in integer cents.
 */
import Type, { type Static } from 'typebox';
import type { MessageRegistry } from '../../platform/messages/registry.ts';

export const PAYMENT_SOURCE = 'ThirdPartyProcessorPayment';

const Cents = Type.Integer({ minimum: 0 });

export const REFUND_REASONS = ['OrderExpired', 'OrderChanged', 'DuplicatePayment', 'AmountMismatch', 'ReservationNotComplete', 'OrderNotFound'] as const;

export const PaymentRefunded = Type.Object({
  paymentSourceId: Type.String(),
  amount: Cents,
  reason: Type.Enum(REFUND_REASONS),
});
export type PaymentRefunded = Static<typeof PaymentRefunded>;

/** What a payment pays for: one item per priced order line. */
export const PaymentItem = Type.Object({ description: Type.String(), amount: Cents });
export type PaymentItem = Static<typeof PaymentItem>;

export const PaymentInitiated = Type.Object({
  paymentSourceId: Type.String(),
  conferenceId: Type.String(),
  amount: Cents,
  /** "Registration for <conference name>". */
  description: Type.String(),
  /** Empty for payments the V1 import generates. */
  items: Type.Array(PaymentItem),
});
export type PaymentInitiated = Static<typeof PaymentInitiated>;

export const PaymentEvents = {
  PaymentInitiated,
  PaymentCompleted: Type.Object({ paymentSourceId: Type.String(), amount: Cents }),
  PaymentRejected: Type.Object({ paymentSourceId: Type.String() }),
  PaymentRefunded,
} as const;
export type PaymentEventType = keyof typeof PaymentEvents;

export function definePaymentEvents(registry: MessageRegistry): void {
  for (const [type, schema] of Object.entries(PaymentEvents)) registry.define({ type, kind: 'event', schema });
}

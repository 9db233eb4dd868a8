/** Payments' commands (DOMAIN 3.3) as they are logged; amounts in integer cents. */
import Type, { type Static } from 'typebox';
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import { PaymentItem, REFUND_REASONS } from './contract.ts';

const Cents = Type.Integer({ minimum: 0 });

export const InitiateThirdPartyProcessorPayment = Type.Object({
  paymentId: Type.String(),
  /** The order id. */
  paymentSourceId: Type.String(),
  conferenceId: Type.String(),
  /** "Registration for <conference name>". */
  description: Type.String(),
  totalAmount: Cents,
  /** One per priced line. */
  items: Type.Array(PaymentItem),
});
export type InitiateThirdPartyProcessorPayment = Static<typeof InitiateThirdPartyProcessorPayment>;

export const CompleteThirdPartyProcessorPayment = Type.Object({ paymentId: Type.String() });
export type CompleteThirdPartyProcessorPayment = Static<typeof CompleteThirdPartyProcessorPayment>;

export const CancelThirdPartyProcessorPayment = Type.Object({ paymentId: Type.String() });
export type CancelThirdPartyProcessorPayment = Static<typeof CancelThirdPartyProcessorPayment>;

export const RefundPayment = Type.Object({ paymentId: Type.String(), reason: Type.Enum(REFUND_REASONS) });
export type RefundPayment = Static<typeof RefundPayment>;

export const PaymentCommands = {
  InitiateThirdPartyProcessorPayment,
  CompleteThirdPartyProcessorPayment,
  CancelThirdPartyProcessorPayment,
  RefundPayment,
} as const;
export type PaymentCommandType = keyof typeof PaymentCommands;

export function definePaymentCommands(registry: MessageRegistry): void {
  for (const [type, schema] of Object.entries(PaymentCommands)) registry.define({ type, kind: 'command', schema });
}

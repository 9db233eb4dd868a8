/**
 * Step 6 of the import (DOMAIN 7.5): each V1 payment becomes a `ThirdPartyProcessorPayment` stream
 * of generated events — `PaymentInitiated`, then `PaymentCompleted` or `PaymentRejected` — versions
 * 0, 1, message ids `Generated_<paymentId>_<TypeName>`, timestamp = its order's last V1 event,
 * amounts in cents, no items; marked imported, so only the payments read model consumes them. A
 * payment that V1 completed or rejected after a first import gets its second event in a re-run.
 */
import type { Message } from '../../../platform/messages/envelope.ts';
import { newEvent } from '../../../platform/messages/factory.ts';
import type { Store } from '../../../platform/store/store.ts';
import { PAYMENT_SOURCE, type PaymentEventType } from '../../payments/contract.ts';
import { asGenerated } from './generated-events.ts';
import type { V1History } from './history.ts';
import { centsFromDollars } from './money.ts';
import type { V1Payment } from './v1-store.ts';

const EVENTS_PER_TRANSACTION = 1000;

export interface PaymentsResult {
  payments: number;
  eventsWritten: number;
  /** Payments whose order has no V1 stream: not imported. */
  orphans: string[];
}

export function paymentEvents(payment: V1Payment, history: V1History, conferenceNames: ReadonlyMap<string, string>): Message[] | undefined {
  const order = history.orders.get(payment.orderId);
  if (!order) return undefined;
  const amount = centsFromDollars(payment.totalAmount);
  const origin = { correlationId: payment.orderId, causationId: null };
  const event = (type: PaymentEventType, data: unknown, version: number) =>
    asGenerated(newEvent(type, data, { sourceType: PAYMENT_SOURCE, sourceId: payment.id, version, origin }), order.lastTimestamp);
  const description = payment.description ?? `Registration for ${conferenceNames.get(order.conferenceId) ?? 'the conference'}`;
  const events = [event('PaymentInitiated', { paymentSourceId: payment.orderId, conferenceId: order.conferenceId, amount, description, items: [] }, 0)];
  if (payment.stateValue === 2) events.push(event('PaymentCompleted', { paymentSourceId: payment.orderId, amount }, 1));
  else if (payment.stateValue === 3) events.push(event('PaymentRejected', { paymentSourceId: payment.orderId }, 1));
  return events;
}

export async function importPayments(
  store: Store,
  payments: V1Payment[],
  history: V1History,
  options: { conferenceNames: ReadonlyMap<string, string>; dryRun: boolean },
): Promise<PaymentsResult> {
  const result: PaymentsResult = { payments: payments.length, eventsWritten: 0, orphans: [] };
  const messages: Message[] = [];
  for (const payment of payments) {
    const events = paymentEvents(payment, history, options.conferenceNames);
    if (events) messages.push(...events);
    else result.orphans.push(payment.id);
  }
  if (options.dryRun) return result;
  for (let start = 0; start < messages.length; start += EVENTS_PER_TRANSACTION) {
    const chunk = messages.slice(start, start + EVENTS_PER_TRANSACTION);
    await store.transaction(async (tx) => {
      result.eventsWritten += (await store.append(tx, chunk)).length;
    });
  }
  return result;
}

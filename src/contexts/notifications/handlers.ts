import type { HandlerDependencies } from '../../app/handlers.ts';
import type { LoggedMessage } from '../../platform/messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../../platform/processing/handler.ts';
import type { PaymentEventType, PaymentRefunded } from '../payments/contract.ts';
import type { OrderEventType, SeatAssigned, SeatAssignmentsEventType } from '../registration/contract.ts';
import { type OutgoingEmail, recordEmail } from './outbox.ts';
import { orderConfirmedEmail, refundEmails, seatAssignedEmail } from './registration-emails.ts';
import { RegistrationFacts } from './registration-facts.ts';

export const REGISTRATION_EMAILS = 'registration-emails';

/** Handlers that record the e-mails of DOMAIN 3.4 triggered by events. */
export function notificationHandlers(dependencies: HandlerDependencies): MessageHandler[] {
  return [registrationEmails(dependencies)];
}

type Trigger = Extract<OrderEventType, 'OrderConfirmed'> | Extract<SeatAssignmentsEventType, 'SeatAssigned'> | Extract<PaymentEventType, 'PaymentRefunded'>;

/**
 * Records the registrant's, attendee's and owner's e-mails on `OrderConfirmed`, `SeatAssigned` and
 * `PaymentRefunded`, in the transaction that checkpoints the event. The trigger is the event's
 * message id, so a redelivered event records nothing new (one e-mail per trigger and recipient).
 * Imported events are skipped (side effects), and replays send nothing.
 */
export function registrationEmails({ settings, registry }: HandlerDependencies): MessageHandler {
  const emailsFor = async (message: LoggedMessage, facts: RegistrationFacts): Promise<OutgoingEmail[]> => {
    const triggerId = message.metadata.messageId;
    switch (message.type as Trigger) {
      case 'OrderConfirmed': {
        const orderId = message.metadata.sourceId;
        const order = await facts.order(orderId, message.metadata.version ?? undefined);
        if (!order) throw new Error(`Order ${orderId} was confirmed but never placed`);
        // Nobody to write to: the order was confirmed without registrant details.
        if (!order.registrant) return [];
        if (!order.totals) throw new Error(`Order ${orderId} was confirmed without prices`);
        const { lines, total } = order.totals;
        const seatTypeNames = await facts.seatTypeNames(
          order.conferenceId,
          lines.map((line) => line.seatType),
        );
        const conference = await facts.conference(order.conferenceId);
        const confirmed = { accessCode: order.accessCode, registrant: order.registrant, lines, total, seatTypeNames };
        return [orderConfirmedEmail(triggerId, conference, confirmed, settings.publicUrl)];
      }
      case 'SeatAssigned': {
        const { attendee, seatType } = message.data as SeatAssigned;
        const { orderId, conferenceId } = await facts.assignments(message.metadata.sourceId);
        const conference = await facts.conference(conferenceId);
        const names = await facts.seatTypeNames(conferenceId, [seatType]);
        const order = await facts.order(orderId);
        return [seatAssignedEmail(triggerId, conference, { attendee, seatTypeName: names.get(seatType)!, registrant: order?.registrant ?? null })];
      }
      case 'PaymentRefunded': {
        const { paymentSourceId, amount, reason } = message.data as PaymentRefunded;
        const { conferenceId } = await facts.payment(message.metadata.sourceId);
        const order = await facts.order(paymentSourceId);
        const conference = await facts.conference(conferenceId);
        return refundEmails(triggerId, conference, { amount, reason, order: order ? { accessCode: order.accessCode, registrant: order.registrant } : null });
      }
    }
  };

  return {
    name: REGISTRATION_EMAILS,
    types: ['OrderConfirmed', 'SeatAssigned', 'PaymentRefunded'] satisfies Trigger[],
    sideEffects: true,
    async handle(message: LoggedMessage, context: HandlerContext) {
      if (context.replaying) return;
      const emails = await emailsFor(message, new RegistrationFacts(context.store, registry, context.tx));
      for (const email of emails) await recordEmail(context.tx, email);
    },
  };
}

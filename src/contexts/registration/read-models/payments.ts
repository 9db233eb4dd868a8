import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../../../platform/processing/handler.ts';
import { eventsToApply, versionOf } from '../../../platform/processing/in-order.ts';
import { type PaymentEventType, PaymentEvents } from '../../payments/contract.ts';
import type { MessagesOf } from '../../shared/typed-messages.ts';
import type { RegistrationReadModelDb } from './schema.ts';

export const PAYMENTS_PROJECTION = 'payments';

type PaymentEvent = MessagesOf<typeof PaymentEvents>;

/**
 * Payments (DOMAIN 5.2): each payment's state, applied in version order per payment (P1, P2);
 * description and amount from its `PaymentInitiated`, times from the events' timestamps (P6).
 */
export const paymentsProjection: MessageHandler = {
  name: PAYMENTS_PROJECTION,
  types: Object.keys(PaymentEvents) as PaymentEventType[],
  sideEffects: false,
  async handle(message: LoggedMessage, context: HandlerContext) {
    const db = context.tx.db as unknown as RegistrationReadModelDb;
    const paymentId = message.metadata.sourceId;
    const applied = await db.selectFrom('reg_payments').select('version').where('payment_id', '=', paymentId).executeTakeFirst();
    const events = await eventsToApply(context, applied?.version ?? -1);
    if (events.length === 0) return;
    for (const event of events) await apply(db, paymentId, event);
    context.tx.topics.add('read_models');
  },
};

async function apply(db: RegistrationReadModelDb, paymentId: string, message: LoggedMessage): Promise<void> {
  const event = message as unknown as PaymentEvent;
  const version = versionOf(message);
  const at = message.metadata.createdAt;
  if (event.type === 'PaymentInitiated') {
    const { paymentSourceId, conferenceId, amount, description } = event.data;
    await db
      .insertInto('reg_payments')
      .values({
        payment_id: paymentId,
        order_id: paymentSourceId,
        conference_id: conferenceId,
        description,
        amount,
        status: 'Initiated',
        refund_reason: null,
        initiated_at: at,
        updated_at: at,
        version,
      })
      .execute();
    return;
  }
  const change =
    event.type === 'PaymentCompleted'
      ? { status: 'Completed' }
      : event.type === 'PaymentRejected'
        ? { status: 'Rejected' }
        : { status: 'Refunded', refund_reason: event.data.reason };
  const updated = await db.updateTable('reg_payments').set({ ...change, updated_at: at, version }).where('payment_id', '=', paymentId).executeTakeFirst();
  if (updated.numUpdatedRows === 0n) throw new Error(`Payment ${paymentId}: ${message.type} v${version} comes before its PaymentInitiated`);
}

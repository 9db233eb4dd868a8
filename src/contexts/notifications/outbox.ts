import { newId } from '../../platform/messages/ids.ts';
import type { Tx } from '../../platform/store/store.ts';
import { notificationsDb } from './schema.ts';

export interface OutgoingEmail {
  /** The message (or request) that causes the e-mail: one e-mail per trigger and recipient. */
  triggerId: string;
  to: string;
  subject: string;
  /** Plain text. */
  body: string;
}

/**
 * Records an e-mail to send, in the caller's transaction (so it exists exactly when the change that
 * caused it does). A second e-mail for the same trigger and recipient is ignored. The sender
 * delivers recorded e-mails afterwards.
 */
export async function recordEmail(tx: Tx, email: OutgoingEmail, now = new Date()): Promise<void> {
  await notificationsDb(tx.db)
    .insertInto('emails')
    .values({
      id: newId(),
      trigger_id: email.triggerId,
      recipient: email.to,
      subject: email.subject,
      body: email.body,
      status: 'queued',
      attempts: 0,
      last_error: null,
      created_at: now.toISOString(),
      next_attempt_at: now.toISOString(),
      sent_at: null,
    })
    .onConflict((oc) => oc.columns(['trigger_id', 'recipient']).doNothing())
    .execute();
  tx.topics.add('emails');
}

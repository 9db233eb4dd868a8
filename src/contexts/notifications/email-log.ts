import type { Executor } from '../../platform/store/dialect.ts';
import { type EmailStatus, notificationsDb } from './schema.ts';

/** One recorded e-mail as the operator sees it (API.md `GET /api/ops/emails`). */
export interface RecordedEmail {
  id: string;
  /** The recipient. */
  to: string;
  /** The message or request that caused it. */
  trigger: string;
  subject: string;
  body: string;
  status: EmailStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  /** When the sender tries (again); null once the e-mail is sent or failed. */
  nextAttemptAt: string | null;
  sentAt: string | null;
}

export interface EmailFilter {
  /** Matched in any case. */
  recipients?: string[];
  triggerIds?: string[];
  statuses?: EmailStatus[];
  /** Only e-mails recorded before this one (an e-mail id: the previous page's `next`, header `x-next-after`). */
  after?: string;
  limit: number;
}

/**
 * The operator's view of recorded e-mails (API.md `GET /api/ops/emails`), newest first: OR within a
 * filter, AND across. Answers undefined when `after` names no e-mail.
 */
export async function listEmails(executor: Executor, filter: EmailFilter): Promise<{ emails: RecordedEmail[]; next: string | null } | undefined> {
  const db = notificationsDb(executor);
  let query = db
    .selectFrom('emails')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1);
  if (filter.after !== undefined) {
    const cursor = await db.selectFrom('emails').select(['created_at', 'id']).where('id', '=', filter.after).executeTakeFirst();
    if (!cursor) return undefined;
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(cursor.created_at, cursor.id)));
  }
  if (filter.recipients?.length) {
    const recipients = filter.recipients.map((recipient) => recipient.toLowerCase());
    query = query.where((eb) => eb(eb.fn('lower', ['recipient']), 'in', recipients));
  }
  if (filter.triggerIds?.length) query = query.where('trigger_id', 'in', filter.triggerIds);
  if (filter.statuses?.length) query = query.where('status', 'in', filter.statuses);
  const rows = await query.execute();
  const more = rows.length > filter.limit;
  const page = more ? rows.slice(0, filter.limit) : rows;
  return {
    emails: page.map((row) => ({
      id: row.id,
      to: row.recipient,
      trigger: row.trigger_id,
      subject: row.subject,
      body: row.body,
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: row.created_at,
      nextAttemptAt: row.status === 'queued' ? row.next_attempt_at : null,
      sentAt: row.sent_at,
    })),
    next: more ? page[page.length - 1].id : null,
  };
}

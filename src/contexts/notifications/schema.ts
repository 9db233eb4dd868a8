import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/store/dialect.ts';
import type { MigrationSet } from '../../platform/store/migrations.ts';

export const EMAIL_STATUSES = ['queued', 'sent', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** Every e-mail the system sends, recorded once per trigger and recipient (DOMAIN 3.4). */
export interface EmailsTable {
  /** UUIDv7; also the `Message-ID` of the sent e-mail, so a resend after a crash is recognisable. */
  id: string;
  /** The message id (or request id) that caused the e-mail. */
  trigger_id: string;
  recipient: string;
  subject: string;
  body: string;
  status: EmailStatus;
  attempts: number;
  last_error: string | null;
  created_at: string;
  /** When the sender may try (again). */
  next_attempt_at: string;
  sent_at: string | null;
}

export interface NotificationsDatabase {
  emails: EmailsTable;
}

/** The store's database (or a transaction) seen with the notification tables. */
export function notificationsDb(executor: Executor): Kysely<NotificationsDatabase> {
  return executor as unknown as Kysely<NotificationsDatabase>;
}

export const notificationMigrations: MigrationSet = () => ({
  '0002-notifications': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('emails')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('trigger_id', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .addUniqueConstraint('emails_trigger_recipient', ['trigger_id', 'recipient'])
        .execute();
      await db.schema.createIndex('emails_pending').on('emails').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('emails_created').on('emails').columns(['created_at', 'id']).execute();
    },
  },
});

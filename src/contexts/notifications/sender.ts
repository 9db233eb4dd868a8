import type { Updateable } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import { DueLoop } from '../../platform/processing/due-loop.ts';
import { type Logger, silentLogger } from '../../platform/processing/logger.ts';
import { PauseSwitch } from '../../platform/processing/pause-switch.ts';
import type { Store } from '../../platform/store/store.ts';
import { type EmailsTable, notificationsDb } from './schema.ts';

/** DOMAIN 3.4 / API.md `maxDeliveryAttempts`: an e-mail is `failed` after this many failed attempts. */
export const MAX_DELIVERY_ATTEMPTS = 5;

/** Longest one SMTP delivery may take before it is abandoned (and counts as a failed attempt). */
const SEND_TIMEOUT_MS = 60_000;
/**
 * How long claimed e-mails stay with the sender that claimed them. Longer than a batch can take (its
 * e-mails are sent side by side, each within SEND_TIMEOUT_MS), so another sender only takes them
 * over when the first one died; it then sends them again (DOMAIN 3.4 accepts that resend).
 */
const CLAIM_LEASE_MS = 5 * 60_000;
const MAX_ERROR_LENGTH = 1000;

export interface EmailSenderOptions {
  /** `smtp://…` or `smtps://…`; unset: recording is sending. */
  smtpUrl: string | undefined;
  /** The `From` of every e-mail. */
  mailFrom: string;
  /** Delay before the first retry; each further one doubles it (default 1 minute). */
  backoffBaseMs?: number;
  /** E-mails claimed and sent at a time (default 10). */
  batchSize?: number;
  /** Idle re-check for e-mails recorded by processes that cannot notify this one (default 5 s). */
  idleCheckMs?: number;
  logger?: Logger;
}

interface Claimed {
  id: string;
  recipient: string;
  subject: string;
  body: string;
  attempts: number;
  /** The `next_attempt_at` the claim wrote: only the claimant may settle the e-mail while it holds. */
  lease: string;
}

/**
 * Delivers recorded e-mails (DOMAIN 3.4): claims queued e-mails that are due, sends each through
 * SMTP with its row id as `Message-ID`, and marks it `sent`; a failed attempt is retried with
 * exponential back-off, and after {@link MAX_DELIVERY_ATTEMPTS} the e-mail is `failed`. Without an
 * SMTP URL, due e-mails are marked `sent` without delivery. Several senders may run on one store:
 * a claim moves the e-mails' next attempt past the lease (claimed with SKIP LOCKED on PostgreSQL),
 * so no other sender takes them while the claimant lives. Woken by newly recorded e-mails.
 */
export class EmailSender {
  readonly #loop: DueLoop;
  readonly #switch: PauseSwitch;
  readonly #transport: Transporter | undefined;
  readonly #logger: Logger;
  /** Aborted by `stop`: deliveries in flight are abandoned and their e-mails released at once. */
  #stopping = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly options: EmailSenderOptions,
  ) {
    this.#logger = options.logger ?? silentLogger;
    this.#transport =
      options.smtpUrl === undefined
        ? undefined
        : nodemailer.createTransport({ url: options.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
    const work = { runDue: (now: Date) => this.#runDue(now), nextDue: () => this.#nextDue() };
    this.#loop = new DueLoop(store, 'emails', work, {
      idleCheckMs: options.idleCheckMs,
      onError: (error) => this.#logger.error({ err: error }, 'e-mail sender failed; retrying'),
    });
    this.#switch = new PauseSwitch(this.#loop);
  }

  start(): void {
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController();
    this.#switch.start();
  }

  /** Abandons deliveries in flight (their e-mails stay queued, due at once) and stops. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#switch.stop();
  }

  /** Maintenance (DOMAIN 7.4): finishes the deliveries in flight, then sends nothing until {@link resume}. */
  pause(): Promise<void> {
    return this.#switch.pause();
  }

  resume(): Promise<void> {
    return this.#switch.resume();
  }

  get #db() {
    return notificationsDb(this.store.db);
  }

  async #runDue(now: Date): Promise<number> {
    const transport = this.#transport;
    if (!transport) return this.#markDueSent(now);
    const claimed = await this.#claim(now);
    const outcomes = await Promise.allSettled(claimed.map((email) => this.#deliver(transport, email)));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return claimed.length;
  }

  /** Recording is sending: due e-mails become `sent` as they are. */
  async #markDueSent(now: Date): Promise<number> {
    const at = now.toISOString();
    const result = await this.#db
      .updateTable('emails')
      .set({ status: 'sent', sent_at: at })
      .where('status', '=', 'queued')
      .where('next_attempt_at', '<=', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async #claim(now: Date): Promise<Claimed[]> {
    return this.store.transaction(async (tx) => {
      const db = notificationsDb(tx.db);
      let query = db
        .selectFrom('emails')
        .select(['id', 'recipient', 'subject', 'body', 'attempts'])
        .where('status', '=', 'queued')
        .where('next_attempt_at', '<=', now.toISOString())
        .orderBy('next_attempt_at')
        .limit(this.options.batchSize ?? 10);
      if (this.store.dialect.skipLocked) query = query.forUpdate().skipLocked();
      const due = await query.execute();
      if (due.length === 0) return [];
      const lease = new Date(now.getTime() + CLAIM_LEASE_MS).toISOString();
      await db
        .updateTable('emails')
        .set({ next_attempt_at: lease })
        .where(
          'id',
          'in',
          due.map((email) => email.id),
        )
        .execute();
      return due.map((email) => ({ ...email, lease }));
    });
  }

  async #deliver(transport: Transporter, email: Claimed): Promise<void> {
    const stopping = this.#stopping.signal;
    try {
      await transport.sendMail({
        from: this.options.mailFrom,
        to: email.recipient,
        subject: email.subject,
        text: email.body,
        messageId: `<${email.id}@contoso-conference>`,
        signal: AbortSignal.any([stopping, AbortSignal.timeout(SEND_TIMEOUT_MS)]),
      });
    } catch (error) {
      if (stopping.aborted) await this.#settle(email, { next_attempt_at: new Date().toISOString() });
      else await this.#failed(email, error);
      return;
    }
    await this.#settle(email, { status: 'sent', sent_at: new Date().toISOString() });
  }

  async #failed(email: Claimed, error: unknown): Promise<void> {
    const attempts = email.attempts + 1;
    const lastError = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH);
    const final = attempts >= MAX_DELIVERY_ATTEMPTS;
    const retryAt = new Date(Date.now() + (this.options.backoffBaseMs ?? 60_000) * 2 ** (attempts - 1));
    await this.#settle(email, { attempts, last_error: lastError, ...(final ? { status: 'failed' } : { next_attempt_at: retryAt.toISOString() }) });
    const context = { emailId: email.id, attempts, error: lastError };
    if (final) this.#logger.warn(context, 'e-mail delivery failed for good');
    else this.#logger.warn({ ...context, retryAt }, 'e-mail delivery failed; will retry');
  }

  /** Updates a claimed e-mail, unless its claim has lapsed and another sender has taken it over. */
  async #settle(email: Claimed, changes: Updateable<EmailsTable>): Promise<void> {
    await this.#db
      .updateTable('emails')
      .set(changes)
      .where('id', '=', email.id)
      .where('status', '=', 'queued')
      .where('next_attempt_at', '=', email.lease)
      .execute();
  }

  async #nextDue(): Promise<Date | undefined> {
    const row = await this.#db
      .selectFrom('emails')
      .select((eb) => eb.fn.min('next_attempt_at').as('due'))
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return row?.due ? new Date(row.due) : undefined;
  }
}

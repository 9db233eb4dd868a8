import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/app/open-store.ts';
import { type OutgoingEmail, recordEmail } from '../../src/contexts/notifications/outbox.ts';
import { EmailSender, type EmailSenderOptions } from '../../src/contexts/notifications/sender.ts';
import type { Logger } from '../../src/platform/processing/logger.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { type TestServer, testServerOn } from '../web/server-fixture.ts';

/**
 * E-mail delivery (DOMAIN 3.4) against a real SMTP server on a local port: the product's sender over
 * a real store, observed at the SMTP server and through the operator route `GET /api/ops/emails`.
 */

interface EmailView {
  id: string;
  to: string;
  trigger: string;
  subject: string;
  body: string;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
}

const MAIL_FROM = 'Contoso Conference <no-reply@contoso.test>';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const email = (n: number, extra: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  triggerId: `trigger-${n}`,
  to: `attendee${n}@example.com`,
  subject: `Your seat at Contoso Conf ${n}`,
  body: `Hello ${n},\n\nsee you there.`,
  ...extra,
});

describe.each(STORE_KINDS)('e-mail delivery on %s', (kind) => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let loggedErrors: unknown[];
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    server = await testServerOn(kind);
    smtp = await TestSmtpServer.start();
    loggedErrors = [];
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await smtp.stop();
    await server.close();
    // Delivery failures are warnings; an error means the sender itself failed (e.g. the store).
    expect(loggedErrors).toEqual([]);
  });

  const logger: Logger = { info() {}, warn() {}, error: (object) => loggedErrors.push(object) };

  /** Starts a sender (stopped after the test); by default through the test SMTP server, re-checking rarely. */
  function startSender(options: Partial<EmailSenderOptions> = {}, store: Store = server.store): EmailSender {
    const sender = new EmailSender(store, { smtpUrl: smtp.url, mailFrom: MAIL_FROM, idleCheckMs: 60_000, logger, ...options });
    sender.start();
    cleanups.push(() => sender.stop());
    return sender;
  }

  async function record(...emails: OutgoingEmail[]): Promise<void> {
    await server.store.transaction(async (tx) => {
      for (const outgoing of emails) await recordEmail(tx, outgoing);
    });
  }

  async function emails(query = ''): Promise<EmailView[]> {
    const response = await server.app.inject({ url: `/api/ops/emails?limit=1000&${query}`, headers: server.auth });
    expect(response.statusCode).toBe(200);
    return response.json() as EmailView[];
  }

  const byTrigger = async (triggerId: string) => (await emails(`trigger=${triggerId}`))[0];
  const allWith = (status: EmailView['status'], count: number) =>
    eventually(async () => {
      const listed = await emails(`status=${status}`);
      return listed.length === count && listed;
    });

  it('delivers each recorded e-mail once, From, To, Subject, text and Message-ID as recorded, and marks it sent', async () => {
    const accented = email(1, {
      to: 'zoe@example.com',
      subject: 'Zoë, your seat at Contoso Conf — order #AB12CD',
      body: `Hello Zoë,\n\nYour order: https://conference.example.com/contoso/order/${'x'.repeat(90)}\nTotal: 199,00 €\n`,
    });
    await record(accented, email(2));
    startSender();
    const sent = await allWith('sent', 2);

    expect(smtp.deliveries).toHaveLength(2);
    for (const view of sent) {
      const delivery = smtp.deliveries.find((d) => d.headers['message-id'] === `<${view.id}@contoso-conference>`);
      expect(delivery, view.id).toBeDefined();
      expect(delivery).toMatchObject({
        mailFrom: 'no-reply@contoso.test',
        rcptTo: [view.to],
        headers: { from: MAIL_FROM, to: view.to, subject: view.subject },
      });
      expect(delivery!.text).toBe(view.body.replace(/\n$/, ''));
      expect(view).toMatchObject({ status: 'sent', attempts: 0, lastError: null, nextAttemptAt: null });
      expect(Date.parse(view.sentAt!)).toBeGreaterThanOrEqual(Date.parse(view.createdAt));
    }
    expect((await byTrigger('trigger-1')).subject).toBe(accented.subject);

    // A new e-mail wakes the sender at once (its idle re-check is a minute away); nothing is sent twice.
    const before = Date.now();
    await record(email(3));
    await allWith('sent', 3);
    expect(Date.now() - before).toBeLessThan(5_000);
    await sleep(100);
    expect(smtp.deliveries).toHaveLength(3);
    expect([...smtp.countsByMessageId().values()]).toEqual([1, 1, 1]);
  });

  it('retries a refused e-mail with doubling back-off, then marks it failed after 5 attempts, the error visible', async () => {
    smtp.behaviour = 'reject';
    const base = 40;
    startSender({ backoffBaseMs: base });
    await record(email(1));

    const failed = await eventually(async () => {
      const view = await byTrigger('trigger-1');
      return view.status === 'failed' && view;
    });
    expect(failed).toMatchObject({ attempts: 5, nextAttemptAt: null, sentAt: null });
    expect(failed.lastError).toMatch(/451.*Mailbox busy/);
    expect(smtp.offers).toHaveLength(5);
    for (let i = 1; i < 5; i++) expect(smtp.offers[i] - smtp.offers[i - 1]).toBeGreaterThanOrEqual(base * 2 ** (i - 1));
    expect(await emails('status=failed')).toEqual([failed]);

    // Failed is final: no sixth attempt, even with the server accepting again.
    smtp.behaviour = 'accept';
    await record(email(2));
    await allWith('sent', 1);
    await sleep(20 * base);
    expect(smtp.offers).toHaveLength(6);
    expect(smtp.deliveries.map((d) => d.rcptTo)).toEqual([['attendee2@example.com']]);
  });

  it('counts a server that is down as a failed attempt, and delivers e-mails not yet failed once it is back', async () => {
    await smtp.stop();
    const quick = startSender({ backoffBaseMs: 5 });
    await record(email(1));
    const failed = await eventually(async () => {
      const view = await byTrigger('trigger-1');
      return view.status === 'failed' && view;
    });
    expect(failed.lastError).toMatch(/ECONNREFUSED/);
    await quick.stop();

    startSender({ backoffBaseMs: 300 });
    await record(email(2));
    const waiting = await eventually(async () => {
      const view = await byTrigger('trigger-2');
      return view.attempts >= 1 && view;
    });
    expect(waiting).toMatchObject({ status: 'queued', lastError: expect.stringMatching(/ECONNREFUSED/) });
    expect(Date.parse(waiting.nextAttemptAt!)).toBeGreaterThan(Date.now() - 300);

    await smtp.restart();
    const sent = await eventually(async () => {
      const view = await byTrigger('trigger-2');
      return view.status === 'sent' && view;
    });
    expect(sent.attempts).toBeGreaterThanOrEqual(1);
    expect(sent.attempts).toBeLessThan(5);
    expect(smtp.deliveries.map((d) => d.headers['message-id'])).toEqual([`<${sent.id}@contoso-conference>`]);
    expect((await byTrigger('trigger-1')).status).toBe('failed');
  });

  it('without SMTP_URL, marks recorded e-mails sent and delivers nothing', async () => {
    startSender({ smtpUrl: undefined });
    await record(email(1), email(2));
    const sent = await allWith('sent', 2);
    expect(sent.every((view) => view.attempts === 0 && view.sentAt !== null && view.lastError === null)).toBe(true);
    await record(email(3));
    await allWith('sent', 3);
    expect(smtp.offers).toEqual([]);
  });

  it('records one e-mail per trigger and recipient, however often it is recorded, and sends it once', async () => {
    await record(email(1), email(1, { subject: 'again' }));
    await record(email(1), email(1, { to: 'owner@example.com' }));
    const recorded = await emails();
    expect(recorded.map((view) => [view.trigger, view.to, view.subject]).sort()).toEqual([
      ['trigger-1', 'attendee1@example.com', 'Your seat at Contoso Conf 1'],
      ['trigger-1', 'owner@example.com', 'Your seat at Contoso Conf 1'],
    ]);
    startSender();
    await allWith('sent', 2);
    expect(smtp.deliveries.map((d) => d.rcptTo[0]).sort()).toEqual(['attendee1@example.com', 'owner@example.com']);
  });

  it('two senders on one database (as two processes on PostgreSQL) deliver each e-mail exactly once', async () => {
    // better-sqlite3 is synchronous: a second SQLite connection in this process would block the
    // thread while the first holds the write lock. Two SQLite senders share one store here.
    const other = kind === 'postgres' ? await openStore(server.config) : server.store;
    if (other !== server.store) cleanups.push(() => other.close());
    const total = 40;
    await record(...Array.from({ length: total / 2 }, (_, i) => email(i)));
    startSender({ mailFrom: 'a@contoso.test', batchSize: 3, idleCheckMs: 200 });
    startSender({ mailFrom: 'b@contoso.test', batchSize: 3, idleCheckMs: 200 }, other);
    for (let i = total / 2; i < total; i += 4) await record(...[0, 1, 2, 3].map((j) => email(i + j)));

    const sent = await allWith('sent', total);
    const counts = smtp.countsByMessageId();
    expect(counts.size).toBe(total);
    expect([...counts].filter(([, count]) => count !== 1)).toEqual([]);
    expect(new Set(sent.map((view) => `<${view.id}@contoso-conference>`))).toEqual(new Set(counts.keys()));
    // Both took part.
    expect(new Set(smtp.deliveries.map((d) => d.mailFrom))).toEqual(new Set(['a@contoso.test', 'b@contoso.test']));
  });

  it('stopping abandons a delivery the server does not answer, leaving the e-mail queued for the next sender', async () => {
    smtp.behaviour = 'stall';
    const stalled = startSender();
    await record(email(1));
    await eventually(() => smtp.offers.length === 1);
    const stopping = Date.now();
    await stalled.stop();
    expect(Date.now() - stopping).toBeLessThan(2_000);
    const released = await byTrigger('trigger-1');
    expect(released).toMatchObject({ status: 'queued', attempts: 0, lastError: null });
    expect(Date.parse(released.nextAttemptAt!)).toBeLessThanOrEqual(Date.now());

    smtp.behaviour = 'accept';
    startSender();
    await allWith('sent', 1);
    expect(smtp.deliveries).toHaveLength(1);
  });
});

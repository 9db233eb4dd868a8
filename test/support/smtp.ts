import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message the server accepted, decoded enough for tests (single-part text, as the sender writes). */
export interface Delivery {
  /** Envelope sender and recipients. */
  mailFrom: string;
  rcptTo: string[];
  /** Header fields by lower-case name, unfolded, encoded words decoded. */
  headers: Record<string, string>;
  /**
   * The text, transfer encoding undone, with `\n` line ends and without a final one (SMTP ends every
   * message with a line end, so whether the text had one cannot be told).
   */
  text: string;
}

/** `accept` delivers; `reject` answers DATA with a temporary failure; `stall` never answers DATA. */
export type SmtpBehaviour = 'accept' | 'reject' | 'stall';

/**
 * A real SMTP server on a free local port (no TLS, no authentication), recording what it accepts
 * and when each message was offered to it.
 */
export class TestSmtpServer {
  readonly deliveries: Delivery[] = [];
  /** When each message was offered (DATA received), accepted or not: `Date.now()` values. */
  readonly offers: number[] = [];
  behaviour: SmtpBehaviour = 'accept';
  #server: SMTPServer | undefined;

  private constructor(private port: number) {}

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(0);
    await smtp.restart();
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Listens (again) on the same port; the first start picks a free one. */
  async restart(): Promise<void> {
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 100,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.offers.push(Date.now());
          if (this.behaviour === 'stall') return;
          if (this.behaviour === 'reject') return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
          this.deliveries.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((address) => address.address),
            ...parseMessage(Buffer.concat(chunks).toString('latin1')),
          });
          callback();
        });
      },
    });
    // A sender that resets its connection (a process killed or stopping mid-conversation) is an
    // 'error' of the server; unheard, it would end the test process.
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening and drops open connections: senders get their connection refused. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Deliveries per Message-ID. */
  countsByMessageId(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const delivery of this.deliveries) {
      const id = delivery.headers['message-id'];
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }
}

function parseMessage(raw: string): Pick<Delivery, 'headers' | 'text'> {
  const split = raw.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const field of raw.slice(0, split).split(/\r\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    headers[field.slice(0, colon).toLowerCase()] = decodeWords(field.slice(colon + 1).replace(/\r\n[ \t]/g, ' ').trim());
  }
  const body = raw.slice(split + 4);
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(body, 'base64')
      : encoding === 'quoted-printable'
        ? quotedPrintable(body.replace(/=\r\n/g, ''))
        : Buffer.from(body, 'latin1');
  return { headers, text: bytes.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, '') };
}

/** `=XX` escapes to bytes; everything else as it is. */
function quotedPrintable(text: string): Buffer {
  return Buffer.from(text.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`); white space between two of them is dropped. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, _charset: string, kind: string, text: string) =>
      (kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : quotedPrintable(text.replace(/_/g, ' '))).toString('utf8'),
    );
}

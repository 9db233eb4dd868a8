import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/app/open-store.ts';
import { recordEmail } from '../../src/contexts/notifications/outbox.ts';
import { eventually } from '../support/eventually.ts';
import { conference, conferenceEnvironment, runConference } from '../support/conference-cli.ts';
import { TestSmtpServer } from '../support/smtp.ts';

/** Starts `serve` on a free port; resolves with its base URL and printed operator token. */
async function serve(env: NodeJS.ProcessEnv) {
  const process = conference(['serve'], { ...env, PORT: '0' });
  const deadline = Date.now() + 30_000;
  let match: RegExpMatchArray | null = null;
  while (!(match = /listening on (http:\/\/localhost:\d+)\n(?:.*\n)*?Operator token: (\S+)/.exec(process.output()))) {
    if (Date.now() > deadline || process.child.exitCode !== null) throw new Error(`serve did not start: ${process.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ...process, url: match[1], token: match[2] };
}

describe('the conference CLI', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'contoso-cli-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('migrate applies the migrations to DATA_DIR/contoso.sqlite and exits 0; again, nothing to do', async () => {
    const first = await runConference(['migrate'], conferenceEnvironment(dataDir));
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('0001-platform');
    expect(statSync(join(dataDir, 'contoso.sqlite')).isFile()).toBe(true);
    const second = await runConference(['migrate'], conferenceEnvironment(dataDir));
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('up to date');
  });

  it('exits 2 on usage errors: unknown command, bad option value, missing arguments', async () => {
    const unknown = await runConference(['frobnicate'], conferenceEnvironment(dataDir));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect((await runConference(['serve', '--role', 'gardener'], conferenceEnvironment(dataDir))).code).toBe(2);
    expect((await runConference(['dead-letters', 'retry'], conferenceEnvironment(dataDir))).code).toBe(2);
    expect((await runConference(['dead-letters', 'discard', 'x'], conferenceEnvironment(dataDir))).code).toBe(2);
    expect((await runConference(['--help'], conferenceEnvironment(dataDir))).code).toBe(0);
  });

  it('exits 2 with a clear message on bad configuration, before touching any store', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'eighty' }, /PORT: must be a whole number/],
      [{ PORT: '70000' }, /PORT/],
      [{ NATS_URL: 'nats://127.0.0.1:4222' }, /NATS_URL: .*DATABASE_URL/],
      [{ DATABASE_URL: 'postgres://127.0.0.1:1/none' }, /OPERATOR_TOKEN: required with DATABASE_URL[\s\S]*SESSION_SECRET: required/],
      [{ SESSION_SECRET: 'too-short' }, /SESSION_SECRET: must be at least 32 bytes/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
      [{ METRICS_PUBLIC: 'yes' }, /METRICS_PUBLIC/],
    ];
    for (const [extra, message] of cases) {
      const result = await runConference(['serve'], conferenceEnvironment(dataDir, extra));
      expect(result.code, JSON.stringify(extra)).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(() => statSync(join(dataDir, 'contoso.sqlite'))).toThrow();
  });

  it('serve answers /health, prints the URL, the kept operator token and the demo access code, and exits 0 on SIGTERM', async () => {
    const server = await serve(conferenceEnvironment(dataDir));
    const demoLine = /Demo conference: http:\/\/localhost:\d+\/demo\/ \(manage it with owner@demo\.example and access code ([A-Z1-9]{6})\)/;
    const [, demoCode] = await eventually(() => demoLine.exec(server.output()) ?? undefined);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ops = await fetch(`${server.url}/api/ops/timers`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(ops.status).toBe(200);

    for (const file of ['operator-token', 'session-secret']) {
      expect(statSync(join(dataDir, file)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(dataDir, 'operator-token'), 'utf8').trim()).toBe(server.token);
    expect(Buffer.byteLength(readFileSync(join(dataDir, 'session-secret'), 'utf8').trim())).toBeGreaterThanOrEqual(32);

    server.child.kill('SIGTERM');
    expect(await server.exited).toMatchObject({ code: 0, signal: null });
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();

    // Generated once: the next start keeps the same token.
    const again = await serve(conferenceEnvironment(dataDir));
    expect(again.token).toBe(server.token);
    // The demo conference was seeded once: the same one is announced again.
    expect((await eventually(() => demoLine.exec(again.output()) ?? undefined))[1]).toBe(demoCode);
    again.child.kill('SIGINT');
    expect(await again.exited).toMatchObject({ code: 0, signal: null });
  });

  it('serve runs the e-mail sender: recorded e-mails go out through SMTP_URL from MAIL_FROM', async () => {
    const smtp = await TestSmtpServer.start();
    try {
      const store = await openStore({ store: { kind: 'sqlite', file: join(dataDir, 'contoso.sqlite') } });
      await store.transaction((tx) => recordEmail(tx, { triggerId: 't1', to: 'ann@example.com', subject: 'Hello', body: 'Hi Ann' }));
      await store.close();
      const server = await serve(conferenceEnvironment(dataDir, { SMTP_URL: smtp.url, MAIL_FROM: 'Contoso <events@contoso.test>' }));
      const delivery = await eventually(() => smtp.deliveries.find((d) => d.rcptTo[0] === 'ann@example.com'));
      expect(delivery).toMatchObject({ mailFrom: 'events@contoso.test', rcptTo: ['ann@example.com'], headers: { subject: 'Hello' }, text: 'Hi Ann' });
      server.child.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
    } finally {
      await smtp.stop();
    }
  });

  it('dead-letters list and discard work on the configured store; an unknown id fails with 1', async () => {
    const list = await runConference(['dead-letters', 'list'], conferenceEnvironment(dataDir));
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('No dead letters.');
    const discard = await runConference(['dead-letters', 'discard', 'nope', '--reason', 'test'], conferenceEnvironment(dataDir));
    expect(discard.code).toBe(1);
    expect(discard.stderr).toContain('No such dead letter: nope');
  });
});

import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conferenceEnvironment, runConference } from '../support/conference-cli.ts';
import { settle, ordersServer } from '../web/orders-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';
import { dump, registrations, unitNamed } from './support.ts';

/** Runs `conference` on the test server's SQLite store (its processing stopped meanwhile). */
function run(server: TestServer, args: string[]) {
  if (server.config.store.kind !== 'sqlite') throw new Error('SQLite only');
  return runConference(args, conferenceEnvironment(dirname(server.config.store.file)));
}

describe('the read-model commands', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await ordersServer('sqlite');
    const traffic = registrations(server);
    for (let i = 0; i < 4; i++) await traffic.register();
    await settle(server);
    await server.processing!.stop();
  });
  afterAll(() => server.close());

  it('rebuild, read-models, switch, replay and retire', async () => {
    const unit = unitNamed('draft-orders');
    const before = await dump(server.store, unit);

    const rebuilt = await run(server, ['rebuild', 'draft-orders']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toMatch(/draft-orders: version 2 built from \d+ log entries/);
    expect(rebuilt.stdout).toContain('Readers now use version 2.');
    expect(await dump(server.store, unit, 2)).toEqual(before);

    const listed = await run(server, ['read-models', '--json']);
    expect(listed.code).toBe(0);
    const entries = JSON.parse(listed.stdout) as Array<{ name: string; version: number; status: string }>;
    expect(entries.filter((e) => e.name === 'draft-orders').map(({ version, status }) => ({ version, status }))).toEqual([
      { version: 1, status: 'standby' },
      { version: 2, status: 'live' },
    ]);
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['conferences', 'seat-types', 'priced-orders', 'seat-assignments', 'payments', 'management-orders', 'seat-sales', 'sales-over-time']));

    expect((await run(server, ['switch', 'draft-orders', '1'])).code).toBe(0);
    expect((await run(server, ['retire', 'draft-orders', '1'])).code).toBe(1);
    expect((await run(server, ['retire', 'draft-orders', '2'])).code).toBe(0);
    expect((await run(server, ['rebuild', 'no-such-model'])).code).toBe(2);

    const replayed = await run(server, ['replay', '--into', 'payments', '--types', 'PaymentInitiated']);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toMatch(/Scratch version 2 of payments: 2 log entries replayed/);
    const scratch = await dump(server.store, unitNamed('payments'), 2);
    expect(scratch.reg_payments.map((row) => JSON.parse(row).status)).toEqual(['Initiated', 'Initiated']);
    expect((await run(server, ['switch', 'payments', '2'])).code).toBe(1);
    expect((await run(server, ['retire', 'payments', '2'])).code).toBe(0);
  });
});

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, registrationClient } from '../../bench/support/registration-client.ts';
import { DEFAULT_POOL_SIZE as POOL_SIZE } from '../../src/platform/store/postgres.ts';
import { checkInvariants } from '../../soak/invariants.ts';
import { type Traffic, createSoakConference } from '../../soak/traffic.ts';
import { Load, LoadStats, missingEffects, published, recordingClient } from './support/load.ts';
import { PrivatePostgres } from './support/private-postgres.ts';
import { type ServeProcess, freePort, startServe } from './support/serve-process.ts';
import { readLogRows } from './support/store-log.ts';

/**
 * `conference serve` on PostgreSQL when the database goes away or stops taking writes: a private
 * PostgreSQL instance (STACK.md) is stopped (fast or immediate) and started again while registration
 * traffic runs, and a database is made read-only. The server never crashes and needs no restart;
 * requests during the outage answer 503 with a message, promptly, never 500 and never hanging; once
 * the database is back, every acknowledged command has its effects in the log, every order ends
 * final, seats add up, no e-mail went out twice and nothing was dead-lettered for the outage.
 */
const RESTARTS = 3;
const USERS = 4;
const HOLD_SECONDS = 3;
const BUFFER_SECONDS = 2;
/** How long a request may take to be refused while the database is down. */
const REFUSAL_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('conference serve on PostgreSQL when the database goes away', () => {
  let postgres: PrivatePostgres;
  const token = randomBytes(16).toString('hex');
  const operator = { authorization: `Bearer ${token}` };

  beforeAll(async () => {
    postgres = await PrivatePostgres.create();
  }, 120_000);
  afterAll(async () => {
    await postgres?.destroy();
  });

  async function serveOn(database: string, port: number, holdSeconds = HOLD_SECONDS): Promise<ServeProcess> {
    await postgres.sql(`CREATE DATABASE ${database}`);
    return startServe(port, {
      DATABASE_URL: postgres.url(database),
      OPERATOR_TOKEN: token,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      RESERVATION_HOLD_SECONDS: String(holdSeconds),
      SEAT_RELEASE_BUFFER_SECONDS: String(BUFFER_SECONDS),
      CONFERENCE_CREATION_LIMIT: '0',
    });
  }

  /** A write sent while the database cannot take it: answered 503 with a message within REFUSAL_MS. */
  async function expectRefused(url: string, slug: string, seatTypeId: string, message: RegExp): Promise<number> {
    const started = performance.now();
    const response = await fetch(new URL(`/api/conferences/${slug}/orders`, url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seats: [{ seatTypeId, quantity: 1 }] }),
      signal: AbortSignal.timeout(REFUSAL_MS),
    });
    const body = (await response.json()) as { error?: { code: string; message: string } };
    expect(response.status, JSON.stringify(body)).toBe(503);
    expect(body.error?.code).toBe('unavailable');
    expect(body.error?.message).toMatch(message);
    return performance.now() - started;
  }

  it(`keeps every acknowledged command and the invariants across ${RESTARTS} restarts of PostgreSQL under registration load`, async () => {
    const port = await freePort();
    const server = await serveOn('contoso_restarts', port);
    const stats = new LoadStats();
    const client = recordingClient(server.url, stats);
    let load: Load | undefined;
    const outages: Array<{ mode: string; down: number; up: number; refusedInMs: number }> = [];
    try {
      const traffic: Traffic = { client, conference: await createSoakConference(client), orders: [], located: [] };
      await published(client, traffic.conference.slug);
      load = new Load(traffic, stats, USERS);
      for (let r = 0; r < RESTARTS; r++) {
        await load.acknowledgedMore(3 + Math.floor(Math.random() * 8), 60_000);
        await sleep(Math.floor(Math.random() * 300));
        const mode = r % 2 === 0 ? 'immediate' : 'fast';
        const down = performance.now();
        await postgres.stop(mode);
        const refusedInMs = await expectRefused(server.url, traffic.conference.slug, traffic.conference.general, /cannot be reached/);
        const ready = await fetch(new URL('/health/ready', server.url), { signal: AbortSignal.timeout(REFUSAL_MS) });
        expect(ready.status).toBe(503);
        await sleep(1500 + Math.floor(Math.random() * 1500));
        await postgres.start();
        outages.push({ mode, down, up: performance.now(), refusedInMs: Math.round(refusedInMs) });
        console.log(`PostgreSQL ${mode} restart ${r + 1}: down ${((performance.now() - down) / 1000).toFixed(1)} s, a write refused in ${Math.round(refusedInMs)} ms; ${stats.summary()}`);
      }
      // The server recovered by itself: commands are acknowledged again.
      await load.acknowledgedMore(5, 60_000);
      await load.stop();

      const problems = await checkInvariants(traffic, operator, (HOLD_SECONDS + BUFFER_SECONDS) * 1000);
      const missing = missingEffects(stats.acknowledged, await readLogRows({ postgresUrl: postgres.url('contoso_restarts') }));
      const deadLetters = await registrationClient(server.url).call<unknown[]>('GET', '/api/ops/dead-letters', undefined, operator);
      console.log(`${RESTARTS} restarts; ${traffic.orders.length} orders; ${stats.summary()}`, stats.samples);

      expect(server.alive, server.output()).toBe(true);
      expect(missing).toEqual([]);
      expect(deadLetters).toEqual([]);
      expect(problems).toEqual([]);
      // 5xx only while the database was away (or coming back), and only 503.
      expect(stats.serverErrors.filter((e) => e.status !== 503)).toEqual([]);
      const during = (at: number) => outages.some((o) => at >= o.down && at <= o.up + 5000);
      expect(stats.serverErrors.filter((e) => !during(e.at))).toEqual([]);
      expect(stats.hangs).toEqual([]);
      expect(stats.other).toEqual([]);
      expect(traffic.orders.length).toBeGreaterThan(RESTARTS);
    } finally {
      if (!server.alive) console.log(`serve exited:\n${server.output()}`);
      await load?.stop();
      await server.stop();
    }
  }, 300_000);

  it('answers writes 503 while the database is read-only, keeps serving reads, and takes writes again once it is writable', async () => {
    const database = 'contoso_read_only';
    // Holds outlast the test: the orders placed before stay reserved.
    const server = await serveOn(database, await freePort(), 300);
    const client = registrationClient(server.url);
    const terminate = () =>
      postgres.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`);
    try {
      const conference = await createSoakConference(client);
      await published(client, conference.slug);
      const seats = [{ seatTypeId: conference.general, quantity: 1 }];
      const earlier = await client.placeOrder(conference.slug, seats);
      expect((await client.order(earlier.id, earlier.accessCode, 'settled')).status).toBe('reserved');
      const inHand = await Promise.all(Array.from({ length: 3 }, () => client.placeOrder(conference.slug, seats)));

      await postgres.sql(`ALTER DATABASE ${database} SET default_transaction_read_only = on`);
      await terminate();
      // The first request may meet a connection that was just terminated: 503 either way, then read-only.
      let readOnly = false;
      for (let attempt = 0; attempt < 5 && !readOnly; attempt++) {
        try {
          await client.placeOrder(conference.slug, seats);
          throw new Error('an order was placed in a read-only database');
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          expect(error.status, error.message).toBe(503);
          readOnly = error.message.includes('The store is read-only: changes cannot be saved right now.');
        }
      }
      expect(readOnly).toBe(true);
      const started = Date.now();
      // Reads go on.
      expect((await client.call<{ slug: string }>('GET', `/api/conferences/${conference.slug}`)).slug).toBe(conference.slug);
      expect((await client.order(earlier.id, earlier.accessCode, 'settled')).status).toBe('reserved');
      await client.page(`/${conference.slug}/`);
      // Read-only for longer than a handler's five delivery attempts take.
      await sleep(Math.max(0, 5000 - (Date.now() - started)));
      await expect(client.placeOrder(conference.slug, seats)).rejects.toMatchObject({ status: 503 });

      await postgres.sql(`ALTER DATABASE ${database} RESET default_transaction_read_only`);
      await terminate();
      // Writable again, without a restart. Each pooled connection terminated just now may still refuse
      // one request (the pool's, and the subscriptions' reads race the client for them): never more.
      let later: { id: string; accessCode: string } | undefined;
      for (let attempt = 0; attempt <= POOL_SIZE && !later; attempt++) {
        try {
          later = await client.placeOrder(conference.slug, seats);
        } catch (error) {
          if (!(error instanceof HttpError && error.status === 503)) throw error;
        }
      }
      expect(later).toBeDefined();
      expect((await client.order(later!.id, later!.accessCode, 'settled')).status).toBe('reserved');
      for (const order of inHand) expect((await client.order(order.id, order.accessCode, 'settled')).status).toBe('reserved');
      expect(await client.call('GET', '/api/ops/dead-letters', undefined, operator)).toEqual([]);
      expect(server.alive, server.output()).toBe(true);
    } finally {
      await server.stop();
    }
  }, 120_000);
});

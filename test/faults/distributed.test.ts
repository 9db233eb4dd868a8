import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateNats } from '../../bench/support/nats-server.ts';
import { HttpError, type RegistrationClient, registrationClient } from '../../bench/support/registration-client.ts';
import { Cluster } from '../../bench/support/server-process.ts';
import { checkInvariants } from '../../soak/invariants.ts';
import { type SoakConference, type Traffic, createSoakConference } from '../../soak/traffic.ts';
import { openStore } from '../../src/app/open-store.ts';
import { originFromRequest } from '../../src/platform/messages/factory.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { partitionOf } from '../../src/platform/transport/partition.ts';
import { type StoreLocation, freshLocation } from '../support/stores.ts';
import { Load, LoadStats, missingEffects, published, recordingClient } from './support/load.ts';
import { readLogRows } from './support/store-log.ts';

/**
 * Distributed mode end to end (ARCHITECTURE 2): two `conference serve --role web` and two
 * `--role worker` processes on one fresh PostgreSQL database and a private NATS server (its own port
 * and store, so it can be restarted and its stream is nobody else's). Orders placed on one web
 * process are read, paid, confirmed and assigned through the other; registrants racing on both for
 * a scarce seat type get exactly its quota; a worker killed with SIGKILL under load has its
 * partitions taken over by the other once its leases run out; a log entry no handler can decode is
 * dead-lettered without holding up the orders behind it in its partition; NATS killed and started
 * again under load loses and doubles nothing; and every process exits 0 on SIGTERM.
 */
const HOLD_SECONDS = 40;
const BUFFER_SECONDS = 2;
/** Lease length of the NATS transport as `serve` runs it (src/platform/transport/leases.ts). */
const LEASE_MS = 15_000;
const RENEW_MS = 5_000;
const USERS_PER_WEB = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface OrderView {
  id: string;
  accessCode: string;
  status: string;
  lines: Array<{ seatTypeId: string; reserved: number }>;
}

describe('distributed mode: 2 web and 2 worker processes on PostgreSQL and NATS', () => {
  let nats: PrivateNats;
  let location: StoreLocation;
  let cluster: Cluster;
  let a: RegistrationClient;
  let b: RegistrationClient;
  let conference: SoakConference;

  beforeAll(async () => {
    nats = await PrivateNats.start();
    location = await freshLocation('postgres');
    cluster = await Cluster.start(
      {
        databaseUrl: location.url,
        natsUrl: nats.url,
        env: { RESERVATION_HOLD_SECONDS: String(HOLD_SECONDS), SEAT_RELEASE_BUFFER_SECONDS: String(BUFFER_SECONDS), CONFERENCE_CREATION_LIMIT: '0' },
      },
      { webs: 2, workers: 2 },
    );
    [a, b] = cluster.urls.map((url) => registrationClient(url));
    conference = await createSoakConference(a);
    await published(b, conference.slug);
    for (const client of [a, b]) await seatTypesListed(client, conference.slug, [conference.general, conference.workshop, conference.community]);
    await reservable(conference.slug, conference.general);
  }, 180_000);

  /**
   * Waits until a seat of the type can be reserved: the catalogue lists a seat type as soon as it is
   * published, and the seats availability learns its quota a few hops later (an order placed before
   * then is partially reserved). A 1-seat order is tried until one is reserved; it expires unpaid.
   */
  async function reservable(slug: string, seatTypeId: string): Promise<void> {
    const deadline = performance.now() + 60_000;
    for (;;) {
      const order = await a.placeOrder(slug, [{ seatTypeId, quantity: 1 }]);
      const settled = await a.call<OrderView>('GET', `/api/orders/${order.id}?until=settled&waitMs=10000`, undefined, { 'x-access-code': order.accessCode });
      if (settled.status === 'reserved') return;
      if (performance.now() > deadline) throw new Error(`${slug}: no seat reservable within 60 s`);
      await sleep(200);
    }
  }

  afterAll(async () => {
    const exits = await cluster?.stop();
    if (exits?.some((exit) => exit.code !== 0)) console.log('processes left at the end:', exits);
    await nats?.destroy();
    await location?.drop();
  }, 60_000);

  /** Every live read model has dealt with the whole log, on two readings in a row. */
  async function caughtUp(timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let quiet = 0;
    let last: unknown;
    while (quiet < 2) {
      const models = await b.call<Array<{ name: string; status: string; lagMessages: number }>>('GET', '/api/ops/read-models', undefined, cluster.operator);
      const lagging = models.filter((model) => model.status === 'live' && model.lagMessages > 0);
      quiet = lagging.length === 0 ? quiet + 1 : 0;
      last = lagging;
      if (performance.now() > deadline) throw new Error(`read models still lagging: ${JSON.stringify(last)}`);
      await sleep(300);
    }
  }

  /**
   * The soak's invariants through web B; the seat figures are read once the read models have caught
   * up (a web process runs no subscriptions, so its /metrics has no lag to wait on).
   */
  function invariants(traffic: Traffic): Promise<string[]> {
    const settling: RegistrationClient = {
      ...traffic.client,
      call: async <T,>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> => {
        if (method === 'GET' && path.endsWith('/stats')) await caughtUp();
        return traffic.client.call<T>(method, path, body, headers);
      },
    };
    return checkInvariants({ ...traffic, client: settling }, cluster.operator, (HOLD_SECONDS + BUFFER_SECONDS) * 1000);
  }

  /** The soak's traffic through both web processes at once, sharing the orders and the statistics. */
  function loadOnBothWebs(): { stats: LoadStats; traffic: Traffic; loads: Load[]; stop(): Promise<void> } {
    const stats = new LoadStats();
    const orders: Traffic['orders'] = [];
    const located: Traffic['located'] = [];
    const traffics = cluster.urls.map((url): Traffic => ({ client: recordingClient(url, stats), conference, orders, located }));
    const loads = traffics.map((traffic) => new Load(traffic, stats, USERS_PER_WEB));
    return { stats, traffic: traffics[1], loads, stop: async () => void (await Promise.all(loads.map((load) => load.stop()))) };
  }

  async function logRows() {
    return readLogRows({ postgresUrl: location.url });
  }

  async function sql<T extends pg.QueryResultRow>(statement: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: location.url });
    await client.connect();
    try {
      return (await client.query<T>(statement, values)).rows;
    } finally {
      await client.end();
    }
  }

  /** Live holders of partition leases, with how many each holds. */
  async function leaseHolders(): Promise<Array<{ owner: string; partitions: string }>> {
    return sql(`SELECT owner, count(*) AS partitions FROM transport_leases WHERE name LIKE 'CONTOSO/%' AND owner IS NOT NULL AND expires_at > $1 GROUP BY owner`, [Date.now()]);
  }

  /** Milliseconds from `since` until one worker holds the relay and every partition lease, all unexpired. */
  async function tookOver(since: number, timeoutMs = 90_000): Promise<number> {
    for (;;) {
      const [row] = await sql<{ total: string; held: string; owners: string }>(
        `SELECT count(*) AS total,
                count(*) FILTER (WHERE owner IS NOT NULL AND expires_at > $1) AS held,
                count(DISTINCT owner) FILTER (WHERE expires_at > $1) AS owners
           FROM transport_leases WHERE name LIKE 'CONTOSO/%' OR name = 'relay:CONTOSO'`,
        [Date.now()],
      );
      if (Number(row.total) > 0 && row.held === row.total && Number(row.owners) === 1) return performance.now() - since;
      if (performance.now() - since > timeoutMs) throw new Error(`no takeover within ${timeoutMs} ms: ${JSON.stringify(row)}`);
      await sleep(200);
    }
  }

  /** Dead letters other than those of `except` (message ids). */
  async function deadLettersBut(except: string[] = []): Promise<unknown[]> {
    const letters = await b.call<Array<{ messageId: string }>>('GET', '/api/ops/dead-letters', undefined, cluster.operator);
    return letters.filter((letter) => !except.includes(letter.messageId));
  }

  let poisonId: string | undefined;

  it('runs a whole registration across the web processes: placed on A, paid and confirmed through B, seats assigned', async () => {
    const owner = conference.owner;
    const placed = await a.placeOrder(conference.slug, [{ seatTypeId: conference.general, quantity: 2 }]);
    const reserved = await b.call<OrderView>('GET', `/api/orders/${placed.id}?until=settled&waitMs=10000`, undefined, { 'x-access-code': placed.accessCode });
    expect(reserved.status).toBe('reserved');
    expect(reserved.lines.find((line) => line.seatTypeId === conference.general)?.reserved).toBe(2);

    const { payment } = await b.checkout(placed.id, placed.accessCode);
    await a.acceptPayment(payment, placed.accessCode);
    expect((await b.order(placed.id, placed.accessCode, 'confirmed')).status).toBe('confirmed');
    // The payment as web A sees it.
    const paid = await a.call<{ orderId: string; status: string }>('GET', `/api/payments/${payment.id}`, undefined, { 'x-access-code': placed.accessCode });
    expect(paid).toMatchObject({ orderId: placed.id, status: 'completed' });

    // Seat assignments: created by a worker, read on A, a seat assigned on B, seen on A.
    const code = { 'x-access-code': placed.accessCode };
    const seats = await eventually(() => a.call<Array<{ position: number; attendee: unknown }>>('GET', `/api/orders/${placed.id}/assignments`, undefined, code));
    expect(seats.map((seat) => seat.position)).toEqual([0, 1]);
    await b.call('PUT', `/api/orders/${placed.id}/assignments/0`, { firstName: 'Grace', lastName: 'Hopper', email: 'grace@distributed.example' }, code);
    await eventually(async () => {
      const now = await a.call<Array<{ position: number; attendee: { email: string } | null }>>('GET', `/api/orders/${placed.id}/assignments`, undefined, code);
      if (now[0].attendee?.email !== 'grace@distributed.example') throw new Error(`seat 0 not assigned yet: ${JSON.stringify(now[0])}`);
    });

    // The owner sees the sale through A and the order through B.
    const stats = await a.call<{ seatTypes: Array<{ id: string; sold: number }> }>('GET', `/api/management/conferences/${conference.slug}/stats`, undefined, owner);
    expect(stats.seatTypes.find((seat) => seat.id === conference.general)?.sold).toBe(2);
    expect(await deadLettersBut()).toEqual([]);
  }, 60_000);

  it('each worker serves its own metrics, to the operator only: the handlers it ran, the read models and the process', async () => {
    const handled = await Promise.all(
      cluster.workers.map(async (worker) => {
        expect(worker.url, worker.output()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect((await fetch(`${worker.url}/metrics`)).status).toBe(401);
        expect((await fetch(`${worker.url}/health/ready`)).status).toBe(200);
        expect((await fetch(`${worker.url}/api/conferences/${conference.slug}`)).status).toBe(404);
        const response = await fetch(`${worker.url}/metrics`, { headers: cluster.operator });
        expect(response.status).toBe(200);
        const text = await response.text();
        for (const metric of ['contoso_subscription_lag_messages', 'contoso_read_model_lag_seconds', 'contoso_dead_letters', 'process_resident_memory_bytes']) expect(text).toContain(metric);
        return [...text.matchAll(/^contoso_subscription_processed_total\{subscription="([^"]+)"\} (\d+)/gm)].map(([, name, count]) => ({ name, count: Number(count) }));
      }),
    );
    // Every handler is listed by both workers; between them they handled the registration above.
    for (const counts of handled) expect(counts.length).toBeGreaterThan(10);
    const total = (name: string) => handled.flat().filter((entry) => entry.name === name).reduce((sum, entry) => sum + entry.count, 0);
    expect(total('registration-process-manager')).toBeGreaterThan(0);
    expect(total('draft-orders')).toBeGreaterThan(0);
  });

  it('a session made by one web process opens on the other: log-in form from A, posted to B, signed in on A', async () => {
    const cookies = new Map<string, string>();
    const send = async (url: string, path: string, init: RequestInit = {}) => {
      const response = await fetch(new URL(path, url), {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      });
      for (const header of response.headers.getSetCookie()) {
        const [pair] = header.split(';');
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return { status: response.status, text: await response.text() };
    };
    const [urlA, urlB] = cluster.urls;
    const form = await send(urlA, '/ops');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    expect(csrf, form.text.slice(0, 500)).toBeDefined();
    // The CSRF secret in A's session cookie and the token check out on B.
    const login = await send(urlB, '/ops', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf!, token: cluster.operatorToken }).toString(),
    });
    expect(login.status, login.text.slice(0, 500)).toBe(303);
    // B's session cookie opens operator pages on A.
    const page = await send(urlA, '/ops/emails');
    expect(page.status, page.text.slice(0, 500)).toBe(200);
    expect(page.text).not.toContain('name="token"');
  }, 30_000);

  it('60 registrants on both web processes racing for 15 seats: exactly 15 hold one, the rest get none', async () => {
    const scarce = await scarceConference(a, 15);
    await published(b, scarce.slug);
    for (const client of [a, b]) await seatTypesListed(client, scarce.slug, [scarce.seatTypeId]);
    const clients = [a, b];
    const started = performance.now();
    const orders = await Promise.all(
      Array.from({ length: 60 }, async (_, n) => {
        const placed = await clients[n % 2].placeOrder(scarce.slug, [{ seatTypeId: scarce.seatTypeId, quantity: 1 }]);
        // Read back on the other web process, once its reservation has been answered.
        return settled(clients[(n + 1) % 2], placed);
      }),
    );
    console.log(`60 orders for 15 seats placed and answered in ${Math.round(performance.now() - started)} ms`);
    const reservedSeats = orders.map((order) => order.lines.reduce((sum, line) => sum + line.reserved, 0));
    expect(orders.filter((order) => order.status === 'reserved')).toHaveLength(15);
    expect(reservedSeats.reduce((sum, seats) => sum + seats, 0)).toBe(15);
    // DOMAIN: an order that obtained no seat is partially reserved with nothing held.
    const losers = orders.filter((order) => order.status !== 'reserved');
    expect(losers).toHaveLength(45);
    for (const order of losers) expect({ status: order.status, reserved: order.lines[0].reserved }).toEqual({ status: 'partially-reserved', reserved: 0 });

    await caughtUp();
    // Still within the holds: no seat has come back for a later order to take.
    expect(performance.now() - started).toBeLessThan(HOLD_SECONDS * 1000);
    const stats = await b.call<{ seatTypes: Array<{ id: string; quantity: number; sold: number; held: number; remaining: number }> }>(
      'GET',
      `/api/management/conferences/${scarce.slug}/stats`,
      undefined,
      scarce.owner,
    );
    expect(stats.seatTypes.find((seat) => seat.id === scarce.seatTypeId)).toMatchObject({ quantity: 15, sold: 0, held: 15, remaining: 0 });
  }, 90_000);

  it('a worker killed with SIGKILL under load: the other takes its partitions over, every order ends final, seats add up', async () => {
    const { stats, traffic, loads, stop } = loadOnBothWebs();
    let killedAt = 0;
    let takeoverMs = 0;
    try {
      await loads[0].acknowledgedMore(15, 60_000);
      // Both workers hold partitions: the one killed has work to be taken over.
      const before = await leaseHolders();
      expect(before, `${JSON.stringify(before)}\n${cluster.workers.map((worker) => `worker ${worker.pid}:\n${worker.output().slice(-3000)}`).join('\n')}`).toHaveLength(2);
      const victim = cluster.workers[0];
      killedAt = performance.now();
      await victim.kill();
      const acknowledgedAtKill = stats.acknowledged.length;
      // Load goes on while the dead worker's leases run out, until the survivor holds every partition and the relay.
      takeoverMs = await tookOver(killedAt);
      await loads[0].acknowledgedMore(10, 60_000);
      await stop();
      console.log(
        `worker ${victim.pid} killed after ${acknowledgedAtKill} acknowledged commands; the other held every lease ${Math.round(takeoverMs)} ms later; ` +
          `${traffic.orders.length} orders; ${stats.summary()}`,
      );
    } finally {
      await stop();
      // Back to two workers for what follows.
      if (cluster.running.filter((node) => node.role === 'worker').length < 2) await cluster.add('worker');
    }
    expect(killedAt).toBeGreaterThan(0);

    const problems = await invariants(traffic);
    const missing = missingEffects(stats.acknowledged, await logRows());

    expect(missing).toEqual([]);
    expect(problems).toEqual([]);
    // The survivor held the relay and every partition lease (tookOver), not before the dead worker's leases ran out (renewed at most 5 s before the kill, for 15 s).
    expect(takeoverMs).toBeGreaterThan(LEASE_MS - RENEW_MS - 1000);
    expect(takeoverMs).toBeLessThan(60_000);
    expect(await deadLettersBut()).toEqual([]);
    expect(stats.serverErrors).toEqual([]);
    expect(stats.hangs).toEqual([]);
    expect(stats.other).toEqual([]);
    expect(stats.acknowledged.filter((command) => command.at > killedAt).length).toBeGreaterThan(10);
  }, 200_000);

  it('dead-letters a log entry no handler can decode, without stalling the orders behind it in its partition', async () => {
    // An order placed and reserved first; the poison goes into the same partition, then the order goes on.
    const placed = await a.placeOrder(conference.slug, [{ seatTypeId: conference.general, quantity: 1 }]);
    expect((await b.order(placed.id, placed.accessCode, 'settled')).status).toBe('reserved');
    let sourceId = newId();
    while (partitionOf(sourceId) !== partitionOf(placed.id)) sourceId = newId();
    const store = await openStore({ store: { kind: 'postgres', url: location.url } });
    try {
      const [poison] = await store.transaction((tx) =>
        store.appendToStream(tx, { sourceType: 'Order', sourceId }, -1, [{ type: 'OrderPlaced', data: { conferenceId: 42, seats: 'none' } }], originFromRequest(sourceId)),
      );
      poisonId = poison.metadata.messageId;
    } finally {
      await store.close();
    }
    const { payment } = await b.checkout(placed.id, placed.accessCode);
    await a.acceptPayment(payment, placed.accessCode);
    expect((await b.order(placed.id, placed.accessCode, 'confirmed')).status).toBe('confirmed');
    // And an order placed after it, anywhere.
    const later = await b.placeOrder(conference.slug, [{ seatTypeId: conference.community, quantity: 1 }]);
    expect((await a.order(later.id, later.accessCode, 'settled')).status).toBe('reserved');

    const letters = await eventually(async () => {
      const list = await a.call<Array<{ messageId: string; handler: string; type: string; error: string }>>('GET', '/api/ops/dead-letters', undefined, cluster.operator);
      const mine = list.filter((letter) => letter.messageId === poisonId);
      if (mine.length === 0) throw new Error('not dead-lettered yet');
      return mine;
    });
    expect(letters[0]).toMatchObject({ type: 'OrderPlaced' });
    expect(letters[0].error).toMatch(/schema/);
    // Only the poison.
    expect(await deadLettersBut([poisonId!])).toEqual([]);
    await caughtUp();
  }, 90_000);

  it('NATS killed and started again under load: every acknowledged command kept, nothing handled or published twice', async () => {
    const { stats, traffic, loads, stop } = loadOnBothWebs();
    let downFor = 0;
    try {
      await loads[1].acknowledgedMore(15, 60_000);
      const down = performance.now();
      await nats.kill();
      // The web processes take commands meanwhile; the workers wait for NATS.
      await loads[0].acknowledgedMore(5, 30_000);
      await sleep(1500);
      await nats.start();
      downFor = performance.now() - down;
      await loads[0].acknowledgedMore(15, 90_000);
      await stop();
      console.log(`NATS down for ${(downFor / 1000).toFixed(1)} s; ${traffic.orders.length} orders; ${stats.summary()}`);
    } finally {
      await stop();
    }
    expect(downFor).toBeGreaterThan(1500);

    const problems = await invariants(traffic);
    const log = await logRows();
    const missing = missingEffects(stats.acknowledged, log);
    // Every placed order once in the log; confirmed or expired, never both nor twice.
    const ids = new Set(traffic.orders.map((order) => order.id));
    const count = (type: string) => {
      const counts = new Map<string, number>();
      for (const row of log) if (row.type === type && ids.has(row.source_id)) counts.set(row.source_id, (counts.get(row.source_id) ?? 0) + 1);
      return counts;
    };
    const placedCounts = count('OrderPlaced');
    const confirmed = count('OrderConfirmed');
    const expired = count('OrderExpired');
    const doubled = [...ids].filter((id) => placedCounts.get(id) !== 1 || (confirmed.get(id) ?? 0) + (expired.get(id) ?? 0) !== 1);
    // The stream holds each log entry once: the relay's republishing after the restart stored nothing twice.
    const nc = await connect({ servers: nats.url });
    const streamed = await (await jetstreamManager(nc)).streams.info('CONTOSO').finally(() => nc.close());
    const [{ n: logLength }] = await sql<{ n: string }>('SELECT count(*) AS n FROM messages');

    expect(missing).toEqual([]);
    expect(problems).toEqual([]);
    expect(doubled).toEqual([]);
    expect(streamed.state.messages).toBe(Number(logLength));
    expect(await deadLettersBut(poisonId ? [poisonId] : [])).toEqual([]);
    expect(stats.serverErrors).toEqual([]);
    expect(stats.hangs).toEqual([]);
    expect(stats.other).toEqual([]);
  }, 240_000);

  it('every process exits 0 on SIGTERM', async () => {
    const nodes = cluster.running;
    expect(nodes.map((node) => node.role).sort()).toEqual(['web', 'web', 'worker', 'worker']);
    const started = performance.now();
    const exits = await cluster.stop();
    const outputs = nodes.map((node) => `${node.role} ${node.pid}:\n${node.output()}`).join('\n');
    expect(exits.map((exit) => ({ role: exit.role, code: exit.code, signal: exit.signal })), outputs).toEqual(
      nodes.map((node) => ({ role: node.role, code: 0, signal: null })),
    );
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 60_000);
});

/** Retries `work` until it succeeds (HTTP 404/409 or an error it throws), for up to `timeoutMs`. */
async function eventually<T>(work: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (performance.now() > deadline || (error instanceof HttpError && error.status !== 404 && error.status !== 409)) throw error;
      await sleep(100);
    }
  }
}

/** Waits until the public API offers the seat types of a conference just published (Registration learns of them asynchronously). */
async function seatTypesListed(client: RegistrationClient, slug: string, ids: string[]): Promise<void> {
  await eventually(async () => {
    const { seatTypes } = await client.call<{ seatTypes: Array<{ id: string }> }>('GET', `/api/conferences/${slug}`);
    const missing = ids.filter((id) => !seatTypes.some((seat) => seat.id === id));
    if (missing.length > 0) throw new Error(`seat types not offered yet: ${missing.join(', ')}`);
  });
}

/** The order once its reservation has been answered (no longer pending), read through `client`. */
async function settled(client: RegistrationClient, placed: { id: string; accessCode: string }, timeoutMs = 60_000): Promise<OrderView> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const order = await client.call<OrderView>('GET', `/api/orders/${placed.id}?until=settled&waitMs=10000`, undefined, { 'x-access-code': placed.accessCode });
    if (order.status !== 'pending' || performance.now() > deadline) return order;
  }
}

/** A published conference with one free seat type of `quantity` seats. */
async function scarceConference(client: RegistrationClient, quantity: number): Promise<{ slug: string; seatTypeId: string; owner: { authorization: string } }> {
  const slug = `scarce_${Date.now().toString(36)}`;
  const ownerEmail = 'owner@scarce.example';
  const created = await client.call<{ accessCode: string }>('POST', '/api/management/conferences', {
    ownerName: 'Scarce Owner',
    ownerEmail,
    name: 'Scarce Conference',
    slug,
    description: 'Few seats, many registrants.',
    location: 'Somewhere',
    startDate: '2030-05-01',
    endDate: '2030-05-02',
  });
  const owner = { authorization: `Basic ${Buffer.from(`${ownerEmail}:${created.accessCode}`).toString('base64')}` };
  const base = `/api/management/conferences/${slug}`;
  const seat = await client.call<{ id: string }>('POST', `${base}/seat-types`, { name: 'Keynote', description: 'Front row', quantity, price: 0 }, owner);
  await client.call('POST', `${base}/publish`, undefined, owner);
  return { slug, seatTypeId: seat.id, owner };
}

/**
 * Distributed mode (ARCHITECTURE 2) against embedded mode, in the same run: the end-to-end paid
 * registration workload of `registration.bench.ts`, once against one `conference serve` on SQLite
 * (role all) and once against 2 `--role web` + 2 `--role worker` processes on PostgreSQL and a
 * private NATS JetStream server, the clients spread over the two web processes. Then one worker is
 * stopped and the distributed figure is measured again, for what a worker adds. The log-to-handler
 * latency is read from the message log afterwards.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { type Contender, compare, percentiles } from './support/measure.ts';
import { CpuMeter, namedCpuSeconds, processCpuSeconds } from './support/cpu.ts';
import { freshLocation } from './support/locations.ts';
import { PrivateNats } from './support/nats-server.ts';
import { type RegistrationClient, registrationClient } from './support/registration-client.ts';
import { type BenchConference, registrations } from './support/registration-load.ts';
import { Cluster, startServer } from './support/server-process.ts';
import { PARTITIONS } from '../src/platform/transport/partition.ts';
import type { BenchModule, BenchRow, BenchTable } from './support/types.ts';

const CLIENTS = 16;
/** Distributed throughput as a share of embedded throughput, on the same machine. */
const TARGET_RATIO = 0.5;

interface Stamped {
  messageId: string;
  type: string;
  causationId: string | null;
  createdAt: string;
}

export const benchmark: BenchModule = {
  name: 'distributed',
  description: `end-to-end paid registrations over HTTP, ${CLIENTS} clients: 2 web + 2 worker processes on PostgreSQL and NATS vs embedded`,
  async run(ctx) {
    if (!ctx.stores.includes('sqlite') || !ctx.stores.includes('postgres')) return [];
    const embedded = await startServer({ CONFERENCE_CREATION_LIMIT: '0' });
    ctx.onCleanup(() => embedded.close());
    const nats = await PrivateNats.start();
    ctx.onCleanup(() => nats.destroy());
    const location = await freshLocation('postgres', ctx.postgresAdminUrl);
    ctx.onCleanup(() => location.drop());
    const cluster = await Cluster.start({ databaseUrl: location.url, natsUrl: nats.url, env: { CONFERENCE_CREATION_LIMIT: '0' } }, { webs: 2, workers: 2 });
    ctx.onCleanup(async () => void (await cluster.stop()));
    ctx.log(`embedded at ${embedded.url}; web processes at ${cluster.urls.join(', ')}; NATS at ${nats.url}`);

    const single = registrationClient(embedded.url);
    const webs = cluster.urls.map((url) => registrationClient(url));
    const embeddedConference = await single.createConference({ quantity: 100_000, price: 19_900 });
    const distributedConference = await webs[0].createConference({ quantity: 100_000, price: 19_900 });
    for (const client of webs) await offered(client, distributedConference);
    await offered(single, embeddedConference);

    const meter = new CpuMeter({
      web: () => sum(cluster.webs.map((node) => processCpuSeconds(node.pid))),
      worker: () => sum(cluster.workers.map((node) => processCpuSeconds(node.pid))),
      postgres: () => namedCpuSeconds('postgres'),
      nats: () => (nats.pid ? processCpuSeconds(nats.pid) : 0),
      embedded: () => processCpuSeconds(embedded.pid),
    });
    // Long rounds: a distributed registration takes over a second, and every round pays for filling and
    // draining the clients' pipelines — in short rounds that, not the steady state, is measured.
    const budget = { ...ctx.budget, roundMs: ctx.budget.roundMs * 20 };

    // How the partitions are spread over the workers while measured (partition leases per worker).
    if (!(await leasesSettled(location.url, 2))) throw new Error('the partitions did not spread evenly over the 2 workers within 60 s');
    const spread2 = await partitionSpread(location.url);
    ctx.log(`partition leases per worker with 2 workers: ${spread2}`);

    // Two workers, alternating with embedded rounds.
    const twoWorkers = metered(registrations('distributed, 2 workers', webs, distributedConference, CLIENTS), meter);
    const embeddedRuns = metered(registrations('embedded', [single], embeddedConference, CLIENTS), meter);
    const [distributed2, embedded2] = await compare(budget, [twoWorkers.contender, embeddedRuns.contender]);
    ctx.log(`2 workers: ${distributed2.perSecond.toFixed(1)} orders/s vs embedded ${embedded2.perSecond.toFixed(1)} orders/s`);

    // One worker: the other stops gracefully and its partitions move over.
    const leaving = cluster.workers[1];
    await leaving.stop();
    if (!(await leasesSettled(location.url, 1))) throw new Error('the stopped worker\'s partitions did not move to the other within 60 s');
    const spread1 = await partitionSpread(location.url);
    const oneWorker = metered(registrations('distributed, 1 worker', webs, distributedConference, CLIENTS), meter);
    const embeddedAgain = metered(registrations('embedded', [single], embeddedConference, CLIENTS), meter);
    const [distributed1, embedded1] = await compare(budget, [oneWorker.contender, embeddedAgain.contender]);
    ctx.log(`1 worker: ${distributed1.perSecond.toFixed(1)} orders/s vs embedded ${embedded1.perSecond.toFixed(1)} orders/s`);

    // Log → handler latency: OrderPlaced's created_at to that of the MakeSeatReservation the
    // registration process manager logged in reaction (its causation id).
    const natsLatency = reactionLatencies(await postgresStamps(location.url));
    const inProcessLatency = reactionLatencies(sqliteStamps(embedded.sqliteFile));
    const [p50, p99] = percentiles(natsLatency, [50, 99]);
    const [b50, b99] = percentiles(inProcessLatency, [50, 99]);
    ctx.log(`log → handler: NATS p50 ${p50} ms p99 ${p99} ms (${natsLatency.length} samples); in-process p50 ${b50} ms p99 ${b99} ms (${inProcessLatency.length})`);

    // Per worker: the share of embedded each phase reached (embedded measured alongside, so drift cancels).
    const share2 = distributed2.perSecond / embedded2.perSecond;
    const share1 = distributed1.perSecond / embedded1.perSecond;
    const perWorker = (share2 - share1) * ((embedded2.perSecond + embedded1.perSecond) / 2);
    const cpu2 = twoWorkers.cpuPerOrder();
    const cpu1 = oneWorker.cpuPerOrder();
    const cpuText = (cpu: ReturnType<typeof twoWorkers.cpuPerOrder>) =>
      `${Object.entries(cpu.perOrderMs)
        .filter(([name]) => name !== 'embedded')
        .map(([name, ms]) => `${name} ${ms.toFixed(1)}`)
        .join(', ')} CPU-ms per confirmed order, machine ${(cpu.machineBusy * 100).toFixed(0)} % busy`;
    ctx.log(`CPU 2 workers: ${cpuText(cpu2)}; 1 worker: ${cpuText(cpu1)}; embedded ${embeddedRuns.cpuPerOrder().perOrderMs.embedded.toFixed(1)} CPU-ms/order`);

    const rows: BenchRow[] = [
      {
        store: 'postgres+nats',
        measurement: 'confirmed orders/s, 2 web + 2 workers',
        ours: { value: distributed2.perSecond, unit: 'orders/s' },
        baseline: { value: embedded2.perSecond, unit: 'orders/s', label: 'embedded' },
        target: { kind: 'ratio', min: TARGET_RATIO },
      },
      {
        store: 'postgres+nats',
        measurement: 'confirmed orders/s, 2 web + 1 worker',
        ours: { value: distributed1.perSecond, unit: 'orders/s' },
        baseline: { value: embedded1.perSecond, unit: 'orders/s', label: 'embedded' },
        note: `2 workers − 1 worker ≈ ${perWorker.toFixed(1)} orders/s (as shares of embedded)`,
      },
      {
        store: 'postgres+nats',
        measurement: 'log → handler p50',
        ours: { value: p50, unit: 'ms' },
        baseline: { value: b50, unit: 'ms', label: 'in-process' },
        higherIsBetter: false,
      },
      {
        store: 'postgres+nats',
        measurement: 'log → handler p99',
        ours: { value: p99, unit: 'ms' },
        baseline: { value: b99, unit: 'ms', label: 'in-process' },
        higherIsBetter: false,
      },
    ];
    const table: BenchTable = {
      title: `Distributed mode vs embedded (end-to-end registration, ${CLIENTS} HTTP clients)`,
      description:
        'The workload of the end-to-end registration table (whole paid registrations through the public JSON API, one seat each) ' +
        `run by ${CLIENTS} clients against two deployments on this machine, in alternating rounds of ${budget.roundMs / 1000} s each (longer than the budget's: a distributed registration takes over a second): embedded (one \`conference serve\`, ` +
        'SQLite) and distributed (2 `conference serve --role web` + 2 `--role worker` processes, a fresh PostgreSQL database, a private ' +
        '`nats-server -js`; the clients spread over the two web processes). Then one worker is stopped with SIGTERM, its partitions ' +
        'move to the other, and both are measured again. Log → handler: for every order, the time from its `OrderPlaced` log entry ' +
        '(`created_at`, written by a web process) to the `MakeSeatReservation` command the registration process manager logged in ' +
        'reaction (its `causation_id`): relay, JetStream, partition consumer and the handler\'s own transaction; all processes share ' +
        "one clock. The in-process baseline is the same pair in the embedded server's log.",
      rows,
      notes: [
        `Partition leases held per worker when measured: ${spread2} with 2 workers, ${spread1} with 1 (${PARTITION_NOTE}).`,
        `CPU with 2 workers: ${cpuText(cpu2)}; with 1 worker: ${cpuText(cpu1)}; embedded: ${embeddedRuns.cpuPerOrder().perOrderMs.embedded.toFixed(1)} CPU-ms per confirmed order (postgres counts every PostgreSQL process on the machine).`,
        `Throughput per added worker: the 2nd worker changed distributed throughput from ${(share1 * 100).toFixed(0)} % to ${(share2 * 100).toFixed(0)} % of embedded (≈ ${perWorker.toFixed(1)} orders/s). ` +
          'Every process here (web, workers, PostgreSQL, NATS, the load generator and the embedded server) shares 2 cores, so a worker can only add what the cores have left; ' +
          'on separate machines a worker adds up to the throughput one worker sustains, until PostgreSQL or the single relay (one per stream) saturates.',
      ],
    };
    return [table];
  },
};

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** A contender whose rounds are metered: CPU per confirmed order over everything it ran. */
function metered(contender: Contender, meter: CpuMeter) {
  const totals: Record<string, number> = {};
  let busy = 0;
  let rounds = 0;
  let units = 0;
  return {
    contender: {
      name: contender.name,
      async runFor(ms: number) {
        meter.reset();
        const done = await contender.runFor(ms);
        const { seconds, machineBusy } = meter.read();
        for (const [name, value] of Object.entries(seconds)) totals[name] = (totals[name] ?? 0) + value;
        busy += machineBusy;
        rounds++;
        units += done;
        return done;
      },
    } satisfies Contender,
    cpuPerOrder(): { perOrderMs: Record<string, number>; machineBusy: number } {
      const perOrderMs: Record<string, number> = {};
      for (const [name, value] of Object.entries(totals)) perOrderMs[name] = units > 0 ? (value * 1000) / units : Number.NaN;
      return { perOrderMs, machineBusy: rounds > 0 ? busy / rounds : 0 };
    },
  };
}

/**
 * Waits until the seat type can be reserved through this client: the public API offers it, and an
 * order for one seat is reserved in full. Registration learns of the seat type and of its quota
 * asynchronously (the catalogue shows the quota before the seats availability has it): an order
 * placed before the quota arrived is partially reserved, so it tries again.
 */
async function offered(client: RegistrationClient, conference: BenchConference): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const { seatTypes } = await client.call<{ seatTypes: Array<{ id: string }> }>('GET', `/api/conferences/${conference.slug}`);
      if (seatTypes.some((seat) => seat.id === conference.seatTypeId)) {
        const order = await client.placeOrder(conference.slug, [{ seatTypeId: conference.seatTypeId, quantity: 1 }]);
        const settled = order.status === 'pending' ? await client.order(order.id, order.accessCode, 'settled') : order;
        if (settled.status === 'reserved') return;
      }
    } catch {
      // not published yet
    }
    if (Date.now() > deadline) throw new Error(`${conference.slug} not reservable within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const PARTITION_NOTE = '16 partitions × handlers in all; an even spread is half each';

/** Unexpired partition leases held by each worker, most first (e.g. `112/112`). */
async function partitionSpread(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM transport_leases WHERE name LIKE 'CONTOSO/%' AND owner IS NOT NULL AND expires_at > $1 GROUP BY owner ORDER BY count(*) DESC`,
      [Date.now()],
    );
    return rows.map((row) => row.n).join('/') || 'none';
  } finally {
    await client.end();
  }
}

/**
 * Waits (up to 60 s) until `workers` processes hold the relay and every partition lease between
 * them, all unexpired, and none holds more than its share (⌈16 / workers⌉ partitions of each
 * handler) — partitions still moving between the workers would be measured too; false when they do not.
 */
async function leasesSettled(url: string, workers: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await client.query<{ total: string; held: string; owners: string; partitions: string; most: string | null }>(
        `SELECT count(*) AS total,
                count(*) FILTER (WHERE owner IS NOT NULL AND expires_at > $1) AS held,
                count(DISTINCT owner) FILTER (WHERE expires_at > $1) AS owners,
                count(*) FILTER (WHERE name LIKE 'CONTOSO/%') AS partitions,
                (SELECT max(n) FROM (SELECT count(*) AS n FROM transport_leases
                   WHERE name LIKE 'CONTOSO/%' AND owner IS NOT NULL AND expires_at > $1 GROUP BY owner) AS spread) AS most
           FROM transport_leases WHERE name LIKE 'CONTOSO/%' OR name = 'relay:CONTOSO'`,
        [Date.now()],
      );
      const [row] = rows;
      const share = Math.ceil(PARTITIONS / workers) * (Number(row.partitions) / PARTITIONS);
      if (Number(row.total) > 0 && row.held === row.total && Number(row.owners) === workers && Number(row.most) <= share) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.end();
  }
}

const STAMPS = `SELECT message_id AS "messageId", type, causation_id AS "causationId", created_at AS "createdAt" FROM messages WHERE type IN ('OrderPlaced', 'MakeSeatReservation')`;

async function postgresStamps(url: string): Promise<Stamped[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Stamped>(STAMPS)).rows;
  } finally {
    await client.end();
  }
}

function sqliteStamps(file: string): Stamped[] {
  const database = new BetterSqlite3(file, { readonly: true });
  try {
    return database.prepare(STAMPS).all() as Stamped[];
  } finally {
    database.close();
  }
}

/** Milliseconds from each OrderPlaced to the MakeSeatReservation it caused. */
function reactionLatencies(rows: Stamped[]): number[] {
  const placed = new Map(rows.filter((row) => row.type === 'OrderPlaced').map((row) => [row.messageId, Date.parse(String(row.createdAt))]));
  const latencies: number[] = [];
  for (const row of rows) {
    if (row.type !== 'MakeSeatReservation' || !row.causationId) continue;
    const at = placed.get(row.causationId);
    if (at !== undefined) latencies.push(Date.parse(String(row.createdAt)) - at);
  }
  return latencies;
}

/**
 * End-to-end registration benchmark (embedded store): concurrent HTTP clients each run whole paid
 * registrations through the public JSON API — place → reserved → checkout → processor accepts →
 * confirmed — against a `conference serve` process, for a fixed time. Baseline in the same run: the
 * same server's `/health` request rate with as many clients.
 */
import { performance } from 'node:perf_hooks';
import { type Contender, compare, percentiles } from './support/measure.ts';
import { startServer } from './support/server-process.ts';
import type { BenchModule, BenchTable } from './support/types.ts';
import { registrationClient } from './support/registration-client.ts';
import { registrations as paidRegistrations } from './support/registration-load.ts';

const CLIENTS = 16;
/** Confirmed orders per second the embedded system must sustain on this machine. */
const TARGET_ORDERS_PER_SECOND = 100;
/** place → reserved, 99th percentile. */
const TARGET_RESERVED_P99_MS = 250;

export const benchmark: BenchModule = {
  name: 'registration',
  description: `end-to-end paid registrations over HTTP, ${CLIENTS} clients, embedded store`,
  async run(ctx) {
    if (!ctx.stores.includes('sqlite')) return [];
    const server = await startServer({ CONFERENCE_CREATION_LIMIT: '0' });
    ctx.onCleanup(() => server.close());
    const client = registrationClient(server.url);
    const conference = await client.createConference({ quantity: 100_000, price: 19_900 });
    ctx.log(`server at ${server.url}, conference ${conference.slug}`);

    const reservedMs: number[] = [];
    const registrations = paidRegistrations('paid registrations', [client], conference, CLIENTS, reservedMs);
    const health: Contender = {
      name: '/health',
      async runFor(ms) {
        const deadline = performance.now() + ms;
        const counts = await Promise.all(
          Array.from({ length: CLIENTS }, async () => {
            let requests = 0;
            while (performance.now() < deadline) {
              await client.health();
              requests++;
            }
            return requests;
          }),
        );
        return counts.reduce((a, b) => a + b, 0);
      },
    };

    // Longer rounds than the store module: a registration takes several round trips.
    const budget = { ...ctx.budget, roundMs: ctx.budget.roundMs * 5 };
    const [ours, baseline] = await compare(budget, [registrations, health]);
    const [p50, p99] = percentiles(reservedMs, [50, 99]);
    ctx.log(`${ours.units} registrations confirmed, ${reservedMs.length} latency samples`);

    const table: BenchTable = {
      title: `End-to-end registration (embedded SQLite, ${CLIENTS} HTTP clients)`,
      description:
        `Each client loops over whole paid registrations through the public JSON API: ` +
        '`POST /api/conferences/{slug}/orders` (one seat) → `reserved` → `POST …/checkout` → ' +
        '`POST /api/payments/{id}/accept` → `GET /api/orders/{id}?until=confirmed`. The server is a separate ' +
        '`conference serve` process (role all) on the same machine; the baseline is its `/health` request rate ' +
        `with ${CLIENTS} clients, measured in alternating rounds.`,
      rows: [
        {
          store: 'sqlite',
          measurement: 'confirmed orders/s',
          ours: { value: ours.perSecond, unit: 'orders/s' },
          baseline: { value: baseline.perSecond, unit: 'req/s', label: '/health' },
          target: { kind: 'min', value: TARGET_ORDERS_PER_SECOND, unit: 'orders/s' },
        },
        {
          store: 'sqlite',
          measurement: 'place → reserved p50',
          ours: { value: p50, unit: 'ms' },
          higherIsBetter: false,
        },
        {
          store: 'sqlite',
          measurement: 'place → reserved p99',
          ours: { value: p99, unit: 'ms' },
          higherIsBetter: false,
          target: { kind: 'max', value: TARGET_RESERVED_P99_MS, unit: 'ms' },
        },
      ],
    };
    return [table];
  },
};

/**
 * Rebuild throughput (DOMAIN 7.2): a generated log of whole orders (placed, reserved, priced,
 * registrant, confirmed) rebuilt side by side into draft-orders alone, then into the conference and
 * order read models together from one read, next to reading the same log rows raw (the driver alone,
 * JSON decoded) in the same run.
 */
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { APP_MIGRATIONS } from '../src/app/migrations.ts';
import { READ_MODEL_UNITS, readModelVersions } from '../src/app/read-models.ts';
import { createMessageRegistry } from '../src/app/registry.ts';
import { originFromRequest } from '../src/platform/messages/factory.ts';
import { Job, rebuildTogether } from '../src/platform/read-models/rebuild.ts';
import { Store } from '../src/platform/store/store.ts';
import { freshLocation } from './support/locations.ts';
import type { BenchModule, BenchRow, StoreKind } from './support/types.ts';

/** Events per order in the generated log. */
const EVENTS_PER_ORDER = 5;
/** SQLite carries the absolute target; PostgreSQL gets a smaller log (informational). */
const LOG_EVENTS: Record<StoreKind, number> = { sqlite: 1_000_000, postgres: 200_000 };
const QUICK_LOG_EVENTS = 50_000;
const TARGET_RATIO = 0.5;
/** A million events rebuilt within a minute on SQLite: ≥ 16,667 events/s. */
const TARGET_EVENTS_PER_SECOND = 1_000_000 / 60;
/** One read model alone, then the conference and order read models rebuilt together from one read of the log. */
const SINGLE = 'draft-orders';
const TOGETHER = ['catalogue', 'draft-orders', 'priced-orders'];

export const benchmark: BenchModule = {
  name: 'rebuild',
  description: 'rebuilding the order read models from a generated log vs reading the log raw',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const quick = ctx.budget.rounds < 6;
    for (const kind of ctx.stores) {
      const events = quick ? QUICK_LOG_EVENTS : LOG_EVENTS[kind];
      const location = await freshLocation(kind, ctx.postgresAdminUrl);
      ctx.onCleanup(() => location.drop());
      const store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS, listen: false });
      ctx.onCleanup(() => store.close());
      ctx.log(`${kind}: generating ${events.toLocaleString('en-US')} events`);
      await generateOrders(store, events / EVENTS_PER_ORDER);

      const rawStart = performance.now();
      const read = kind === 'sqlite' ? readRawSqlite(location.url) : await readRawPostgres(location.url);
      const rawRate = (read * 1000) / (performance.now() - rawStart);

      const versions = readModelVersions(store, createMessageRegistry());
      const note = `${events.toLocaleString('en-US')} events in the log`;
      const timed = async (names: readonly string[]) => {
        const units = names.map((name) => READ_MODEL_UNITS.find((unit) => unit.name === name)!);
        const start = performance.now();
        const results = await rebuildTogether(versions, units, new Job(names.join(' + ')));
        const seconds = (performance.now() - start) / 1000;
        const applied = results.reduce((sum, result) => sum + result.applied, 0);
        ctx.log(`${kind}: ${names.join(' + ')} rebuilt, ${applied} events replayed in ${seconds.toFixed(1)} s`);
        return applied / seconds;
      };
      const single = await timed([SINGLE]);
      const together = await timed(TOGETHER);
      const baseline = { value: rawRate, unit: 'events/s', label: 'raw read' };
      rows.push(
        {
          store: kind,
          measurement: `rebuild ${SINGLE} (events replayed)`,
          ours: { value: single, unit: 'events/s' },
          baseline,
          target: { kind: 'ratio', min: TARGET_RATIO },
          note,
        },
        {
          store: kind,
          measurement: `rebuild ${TOGETHER.join(' + ')} from one read (events replayed)`,
          ours: { value: together, unit: 'events/s' },
          baseline,
          target: { kind: 'ratio', min: TARGET_RATIO },
          note,
        },
      );
      if (kind === 'sqlite') {
        rows.push({
          store: kind,
          measurement: `rebuild ${SINGLE}, against a million in 60 s`,
          ours: { value: single, unit: 'events/s' },
          target: { kind: 'min', value: TARGET_EVENTS_PER_SECOND, unit: 'events/s' },
          note,
        });
      }
      await store.close();
      await location.drop();
    }
    return [
      {
        title: 'Read-model rebuild',
        description:
          'A generated log of whole orders (OrderPlaced, OrderReservationCompleted, OrderTotalsCalculated, ' +
          'OrderRegistrantAssigned, OrderConfirmed) is rebuilt side by side into a new version of draft-orders alone, ' +
          'then into new versions of the catalogue (conferences and seat types), draft-orders and priced-orders together ' +
          'from one read of the log (`conference rebuild catalogue draft-orders priced-orders`; an event replayed into two ' +
          'read models counts twice). Each rebuild ends with the switch. Baseline: the same log read once with the bare ' +
          'driver in pages of 1000 rows, payload and metadata JSON-decoded.',
        rows,
      },
    ];
  },
};

async function generateOrders(store: Store, orders: number): Promise<void> {
  const conferenceId = '01900000-0000-7000-8000-000000000001';
  const seatType = '01900000-0000-7000-8000-000000000002';
  const perTransaction = 500;
  for (let first = 0; first < orders; first += perTransaction) {
    await store.transaction(async (tx) => {
      for (let n = first; n < Math.min(orders, first + perTransaction); n++) {
        const orderId = `01900000-0000-7000-9000-${n.toString(16).padStart(12, '0')}`;
        const seats = [{ seatType, quantity: 1 + (n % 3) }];
        const lines = seats.map((seat) => ({ seatType, unitPrice: 19_900, quantity: seat.quantity, lineTotal: 19_900 * seat.quantity }));
        const expiry = '2030-01-01T00:15:00.000Z';
        await store.appendToStream(
          tx,
          { sourceType: 'Order', sourceId: orderId },
          -1,
          [
            { type: 'OrderPlaced', data: { conferenceId, seats, reservationAutoExpiration: expiry, accessCode: 'ABC123' } },
            { type: 'OrderReservationCompleted', data: { reservationExpiration: expiry, seats } },
            { type: 'OrderTotalsCalculated', data: { total: lines[0].lineTotal, lines, isFreeOfCharge: false } },
            { type: 'OrderRegistrantAssigned', data: { firstName: 'Ada', lastName: 'Lovelace', email: `ada${n}@bench.example` } },
            { type: 'OrderConfirmed', data: { paymentId: orderId } },
          ],
          originFromRequest(orderId),
        );
      }
    }, { durable: false });
  }
}

/** Every log row read with the bare driver, decoded; answers the rows read. */
function readRawSqlite(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const page = db.prepare('SELECT * FROM messages WHERE position > ? ORDER BY position LIMIT 1000');
    let after = 0;
    let count = 0;
    for (;;) {
      const rows = page.all(after) as Array<{ position: number; payload: string; metadata: string | null }>;
      if (rows.length === 0) return count;
      for (const row of rows) decode(row);
      count += rows.length;
      after = rows[rows.length - 1].position;
    }
  } finally {
    db.close();
  }
}

async function readRawPostgres(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let after = '0';
    let count = 0;
    for (;;) {
      const { rows } = await client.query<{ position: string; payload: string; metadata: string | null }>(
        'SELECT * FROM messages WHERE position > $1 ORDER BY position LIMIT 1000',
        [after],
      );
      if (rows.length === 0) return count;
      for (const row of rows) decode(row);
      count += rows.length;
      after = rows[rows.length - 1].position;
    }
  } finally {
    await client.end();
  }
}

function decode(row: { payload: string; metadata: string | null }): void {
  JSON.parse(row.payload);
  if (row.metadata) JSON.parse(row.metadata);
}

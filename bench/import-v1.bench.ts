/**
 * V1 import throughput (DOMAIN 7.5): a generated V1 store (V1-LAYOUT.md) of conferences with seat
 * types and whole orders of every outcome, imported into a fresh store — steps 1–6 and 8 (the
 * read-model rebuild of step 7 is the rebuild benchmark's subject) — next to reading the same V1
 * events raw (the driver alone, payload JSON-decoded) in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { APP_MIGRATIONS } from '../src/app/migrations.ts';
import { importV1 } from '../src/contexts/migration/v1/import-v1.ts';
import { Store } from '../src/platform/store/store.ts';
import { type V1OrderSpec, V1StoreBuilder } from '../test/support/v1-store-builder.ts';
import { freshLocation } from './support/locations.ts';
import type { BenchModule, BenchRow } from './support/types.ts';

const ORDERS = 20_000;
const QUICK_ORDERS = 1_000;
const CONFERENCES = 4;
const OUTCOMES: ReadonlyArray<V1OrderSpec['outcome']> = ['confirmed', 'legacy-confirmed', 'legacy-confirmed', 'expired', 'pending', 'payment-queued'];

export const benchmark: BenchModule = {
  name: 'import-v1',
  description: 'importing a generated V1 store vs reading its events raw',
  async run(ctx) {
    const orders = ctx.budget.rounds < 6 ? QUICK_ORDERS : ORDERS;
    const dir = mkdtempSync(join(tmpdir(), 'contoso-bench-v1-'));
    ctx.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'v1.sqlite');
    ctx.log(`writing a V1 store of ${orders.toLocaleString('en-US')} orders`);
    writeV1Store(file, orders);

    const rows: BenchRow[] = [];
    for (const kind of ctx.stores) {
      const rawStart = performance.now();
      const read = readV1EventsRaw(file);
      const rawRate = (read * 1000) / (performance.now() - rawStart);

      const location = await freshLocation(kind, ctx.postgresAdminUrl);
      ctx.onCleanup(() => location.drop());
      const store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS, listen: false });
      ctx.onCleanup(() => store.close());
      const summary = await importV1(store, { file, releaseBufferSeconds: 60 });
      const rate = summary.events.read / summary.importSeconds;
      const again = await importV1(store, { file, releaseBufferSeconds: 60 });
      ctx.log(`${kind}: ${summary.events.read} V1 events imported in ${summary.importSeconds.toFixed(1)} s; re-run ${again.importSeconds.toFixed(1)} s, wrote ${again.written}`);
      const note = `${summary.events.read.toLocaleString('en-US')} V1 events, ${orders.toLocaleString('en-US')} orders; ${summary.written.toLocaleString('en-US')} entries written; verification ${summary.verification.differences.length === 0 ? 'clean' : `${summary.verification.differences.length} differences`}`;
      rows.push({
        store: kind,
        measurement: 'import (V1 events/s)',
        ours: { value: rate, unit: 'events/s' },
        baseline: { value: rawRate, unit: 'events/s', label: 'raw V1 read' },
        note,
      });
      rows.push({
        store: kind,
        measurement: 'second run over the same file (V1 events/s)',
        ours: { value: again.events.read / again.importSeconds, unit: 'events/s' },
        baseline: { value: rawRate, unit: 'events/s', label: 'raw V1 read' },
        note: `wrote ${again.written} (nothing new expected)`,
      });
      await store.close();
      await location.drop();
    }
    return [
      {
        title: 'V1 import',
        description:
          `A V1 store (V1-LAYOUT.md) of ${CONFERENCES} conferences with two seat types each and whole orders of every outcome ` +
          '(confirmed, legacy OrderPaymentConfirmed, expired, pending, payment queued) is imported into a fresh store: ' +
          'conferences, stream events with their regenerated integration events, processes and timers, payments, ' +
          'verification (steps 1–6 and 8 of DOMAIN 7.5; the read-model rebuild of step 7 is measured by the rebuild ' +
          'benchmark). Baseline: the same V1 events read once with the bare driver, payload JSON-decoded. No target is set.',
        rows,
      },
    ];
  },
};

/** Orders spread over the conferences, every outcome in turn, 1–3 seats of one or two seat types. */
function writeV1Store(file: string, orders: number): void {
  const v1 = new V1StoreBuilder(file);
  const conferences = Array.from({ length: CONFERENCES }, (_, n) => {
    const id = v1.conference({ slug: `bench${n}`, published: true, wasEverPublished: true });
    const ga = v1.seatType(id, { name: 'General admission', quantity: orders * 3, price: 199.99 });
    const ws = v1.seatType(id, { name: 'Workshop', quantity: orders * 3, price: 25.5 });
    return { id, ga, ws, prices: { [ga]: 199.99, [ws]: 25.5 } };
  });
  const perTransaction = 1000;
  for (let first = 0; first < orders; first += perTransaction) {
    v1.batch(() => {
      for (let n = first; n < Math.min(orders, first + perTransaction); n++) {
        const { id, ga, ws, prices } = conferences[n % CONFERENCES];
        const seats = n % 2 === 0 ? { [ga]: 1 + (n % 3) } : { [ga]: 1, [ws]: 1 + (n % 2) };
        const registrant = n % 5 === 4 ? undefined : { firstName: 'Ada', lastName: 'Lovelace', email: `ada${n}@bench.example` };
        v1.order({ conferenceId: id, seats, prices, registrant, outcome: OUTCOMES[n % OUTCOMES.length] });
      }
    });
  }
  v1.close();
}

/** Every V1 event read with the bare driver, payload decoded; answers the events read. */
function readV1EventsRaw(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    let count = 0;
    for (const row of db.prepare('SELECT * FROM Events_Events ORDER BY Timestamp').iterate() as Iterable<{ Payload: string }>) {
      JSON.parse(row.Payload);
      count++;
    }
    return count;
  } finally {
    db.close();
  }
}

/**
 * Append→handler latency: how long after a writer starts an append a subscribed handler is handed
 * the event, under a steady load of single-event appends. Baseline: the append transaction alone
 * (start to commit) of the same appends — the part of the latency the subscription cannot avoid.
 *
 * SQLite: the handler runs in the writer's process (embedded mode; woken by the in-process signal).
 * PostgreSQL: the handler runs on a second `Store` with its own pool and LISTEN connection, as a
 * worker process would (woken by the writer's NOTIFY).
 */
import { setTimeout as delay } from 'node:timers/promises';
import Type from 'typebox';
import { MessageRegistry } from '../src/platform/messages/registry.ts';
import type { MessageHandler } from '../src/platform/processing/handler.ts';
import { Processing } from '../src/platform/processing/processing.ts';
import { Store } from '../src/platform/store/store.ts';
import { percentiles } from './support/measure.ts';
import type { StoreEnv } from './support/store-env.ts';
import type { BenchRow } from './support/types.ts';
import { StreamCursor } from './support/workload.ts';

/** Appends per second offered by the writer. */
const RATE = 200;
const TARGET_MS = 50;

export async function appendToHandlerLatency(env: StoreEnv): Promise<BenchRow[]> {
  const { ctx, store } = env;
  const samples = Math.max(200, Math.round(((ctx.budget.rounds * ctx.budget.roundMs) / 1000) * RATE));
  ctx.log(`${env.kind}: append→handler latency, ${samples} single-event appends at ${RATE}/s`);
  const registry = new MessageRegistry();
  registry.define({ type: 'SeatsReserved', kind: 'event', schema: Type.Unknown() });
  const started = new Map<string, number>();
  const handled = new Map<string, number>();
  const handler: MessageHandler = {
    name: 'bench-latency',
    types: ['SeatsReserved'],
    sideEffects: false,
    async handle(message) {
      if (!handled.has(message.metadata.messageId)) handled.set(message.metadata.messageId, performance.now());
    },
  };
  const workerStore = env.kind === 'postgres' ? await Store.open(env.location.dialect()) : store;
  // Only what is appended from here on: the handler starts at the current head.
  await workerStore.db
    .insertInto('checkpoints')
    .values({ name: handler.name, position: await store.headPosition(), updated_at: new Date().toISOString() })
    .execute();
  const processing = new Processing(workerStore, registry, [handler]);
  processing.start();
  const commits: number[] = [];
  try {
    const cursor = new StreamCursor('latency');
    const t0 = performance.now();
    let last = 0;
    for (let i = 0; i < samples; i++) {
      const wait = t0 + (i * 1000) / RATE - performance.now();
      if (wait > 0) await delay(wait);
      const { stream, version, event, origin } = cursor.next();
      const start = performance.now();
      const [written] = await store.transaction((tx) => store.appendToStream(tx, stream, version - 1, [event], origin));
      commits.push(performance.now() - start);
      started.set(written.metadata.messageId, start);
      last = written.metadata.position;
    }
    if (!(await processing.waitFor(handler.name, last, 30_000))) throw new Error('the handler did not catch up');
  } finally {
    await processing.stop();
    if (workerStore !== store) await workerStore.close();
  }
  const latencies = [...started].map(([id, start]) => {
    const seen = handled.get(id);
    if (seen === undefined) throw new Error(`the handler never saw ${id}`);
    return seen - start;
  });
  const [p50, p99] = percentiles(latencies, [50, 99]);
  const [c50, c99] = percentiles(commits, [50, 99]);
  const row = (measurement: string, ours: number, base: number): BenchRow => ({
    store: env.kind,
    measurement,
    ours: { value: ours, unit: 'ms' },
    baseline: { value: base, unit: 'ms', label: 'append commit alone' },
    higherIsBetter: false,
    ...(measurement.endsWith('p99') ? { target: { kind: 'max', value: TARGET_MS, unit: 'ms' } } : {}),
    note: `${samples} appends at ${RATE}/s${env.kind === 'postgres' ? '; handler on a second store (LISTEN/NOTIFY)' : ''}`,
  });
  return [row('append→handler latency p50', p50, c50), row('append→handler latency p99', p99, c99)];
}

import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimerRunner, Timers } from '../../src/platform/processing/timers.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { STORE_KINDS, type StoreKind, type StoreLocation, freshLocation } from '../support/stores.ts';
import {
  type TestTimer,
  TimerWorker,
  disarmStall,
  recordFires,
  scheduleTimers,
  timerState,
  timerViolations,
} from './support/timer-fixtures.ts';

/**
 * Durable timers against `kill -9`: a child process runs a TimerRunner (test/faults/support/
 * timer-worker.ts) over timers falling due at staggered times and is SIGKILLed — once pinned inside a
 * firing transaction, then RANDOM_KILLS times at random moments. After every kill each timer is either
 * still pending or its command is logged, never both nor neither (claim and append are one
 * transaction), and nothing fired early. A runner restarted in this process then fires the rest: the
 * timers table ends empty and every command is in the log once, fired once, never before its time.
 * Firing transactions are slowed to about 1 ms per timer so that kills often land inside one.
 */
const RANDOM_KILLS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True once a firing transaction has been stuck on the stall for a while. */
async function stalled(location: StoreLocation, store: Store): Promise<boolean> {
  if (location.kind === 'postgres') {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event = 'PgSleep'
        AND clock_timestamp() - xact_start > interval '300 milliseconds'`.execute(store.db);
    return Number(rows[0].n) > 0;
  }
  // Another process holds SQLite's write lock throughout 300 ms: the stalled firing transaction.
  const raw = new BetterSqlite3(location.url, { timeout: 0 });
  try {
    for (let check = 0; check < 4; check++) {
      if (check > 0) await sleep(100);
      try {
        raw.exec('BEGIN IMMEDIATE');
        raw.exec('ROLLBACK');
        return false;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      }
    }
    return true;
  } finally {
    raw.close();
  }
}

describe.each(STORE_KINDS)('timers across kill -9 on %s', (kind: StoreKind) => {
  let location: StoreLocation;
  let store: Store;

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await location.open();
    await recordFires(store, { faults: true });
  });
  afterAll(async () => {
    await store?.close();
    await location?.drop();
  });

  it(`fires every timer at least once and never early, claiming and logging atomically, across ${RANDOM_KILLS + 1} kills and a restart`, async () => {
    const timers = new Timers(store);
    const all: TestTimer[] = [];
    const logged = async () => {
      const state = await timerState(store);
      return { state, count: all.filter((t) => state.logged.has(t.id)).length };
    };

    // 1. Killed inside a firing transaction: twenty timers due together, one of them stalls it.
    {
      const worker = await TimerWorker.start(location, { idleCheckMs: 100 });
      const due = Date.now() + 400;
      const group = await scheduleTimers(store, timers, 'stalled', Array.from({ length: 20 }, () => due), { stall: 10 });
      all.push(...group);
      await eventually(() => stalled(location, store), 20_000);
      await worker.kill();
      await disarmStall(store);
      const { state, count } = await logged();
      expect(timerViolations(state, all), 'after the kill inside a transaction').toEqual([]);
      // The whole claimed batch is pending again; nothing of it was logged or recorded as fired.
      expect(worker.batches).toEqual([]);
      expect(count).toBe(0);
      expect(group.filter((t) => !state.pending.has(t.id) || state.fires.has(t.id))).toEqual([]);
    }

    // 2. Killed at random moments while a backlog and timers falling due over 1.5 s are fired.
    for (let k = 0; k < RANDOM_KILLS; k++) {
      const before = (await logged()).count;
      const worker = await TimerWorker.start(location, { idleCheckMs: 100 });
      const now = Date.now();
      const dues = [
        ...Array.from({ length: 150 }, () => now - Math.floor(Math.random() * 1000)),
        ...Array.from({ length: 150 }, () => now + Math.floor(Math.random() * 1500)),
      ];
      all.push(...(await scheduleTimers(store, timers, `kill-${k}`, dues)));
      const minBatches = 1 + Math.floor(Math.random() * 4);
      await worker.firedBatches(minBatches);
      await sleep(Math.floor(Math.random() * 200));
      await worker.kill();
      const { state, count } = await logged();
      const context = `kill ${k} after ${worker.batches.length} reported firings (${minBatches} awaited)`;
      expect(timerViolations(state, all), context).toEqual([]);
      // Every firing the worker reported is in the log (one more may have committed unreported).
      expect(count - before, context).toBeGreaterThanOrEqual(worker.fired);
    }

    // 3. Restarted: a new store and runner in this process fire whatever is left.
    const { count: firedBeforeRestart } = await logged();
    const restarted = await location.open();
    try {
      const runner = new TimerRunner(restarted, new Timers(restarted), { idleCheckMs: 100 });
      runner.start();
      try {
        await eventually(async () => (await timerState(restarted)).pending.size === 0, 30_000);
      } finally {
        await runner.stop();
      }
      const final = await timerState(restarted);
      expect(final.pending.size).toBe(0);
      expect(timerViolations(final, all, { allFired: true })).toEqual([]);
      expect(final.logged.size).toBe(all.length);
      expect(runner.fired).toBe(all.length - firedBeforeRestart);
    } finally {
      await restarted.close();
    }
  });
});

import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoggedMessage } from '../../src/platform/messages/envelope.ts';
import { newCommand, originFromRequest } from '../../src/platform/messages/factory.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { decideAndAppend, queuedCommandHandler } from '../../src/platform/processing/commands.ts';
import { silentLogger } from '../../src/platform/processing/logger.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import { TimerRunner, Timers } from '../../src/platform/processing/timers.ts';
import { postgresDialect } from '../../src/platform/store/postgres.ts';
import { Store } from '../../src/platform/store/store.ts';
import {
  TIMER_TYPE,
  TimerWorker,
  recordFires,
  scheduleTimers,
  timerCommand,
  timerState,
  timerViolations,
} from '../faults/support/timer-fixtures.ts';
import { eventually } from '../support/eventually.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';
import { counter, toyRegistry } from '../support/toy-domain.ts';

/**
 * Durable timers (a command scheduled for a due time): fired at least once and never early, once
 * under normal operation, cancellable, durable across restarts, safe with several workers, and a
 * waiting runner wakes for a new earlier timer. Firing times are recorded by the database itself, in
 * the firing transaction (see `recordFires`); bounds on how soon something happens only tell "fires"
 * from "never fires".
 */
const registry = toyRegistry();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HOUR = 3_600_000;

/** The product's Timers, counting the runner's calls. */
class CountingTimers extends Timers {
  fireDueCalls = 0;
  nextDueCalls = 0;
  override fireDue(now?: Date, batchSize?: number): Promise<number> {
    this.fireDueCalls++;
    return super.fireDue(now, batchSize);
  }
  override nextDue(): Promise<Date | undefined> {
    this.nextDueCalls++;
    return super.nextDue();
  }
}

describe.each(STORE_KINDS)('durable timers on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;
  let timers: CountingTimers;
  let runnerErrors: unknown[];
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    location = await freshLocation(kind);
    store = await location.open();
    await recordFires(store);
    timers = new CountingTimers(store);
    runnerErrors = [];
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await store.close();
    await location.drop();
    expect(runnerErrors).toEqual([]);
  });

  /** Starts a runner (stopped after the test); its idle re-check is far away unless said otherwise. */
  function startRunner(on: Store = store, over: Timers = timers, idleCheckMs = 30_000): TimerRunner {
    const runner = new TimerRunner(on, over, { idleCheckMs, onError: (error) => runnerErrors.push(error) });
    runner.start();
    cleanups.push(() => runner.stop());
    return runner;
  }

  async function openAnother(): Promise<Store> {
    const other = await location.open();
    cleanups.push(() => other.close());
    return other;
  }

  const commandsInLog = async (): Promise<LoggedMessage[]> => (await store.queryLog({ kinds: ['command'], limit: 10_000 })).messages;
  const allFired = async (on: Store = store) => (await timerState(on)).pending.size === 0;

  it('holds a timer until it is due, then appends its command to the log as scheduled, once', async () => {
    const due = Date.now() + HOUR;
    const [timer] = await scheduleTimers(store, timers, 'c', [due]);

    expect(await timers.list()).toEqual([
      { id: timer.id, type: TIMER_TYPE, targetId: timer.command.metadata.target, dueAt: new Date(due).toISOString() },
    ]);
    expect(await timers.nextDue()).toEqual(new Date(due));
    expect(await timers.fireDue()).toBe(0);
    expect(await timers.countDue(new Date(due - 1))).toBe(0);
    expect(await timers.fireDue(new Date(due - 1))).toBe(0);
    expect((await timerState(store)).logged.size).toBe(0);

    expect(await timers.countDue(new Date(due))).toBe(1);
    expect(await timers.fireDue(new Date(due))).toBe(1);
    // Log readers see it once no older transaction of the cluster is still open (the read horizon).
    const logged = await eventually(async () => {
      const messages = await commandsInLog();
      return messages.length > 0 && messages;
    });
    expect(logged).toEqual([{ ...timer.command, metadata: { ...timer.command.metadata, position: expect.any(Number) } }]);
    expect(await timers.list()).toEqual([]);
    expect(await timers.nextDue()).toBeUndefined();

    expect(await timers.fireDue(new Date(due + HOUR))).toBe(0);
    expect(await commandsInLog()).toEqual(logged);
    // Fired once (its firing time is the `now` given, not the clock's).
    const state = await timerState(store);
    expect([state.pending.size, state.logged.get(timer.id), state.fires.get(timer.id)?.length]).toEqual([0, 1, 1]);
  });

  it('a runner fires every timer once, at or after its due time, overdue ones at once', async () => {
    const runner = startRunner();
    const now = Date.now();
    const overdue = await scheduleTimers(store, timers, 'overdue', [now - HOUR, now - 1]);
    const upcoming = await scheduleTimers(
      store,
      timers,
      'upcoming',
      Array.from({ length: 20 }, (_, n) => now + 100 + n * 40),
    );
    await eventually(() => allFired());
    // Look again after the runner had the chance to fire anything twice.
    await sleep(100);
    expect(await timers.fireDue(new Date(Date.now() + HOUR))).toBe(0);
    const state = await timerState(store);
    expect(timerViolations(state, [...overdue, ...upcoming], { allFired: true })).toEqual([]);
    expect(state.logged.size).toBe(22);
    expect(runner.fired).toBe(22);
  });

  it('never fires a cancelled timer; cancelling an unknown, cancelled or fired timer answers false and changes nothing', async () => {
    const due = Date.now() + 300;
    const all = await scheduleTimers(store, timers, 'c', Array.from({ length: 10 }, () => due));
    const cancelled = all.filter((_, n) => n % 2 === 0);
    const kept = all.filter((_, n) => n % 2 === 1);

    await store.transaction(async (tx) => {
      for (const timer of cancelled) expect(await timers.cancel(tx, timer.id)).toBe(true);
    });
    // A cancel whose transaction rolls back cancels nothing.
    await expect(
      store.transaction(async (tx) => {
        expect(await timers.cancel(tx, kept[0].id)).toBe(true);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await store.transaction(async (tx) => {
      for (const timer of cancelled) expect(await timers.cancel(tx, timer.id)).toBe(false);
      expect(await timers.cancel(tx, newId())).toBe(false);
      expect(await timers.cancel(tx, 'no such timer')).toBe(false);
    });
    expect((await timers.list()).map((t) => t.id).sort()).toEqual(kept.map((t) => t.id).sort());

    const runner = startRunner();
    await eventually(() => allFired());
    await sleep(100);
    expect(await timers.fireDue(new Date(Date.now() + HOUR))).toBe(0);
    const state = await timerState(store);
    expect(timerViolations(state, kept, { allFired: true })).toEqual([]);
    for (const timer of cancelled) {
      expect(state.logged.has(timer.id), `cancelled ${timer.id} logged`).toBe(false);
      expect(state.fires.has(timer.id), `cancelled ${timer.id} fired`).toBe(false);
    }
    expect(runner.fired).toBe(kept.length);

    // Too late to cancel a fired timer: harmless, and its command stays in the log.
    await store.transaction(async (tx) => expect(await timers.cancel(tx, kept[0].id)).toBe(false));
    expect((await timerState(store)).logged.get(kept[0].id)).toBe(1);
  });

  it('schedules in the caller’s transaction, once per command id, and only commands with a target', async () => {
    const due = Date.now() + 200;
    const command = timerCommand('c', 0, due);
    await store.transaction(async (tx) => {
      await timers.schedule(tx, command, new Date(due));
      await timers.schedule(tx, command, new Date(due + HOUR));
    });
    await store.transaction((tx) => timers.schedule(tx, command, new Date(due + 2 * HOUR)));
    const rolledBack = timerCommand('rolled-back', 0, due);
    await expect(
      store.transaction(async (tx) => {
        await timers.schedule(tx, rolledBack, new Date(due));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const untargeted = { ...command, metadata: { ...command.metadata, messageId: newId(), target: null } };
    await expect(store.transaction((tx) => timers.schedule(tx, untargeted, new Date(due)))).rejects.toThrow(/no target/);

    // The first schedule of an id stands.
    expect(await timers.list()).toEqual([{ id: command.metadata.messageId, type: TIMER_TYPE, targetId: command.metadata.target, dueAt: new Date(due).toISOString() }]);
    startRunner();
    await eventually(() => allFired());
    const state = await timerState(store);
    expect(timerViolations(state, [{ id: command.metadata.messageId, due, command }], { allFired: true })).toEqual([]);
    expect([...state.logged.keys()]).toEqual([command.metadata.messageId]);
    expect([...state.fires.keys()]).toEqual([command.metadata.messageId]);
  });

  it('keeps timers across a restart: a new store on the same location fires them, overdue or not', async () => {
    const before = await location.open();
    const now = Date.now();
    const scheduled = await scheduleTimers(before, new Timers(before), 'c', [now + 100, now + 600]);
    await before.close();
    // The first falls due while no process runs.
    await sleep(200);

    const after = await openAnother();
    const afterTimers = new Timers(after);
    expect((await afterTimers.list()).map((t) => t.id)).toEqual(scheduled.map((t) => t.id));
    const runner = startRunner(after, afterTimers);
    await eventually(() => allFired(after));
    expect(timerViolations(await timerState(after), scheduled, { allFired: true })).toEqual([]);
    expect(runner.fired).toBe(2);
  });

  it('a runner waiting idle, or for a later timer, wakes for a new timer due sooner', async () => {
    startRunner(store, timers, 60_000);
    // It has looked, found nothing, and waits for its idle re-check a minute away.
    await eventually(() => timers.nextDueCalls >= 1);
    await sleep(100);
    const [first] = await scheduleTimers(store, timers, 'first', [Date.now() + 200]);
    await eventually(async () => (await timerState(store)).logged.has(first.id), 2_000);

    // Now it waits for a timer an hour away.
    const [later] = await scheduleTimers(store, timers, 'later', [Date.now() + HOUR]);
    await sleep(200);
    const [sooner] = await scheduleTimers(store, timers, 'sooner', [Date.now() + 200]);
    await eventually(async () => (await timerState(store)).logged.has(sooner.id), 2_000);

    const state = await timerState(store);
    expect(timerViolations(state, [first, sooner], { allFired: true })).toEqual([]);
    expect(state.pending).toEqual(new Set([later.id]));
    expect(timerViolations(state, [later])).toEqual([]);
  });

  it('a timer’s command reaches its queued-command handler once due', async () => {
    const handler = queuedCommandHandler(
      'counter-commands',
      {
        Increment: async (command, context) => {
          const { counterId } = command.data as { counterId: string };
          await decideAndAppend(store, registry, context.tx, counter, counterId, command);
        },
      },
      silentLogger,
    );
    const processing = new Processing(store, registry, [handler], { idleCheckMs: 30_000, retry: { baseDelayMs: 5 } });
    processing.start();
    cleanups.push(() => processing.stop());

    const due = Date.now() + 300;
    const command = newCommand('Increment', { counterId: 'c1', by: 5 }, { target: 'c1', origin: originFromRequest('order-1') });
    await store.transaction((tx) => processing.timers.schedule(tx, command, new Date(due)));
    const events = await eventually(async () => {
      const stream = await store.readStream({ sourceType: 'Counter', sourceId: 'c1' });
      return stream.length > 0 && stream;
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'Incremented',
      data: { by: 5, total: 5 },
      metadata: { causationId: command.metadata.messageId, correlationId: 'order-1' },
    });
    expect(Date.parse(events[0].metadata.createdAt)).toBeGreaterThanOrEqual(due);
    expect(timerViolations(await timerState(store), [{ id: command.metadata.messageId, due, command }], { allFired: true })).toEqual([]);
  });

  it('several worker processes fire every timer exactly once, none early', async () => {
    // Separate processes: on SQLite, two stores of one process on one file block each other (the
    // driver waits for the file lock synchronously, stalling the event loop the holder needs).
    const workers: TimerWorker[] = [];
    cleanups.push(() => Promise.all(workers.map((w) => w.kill().catch(() => {}))));
    workers.push(...(await Promise.all([0, 1, 2].map(() => TimerWorker.start(location, { idleCheckMs: 100 })))));

    const start = Date.now();
    const scheduled = await scheduleTimers(
      store,
      timers,
      'c',
      Array.from({ length: 200 }, (_, n) => start + 300 + n * 5),
    );
    await eventually(() => allFired(), 30_000);
    await sleep(200);
    const fired = await Promise.all(workers.map((w) => w.stop()));

    const state = await timerState(store);
    expect(timerViolations(state, scheduled, { allFired: true })).toEqual([]);
    expect(state.logged.size).toBe(scheduled.length);
    // Each worker counts the timers its committed transactions claimed: 200 in all, none twice.
    expect(fired.reduce((sum, n) => sum + n, 0)).toBe(scheduled.length);
    // They did compete (typically each fires dozens).
    expect(fired.filter((n) => n > 0).length, `fired per worker: ${fired}`).toBeGreaterThanOrEqual(2);
  });

  if (kind === 'postgres') {
    it('several stores firing at once claim each due timer exactly once (FOR UPDATE SKIP LOCKED)', async () => {
      const workers = await Promise.all(
        [0, 1, 2, 3].map(async () => {
          const other = await Store.open(postgresDialect(location.url, { poolSize: 2 }), { listen: false });
          cleanups.push(() => other.close());
          return new Timers(other);
        }),
      );
      const now = Date.now();
      const scheduled = await scheduleTimers(
        store,
        timers,
        'c',
        Array.from({ length: 300 }, (_, n) => now - n),
      );
      // Small batches, all workers at once, each going on while anything due is left.
      const claimed = await Promise.all(
        workers.map(async (worker) => {
          let total = 0;
          for (;;) {
            const fired = await worker.fireDue(new Date(), 7);
            total += fired;
            if (fired === 0 && (await worker.countDue()) === 0) return total;
          }
        }),
      );
      const state = await timerState(store);
      expect(timerViolations(state, scheduled, { allFired: true })).toEqual([]);
      expect(claimed.reduce((sum, n) => sum + n, 0)).toBe(scheduled.length);
      expect(claimed.filter((n) => n > 0).length, `claimed per store: ${claimed}`).toBeGreaterThanOrEqual(2);
    });

    it('a runner in another process wakes for a new timer (LISTEN/NOTIFY)', async () => {
      startRunner(store, timers, 60_000);
      await eventually(() => timers.nextDueCalls >= 1);
      await sleep(100);
      const other = await openAnother();
      const [timer] = await scheduleTimers(other, new Timers(other), 'c', [Date.now() + 200]);
      await eventually(async () => (await timerState(store)).logged.has(timer.id), 2_000);
      expect(timerViolations(await timerState(store), [timer], { allFired: true })).toEqual([]);
    });

    it('a runner waits without spinning while another worker holds due timers, and fires them if that worker gives up', async () => {
      const [held] = await scheduleTimers(store, timers, 'c', [Date.now() - 1]);
      const other = await Store.open(postgresDialect(location.url, { poolSize: 1 }), { listen: false });
      cleanups.push(() => other.close());
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => (locked = resolve));
      let giveUp!: () => void;
      const givenUp = new Promise<void>((resolve) => (giveUp = resolve));
      const holding = other.transaction(async (tx) => {
        await sql`SELECT id FROM timers WHERE id = ${held.id} FOR UPDATE`.execute(tx.db);
        locked();
        await givenUp;
        throw new Error('worker gave up');
      });
      cleanups.push(async () => {
        giveUp();
        await holding.catch(() => {});
      });
      await lockTaken;

      const runner = startRunner(store, timers, 60_000);
      await sleep(1_000);
      // A busy loop would have called fireDue hundreds of times in this second.
      expect(timers.fireDueCalls).toBeLessThan(50);
      expect(runner.fired).toBe(0);
      expect((await timerState(store)).pending).toEqual(new Set([held.id]));

      giveUp();
      await expect(holding).rejects.toThrow('worker gave up');
      await eventually(() => allFired(), 5_000);
      expect(timerViolations(await timerState(store), [held], { allFired: true })).toEqual([]);
      expect(runner.fired).toBe(1);
    });
  }
});

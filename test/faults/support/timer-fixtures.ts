/**
 * Shared by test/processing/timers.contract.test.ts and test/faults/timers-crash.test.ts: test timers,
 * a record of every firing written by the database itself, and worker processes running a TimerRunner.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Message } from '../../../src/platform/messages/envelope.ts';
import { newCommand, originFromRequest } from '../../../src/platform/messages/factory.ts';
import type { Timers } from '../../../src/platform/processing/timers.ts';
import type { Store } from '../../../src/platform/store/store.ts';
import type { StoreLocation } from '../../support/stores.ts';

export const TIMER_TYPE = 'TimerTest';

/** A scheduled test timer: its command (whose id is the timer id) and its due time in epoch ms. */
export interface TestTimer {
  id: string;
  due: number;
  command: Message;
}

/** A queued command carrying what it needs to be recognised in the log. */
export function timerCommand(cohort: string, n: number, due: number, stall = false): Message {
  const data = { cohort, n, due: new Date(due).toISOString(), ...(stall ? { stall: true } : {}) };
  return newCommand(TIMER_TYPE, data, { target: `${cohort}-${n % 7}`, origin: originFromRequest(cohort) });
}

/**
 * Schedules one timer per due time (epoch ms), all in one transaction. The command of timer `stall`
 * (an index) stalls the transaction that fires it while the stall is armed (see {@link recordFires}).
 */
export async function scheduleTimers(
  store: Store,
  timers: Timers,
  cohort: string,
  dues: number[],
  options: { stall?: number } = {},
): Promise<TestTimer[]> {
  const scheduled = dues.map((due, n) => {
    const command = timerCommand(cohort, n, due, n === options.stall);
    return { id: command.metadata.messageId, due, command };
  });
  await store.transaction(async (tx) => {
    for (const timer of scheduled) await timers.schedule(tx, timer.command, new Date(timer.due));
  });
  return scheduled;
}

/**
 * Installs a BEFORE INSERT trigger on `messages` that records, for every command row offered to the
 * log, the database clock's time in epoch ms. It runs in the inserting transaction, so a firing that
 * rolls back (or is killed) leaves no record, and it also runs for rows the log then ignores as
 * already logged (ON CONFLICT DO NOTHING): a timer claimed twice shows two records although the log
 * holds its command once.
 *
 * With `faults`, each row costs about 1 ms more, so that firing transactions stay open long enough for
 * a kill to land inside one, and the stall is armed: a row of a command marked `stall` blocks its
 * transaction (for a minute at most) until {@link disarmStall}.
 */
export async function recordFires(store: Store, options: { faults?: boolean } = {}): Promise<void> {
  if (store.dialect.name === 'sqlite') {
    await sql`CREATE TABLE test_fires (id INTEGER PRIMARY KEY AUTOINCREMENT, message_id text NOT NULL, fired_ms integer NOT NULL)`.execute(store.db);
    await sql`CREATE TABLE test_stall (armed integer NOT NULL)`.execute(store.db);
    // SQLite cannot sleep: joins of this table are the delays (300² rows ≈ 1 ms, 300⁴ ≈ a minute).
    await sql`CREATE TABLE test_slow (x integer NOT NULL)`.execute(store.db);
    if (options.faults) {
      await sql`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300) INSERT INTO test_slow SELECT x FROM c`.execute(store.db);
    }
    // julianday('now') has millisecond resolution; rounding undoes the float conversion.
    await sql`CREATE TRIGGER test_fires BEFORE INSERT ON messages WHEN NEW.kind = 'command' BEGIN
        SELECT count(*) FROM test_slow a, test_slow b, test_slow c, test_slow d
          WHERE NEW.payload LIKE '%"stall":true%' AND EXISTS (SELECT 1 FROM test_stall);
        INSERT INTO test_fires (message_id, fired_ms)
          SELECT NEW.message_id, CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)
          FROM (SELECT count(*) AS n FROM test_slow a, test_slow b) WHERE n >= 0;
      END`.execute(store.db);
  } else {
    await sql`CREATE TABLE test_fires (id bigserial PRIMARY KEY, message_id text NOT NULL, fired_ms bigint NOT NULL)`.execute(store.db);
    await sql`CREATE TABLE test_stall (armed integer NOT NULL)`.execute(store.db);
    const delay = options.faults ? sql.raw('PERFORM pg_sleep(0.001);') : sql.raw('');
    await sql`CREATE FUNCTION test_record_fire() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        waited integer := 0;
      BEGIN
        ${delay}
        IF NEW.payload LIKE '%"stall":true%' THEN
          WHILE waited < 3000 AND EXISTS (SELECT 1 FROM test_stall) LOOP
            PERFORM pg_sleep(0.02);
            waited := waited + 1;
          END LOOP;
        END IF;
        INSERT INTO test_fires (message_id, fired_ms) VALUES (NEW.message_id, floor(extract(epoch FROM clock_timestamp()) * 1000));
        RETURN NEW;
      END $$`.execute(store.db);
    await sql`CREATE TRIGGER test_fires BEFORE INSERT ON messages FOR EACH ROW WHEN (NEW.kind = 'command') EXECUTE FUNCTION test_record_fire()`.execute(
      store.db,
    );
  }
  if (options.faults) await sql`INSERT INTO test_stall (armed) VALUES (1)`.execute(store.db);
}

/** Lets stalled and later firings of `stall` commands go on. */
export async function disarmStall(store: Store): Promise<void> {
  await sql`DELETE FROM test_stall`.execute(store.db);
}

/** Pending timers, logged commands and recorded fires, read in ONE statement (one snapshot). */
export interface TimerState {
  pending: Set<string>;
  /** Command id → how many log rows carry it. */
  logged: Map<string, number>;
  /** Command id → the times it was fired (epoch ms, database clock). */
  fires: Map<string, number[]>;
}

export async function timerState(store: Store): Promise<TimerState> {
  const { rows } = await sql<{ what: string; id: string; at: number | string | null }>`
    SELECT 'pending' AS what, id, CAST(NULL AS bigint) AS at FROM timers
    UNION ALL SELECT 'logged', message_id, CAST(NULL AS bigint) FROM messages WHERE kind = 'command'
    UNION ALL SELECT 'fire', message_id, fired_ms FROM test_fires`.execute(store.db);
  const state: TimerState = { pending: new Set(), logged: new Map(), fires: new Map() };
  for (const row of rows) {
    if (row.what === 'pending') state.pending.add(row.id);
    else if (row.what === 'logged') state.logged.set(row.id, (state.logged.get(row.id) ?? 0) + 1);
    else state.fires.set(row.id, [...(state.fires.get(row.id) ?? []), Number(row.at)]);
  }
  return state;
}

/**
 * What is wrong with these timers in `state`, as readable lines (none: all is well). Always: a timer
 * is either pending or its command is logged, never both and never neither (claim and append are
 * one transaction); a logged command was fired exactly once and not before it was due; a pending
 * timer was never fired. With `allFired`, nothing may still be pending.
 */
export function timerViolations(state: TimerState, timers: readonly TestTimer[], options: { allFired?: boolean } = {}): string[] {
  const problems: string[] = [];
  for (const timer of timers) {
    const pending = state.pending.has(timer.id);
    const logged = state.logged.get(timer.id) ?? 0;
    const fires = state.fires.get(timer.id) ?? [];
    const name = `timer ${timer.id} due ${new Date(timer.due).toISOString()}`;
    if (pending && logged > 0) problems.push(`${name} is pending and its command is logged`);
    if (!pending && logged === 0) problems.push(`${name} is gone but its command is not logged`);
    if (logged > 1) problems.push(`${name} is logged ${logged} times`);
    if (logged > 0 && fires.length !== 1) problems.push(`${name} was fired ${fires.length} times`);
    if (pending && fires.length > 0) problems.push(`${name} is pending but was fired`);
    for (const at of fires) {
      if (at < timer.due) problems.push(`${name} fired ${timer.due - at} ms early, at ${new Date(at).toISOString()}`);
    }
    if (options.allFired && pending) problems.push(`${name} never fired`);
  }
  return problems;
}

const PROJECT = fileURLToPath(new URL('../../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./timer-worker.ts', import.meta.url));

/** A child process running a TimerRunner over a store (test/faults/support/timer-worker.ts). */
export class TimerWorker {
  /** Sizes of the firing transactions it reported committed. */
  readonly batches: number[] = [];
  stderr = '';
  readonly #child: ChildProcess;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #lines = new Set<(line: string) => void>();
  readonly #safety: NodeJS.Timeout;

  private constructor(location: StoreLocation, idleCheckMs: number) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', WORKER, location.kind, location.url, String(idleCheckMs)], {
      cwd: PROJECT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // 'close': the process is gone and its output fully read.
    this.#exited = new Promise((resolve) => this.#child.on('close', (code, signal) => resolve({ code, signal })));
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    let buffered = '';
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('fired ')) this.batches.push(Number(line.slice('fired '.length)));
        for (const listener of this.#lines) listener(line);
      }
    });
    this.#safety = setTimeout(() => this.#child.kill('SIGKILL'), 60_000);
  }

  /** Starts a worker and waits until its runner runs. */
  static async start(location: StoreLocation, options: { idleCheckMs?: number } = {}): Promise<TimerWorker> {
    const worker = new TimerWorker(location, options.idleCheckMs ?? 100);
    await worker.#until((line) => line === 'ready', 30_000);
    return worker;
  }

  get fired(): number {
    return this.batches.reduce((sum, n) => sum + n, 0);
  }

  /** Waits until the worker has reported `count` committed firing transactions. */
  async firedBatches(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.batches.length >= count) return;
    await this.#until(() => this.batches.length >= count, timeoutMs);
  }

  /** kill -9. */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    const { signal } = await this.#exited;
    clearTimeout(this.#safety);
    if (signal !== 'SIGKILL') throw new Error(`worker ended by ${signal} before it was killed: ${this.stderr}`);
  }

  /** Stops the runner cleanly; answers how many timers it fired in all. */
  async stop(): Promise<number> {
    let total: number | undefined;
    const listener = (line: string) => {
      if (line.startsWith('stopped ')) total = Number(line.slice('stopped '.length));
    };
    this.#lines.add(listener);
    this.#child.kill('SIGTERM');
    const { code, signal } = await this.#exited;
    clearTimeout(this.#safety);
    if (code !== 0 || total === undefined) throw new Error(`worker ended with ${code ?? signal} without stopping: ${this.stderr}`);
    return total;
  }

  #until(check: (line: string) => boolean, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.#lines.delete(listener);
        if (error) reject(error);
        else resolve();
      };
      const listener = (line: string) => {
        if (check(line)) done();
      };
      const timer = setTimeout(() => done(new Error(`timer worker: nothing after ${timeoutMs} ms: ${this.stderr}`)), timeoutMs);
      this.#lines.add(listener);
      void this.#exited.then(({ code, signal }) => done(new Error(`timer worker exited (${code ?? signal}): ${this.stderr}`)));
    });
  }
}

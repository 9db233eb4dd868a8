/**
 * Child process of the timer tests (see timer-fixtures.ts): runs a TimerRunner over a store until it is
 * killed, or stopped with SIGTERM.
 *
 *   node --import tsx timer-worker.ts <sqlite|postgres> <file-or-url> <idleCheckMs>
 *
 * Lines on stdout (a pipe, written synchronously, so a reported line is never lost with the process):
 * `ready` once the runner runs, `fired <n>` after each committed transaction that fired n timers, and
 * `stopped <total>` after a SIGTERM stopped the runner. Runner errors go to stderr.
 */
import { Timers, TimerRunner } from '../../../src/platform/processing/timers.ts';
import { postgresDialect } from '../../../src/platform/store/postgres.ts';
import { sqliteDialect } from '../../../src/platform/store/sqlite.ts';
import { Store } from '../../../src/platform/store/store.ts';

const [kind, url, idleArg] = process.argv.slice(2);
const idleCheckMs = Number(idleArg);
if ((kind !== 'sqlite' && kind !== 'postgres') || !url || !(idleCheckMs > 0)) {
  process.stderr.write('usage: timer-worker <sqlite|postgres> <file-or-url> <idleCheckMs>\n');
  process.exit(2);
}

/** The product's Timers, reporting each firing transaction once it has committed. */
class ReportingTimers extends Timers {
  override async fireDue(now?: Date, batchSize?: number): Promise<number> {
    const fired = await super.fireDue(now, batchSize);
    if (fired > 0) process.stdout.write(`fired ${fired}\n`);
    return fired;
  }
}

const store = await Store.open(kind === 'sqlite' ? sqliteDialect(url) : postgresDialect(url, { poolSize: 2 }));
const runner = new TimerRunner(store, new ReportingTimers(store), {
  idleCheckMs,
  onError: (error) => process.stderr.write(`runner error: ${String(error)}\n`),
});

process.on('SIGTERM', () => {
  void (async () => {
    await runner.stop();
    process.stdout.write(`stopped ${runner.fired}\n`);
    await store.close();
    process.exit(0);
  })();
});

runner.start();
process.stdout.write('ready\n');

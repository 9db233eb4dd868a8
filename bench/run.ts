/**
 * `npm run bench [-- <module…>] [--store=sqlite|postgres] [--quick] [--no-write]`
 *
 * Runs the benchmark modules (all but the opt-in ones, or those named), prints
 * their tables and appends a section to BENCHMARKS.md (unless --no-write). A module is a file
 * `bench/<name>.bench.ts` exporting `benchmark: BenchModule`; add it to MODULES below.
 *
 * Environment: BENCH_POSTGRES_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_DIR (where SQLite files go; default the OS temp dir).
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { DEFAULT_POSTGRES_ADMIN_URL, postgresVersion } from './support/locations.ts';
import { machineInfo, renderMachine, renderSection, renderTable, verdict } from './support/report.ts';
import { benchmark as distributedBenchmark } from './distributed.bench.ts';
import { benchmark as importV1Benchmark } from './import-v1.bench.ts';
import { benchmark as opsQueriesBenchmark } from './ops-queries.bench.ts';
import { benchmark as rebuildBenchmark } from './rebuild.bench.ts';
import { benchmark as registrationBenchmark } from './registration.bench.ts';
import { benchmark as storeBenchmark } from './store.bench.ts';
import type { BenchBudget, BenchContext, BenchModule, BenchTable, StoreKind } from './support/types.ts';
import { STORE_KINDS } from './support/types.ts';

/** Every benchmark module, in the order they run. */
const MODULES: BenchModule[] = [storeBenchmark, registrationBenchmark, distributedBenchmark, opsQueriesBenchmark, rebuildBenchmark, importV1Benchmark];

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = join(ROOT, 'BENCHMARKS.md');

const REPORT_HEADER = `# Benchmarks

Appended by \`npm run bench\` (see \`bench/run.ts\`); newest section last. Each row compares ours with
a baseline measured in the same run on the same machine; \`ratio\` is ours as a share of the
baseline's performance (for lower-is-better rows: baseline / ours).

`;

function parseArgs(argv: string[]) {
  const filters: string[] = [];
  let stores: StoreKind[] = [...STORE_KINDS];
  let quick = false;
  let write = true;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--no-write') write = false;
    else if (arg.startsWith('--store=')) {
      const wanted = arg.slice('--store='.length).split(',');
      for (const w of wanted) if (!STORE_KINDS.includes(w as StoreKind)) throw new Error(`Unknown store: ${w}`);
      stores = wanted as StoreKind[];
    } else if (arg === '--help' || arg === '-h') {
      console.log('npm run bench [-- <module…>] [--store=sqlite|postgres] [--quick] [--no-write]');
      for (const m of MODULES) console.log(`  ${m.name}${m.optIn ? ' (opt-in)' : ''}: ${m.description}`);
      process.exit(0);
    } else if (arg.startsWith('-')) throw new Error(`Unknown option: ${arg}`);
    else filters.push(arg);
  }
  return { filters, stores, quick, write };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  for (const f of args.filters) {
    if (!MODULES.some((m) => m.name === f)) throw new Error(`No benchmark module ${f}; modules: ${MODULES.map((m) => m.name).join(', ')}`);
  }
  const modules = MODULES.filter((m) => (args.filters.length === 0 ? !m.optIn : args.filters.includes(m.name)));

  const budget: BenchBudget = args.quick
    ? { warmupMs: 200, rounds: 2, roundMs: 400 }
    : { warmupMs: 500, rounds: 6, roundMs: 600 };
  const budgetText = `warm-up ${budget.warmupMs} ms, then ${budget.rounds} alternating rounds of ${budget.roundMs} ms per contender${args.quick ? ' (--quick: not for the record)' : ''}`;

  const postgresAdminUrl = process.env.BENCH_POSTGRES_ADMIN_URL ?? DEFAULT_POSTGRES_ADMIN_URL;
  const warnings: string[] = [];
  const pgVersion = await postgresVersion(postgresAdminUrl);
  let stores = args.stores;
  if (stores.includes('postgres') && pgVersion === undefined) {
    warnings.push(`PostgreSQL at ${new URL(postgresAdminUrl).host} does not answer: PostgreSQL rows skipped`);
    stores = stores.filter((s) => s !== 'postgres');
  }
  const memory = new BetterSqlite3(':memory:');
  const sqliteVersion = memory.prepare('select sqlite_version()').pluck().get() as string;
  memory.close();
  const machine = machineInfo({ sqlite: sqliteVersion, postgres: pgVersion ?? 'unavailable' });

  console.log(`Benchmarks: ${modules.map((m) => m.name).join(', ')} on ${stores.join(', ')}`);
  console.log(renderMachine(machine));
  for (const w of warnings) console.log(`WARNING: ${w}`);

  const cleanups: Array<() => Promise<void> | void> = [];
  const runCleanups = async () => {
    while (cleanups.length > 0) {
      try {
        await cleanups.pop()!();
      } catch (error) {
        console.error('clean-up failed:', error);
      }
    }
  };
  process.once('SIGINT', () => {
    console.error('\ninterrupted: cleaning up');
    void runCleanups().finally(() => process.exit(130));
  });

  const started = new Date();
  const tables: BenchTable[] = [];
  for (const module of modules) {
    const moduleStart = performance.now();
    const ctx: BenchContext = {
      stores,
      budget,
      postgresAdminUrl,
      log: (message) => console.log(`[${module.name}] ${message}`),
      onCleanup: (work) => cleanups.push(work),
    };
    try {
      const result = await module.run(ctx);
      tables.push(...result);
      for (const table of result) console.log(`\n${renderTable(table)}\n`);
    } finally {
      await runCleanups();
    }
    ctx.log(`done in ${((performance.now() - moduleStart) / 1000).toFixed(1)} s`);
  }

  const failed = tables.flatMap((t) => t.rows).filter((r) => verdict(r) === 'FAIL');
  if (args.write) {
    const section = renderSection({ date: started, machine, modules: modules.map((m) => m.name), tables, warnings, budgetText });
    if (!existsSync(REPORT)) writeFileSync(REPORT, REPORT_HEADER);
    appendFileSync(REPORT, `${section}\n`);
    console.log(`Appended to ${REPORT}`);
  }
  console.log(failed.length === 0 ? 'All targets met.' : `${failed.length} row(s) below target.`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

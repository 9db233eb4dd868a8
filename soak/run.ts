/**
 * `npm run soak [-- --minutes=N] [--users=N]`: mixed traffic against a `conference serve` process
 * (embedded store, seconds-long holds so orders expire during the run) for N minutes (default 10),
 * then checks the invariants once everything has settled and reports throughput, latency percentiles,
 * memory over time and subscription lag. Appends the report to SOAK.md; exit code 1 when an
 * invariant fails or any request answered 5xx or unexpectedly.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { percentiles } from '../bench/support/measure.ts';
import { registrationClient } from '../bench/support/registration-client.ts';
import { startServer } from '../bench/support/server-process.ts';
import { checkInvariants } from './invariants.ts';
import { type MemorySample, memoryTrend, sampleServer } from './samples.ts';
import { type Traffic, createSoakConference, pickScenario } from './traffic.ts';

const HOLD_SECONDS = 5;
const BUFFER_SECONDS = 3;
const SAMPLE_EVERY_MS = 10_000;
const REPORT = join(dirname(fileURLToPath(import.meta.url)), '..', 'SOAK.md');

function option(name: string, fallback: number): number {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  const value = given ? Number(given.split('=')[1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

async function main(): Promise<void> {
  const minutes = option('minutes', 10);
  const users = option('users', 12);
  const operatorToken = randomBytes(16).toString('hex');
  const server = await startServer({
    RESERVATION_HOLD_SECONDS: String(HOLD_SECONDS),
    SEAT_RELEASE_BUFFER_SECONDS: String(BUFFER_SECONDS),
    CONFERENCE_CREATION_LIMIT: '0',
    OPERATOR_TOKEN: operatorToken,
  });
  const operator = { authorization: `Bearer ${operatorToken}` };
  try {
    const client = registrationClient(server.url);
    const traffic: Traffic = { client, conference: await createSoakConference(client), orders: [], located: [] };
    console.log(`soak: ${minutes} min, ${users} users against ${server.url} (hold ${HOLD_SECONDS} s + ${BUFFER_SECONDS} s)`);

    const latencies = new Map<string, number[]>();
    const failures: string[] = [];
    const samples: MemorySample[] = [];
    const started = performance.now();
    const deadline = started + minutes * 60_000;
    const sampler = setInterval(() => {
      sampleServer(client, operator, (performance.now() - started) / 60_000).then(
        (sample) => {
          samples.push(sample);
          console.log(`  ${sample.minute.toFixed(1)} min: rss ${sample.rssMiB.toFixed(0)} MiB, heap ${sample.heapMiB.toFixed(0)} MiB, lag ≤ ${sample.maxLagMessages} messages / ${sample.maxLagSeconds.toFixed(2)} s, ${traffic.orders.length} orders`);
        },
        (error: unknown) => failures.push(`metrics: ${String(error)}`),
      );
    }, SAMPLE_EVERY_MS);

    await Promise.all(
      Array.from({ length: users }, async () => {
        while (performance.now() < deadline) {
          const scenario = pickScenario();
          const start = performance.now();
          try {
            await scenario.run(traffic);
            const list = latencies.get(scenario.name) ?? [];
            list.push(performance.now() - start);
            latencies.set(scenario.name, list);
          } catch (error) {
            failures.push(`${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }),
    );
    clearInterval(sampler);
    const elapsedMinutes = (performance.now() - started) / 60_000;

    console.log(`traffic over; waiting for ${traffic.orders.length} orders to reach a final state…`);
    const problems = await checkInvariants(traffic, operator, (HOLD_SECONDS + BUFFER_SECONDS) * 1000);
    const report = renderReport({ minutes: elapsedMinutes, users, latencies, samples, failures, problems, orders: traffic.orders.length });
    console.log(`\n${report}`);
    if (!existsSync(REPORT)) writeFileSync(REPORT, '# Soak runs\n\nAppended by `npm run soak` (see `soak/run.ts`); newest last.\n');
    appendFileSync(REPORT, `\n${report}\n`);
    if (failures.length > 0 || problems.length > 0) process.exitCode = 1;
  } finally {
    await server.close();
  }
}

function renderReport(run: {
  minutes: number;
  users: number;
  latencies: Map<string, number[]>;
  samples: MemorySample[];
  failures: string[];
  problems: string[];
  orders: number;
}): string {
  const rows = [...run.latencies.entries()].map(([name, list]) => {
    const [p50, p95, p99] = percentiles(list, [50, 95, 99]);
    return `| ${name} | ${list.length} | ${(list.length / (run.minutes * 60)).toFixed(1)} | ${p50.toFixed(0)} | ${p95.toFixed(0)} | ${p99.toFixed(0)} |`;
  });
  const trend = memoryTrend(run.samples);
  const maxLag = run.samples.reduce((max, s) => Math.max(max, s.maxLagMessages), 0);
  const maxLagSeconds = run.samples.reduce((max, s) => Math.max(max, s.maxLagSeconds), 0);
  return [
    `## ${new Date().toISOString()} — ${run.minutes.toFixed(1)} min, ${run.users} users, ${run.orders} orders`,
    '',
    `Embedded server (SQLite), hold ${HOLD_SECONDS} s + release buffer ${BUFFER_SECONDS} s; ${cpus().length} cores, ` +
      `load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (the load generator shares the machine).`,
    '',
    '| scenario | runs | per second | p50 ms | p95 ms | p99 ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `- Memory (server RSS, sampled every ${SAMPLE_EVERY_MS / 1000} s): ${run.samples.map((s) => s.rssMiB.toFixed(0)).join(', ')} MiB; ` +
      `trend over the second half ${trend.toFixed(2)} MiB/min.`,
    `- Subscription lag, worst sample: ${maxLag} messages, ${maxLagSeconds.toFixed(2)} s.`,
    `- Failed requests: ${run.failures.length}${run.failures.length > 0 ? ` (first: ${run.failures[0]})` : ''}.`,
    `- Invariants: ${run.problems.length === 0 ? 'all hold (every order final; quota = sold + held + remaining with held 0; no e-mail twice)' : run.problems.join('; ')}.`,
  ].join('\n');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

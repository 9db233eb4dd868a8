import { performance } from 'node:perf_hooks';
import type { BenchBudget } from './types.ts';

/**
 * Something measured: runs its workload for about `ms` and answers how many units (transactions,
 * events, rows) it completed. Work already started when the time is up is finished and counted.
 */
export interface Contender {
  name: string;
  runFor(ms: number): Promise<number>;
}

export interface Rate {
  units: number;
  elapsedMs: number;
  perSecond: number;
  /** The rate of each measured round, to judge the noise. */
  rounds: number[];
}

/** The spread of ours / baseline over the rounds (min and max), e.g. to show `48–71 %`. */
export function roundRatioRange(ours: Rate, baseline: Rate): [number, number] {
  const ratios = ours.rounds.map((r, i) => r / baseline.rounds[i]);
  return [Math.min(...ratios), Math.max(...ratios)];
}

/** A contender that calls `step` in a loop; each call answers the units it completed. */
export function looping(name: string, step: () => Promise<number> | number): Contender {
  return {
    name,
    async runFor(ms) {
      const deadline = performance.now() + ms;
      let units = 0;
      while (performance.now() < deadline) units += await step();
      return units;
    },
  };
}

/** `workers` loops running at once, each with its own step (e.g. its own connection and streams). */
export function concurrent(name: string, steps: ReadonlyArray<() => Promise<number>>): Contender {
  return {
    name,
    async runFor(ms) {
      const deadline = performance.now() + ms;
      const counts = await Promise.all(
        steps.map(async (step) => {
          let units = 0;
          while (performance.now() < deadline) units += await step();
          return units;
        }),
      );
      return counts.reduce((a, b) => a + b, 0);
    },
  };
}

async function timed(contender: Contender, ms: number): Promise<{ units: number; elapsedMs: number }> {
  const start = performance.now();
  const units = await contender.runFor(ms);
  return { units, elapsedMs: performance.now() - start };
}

/**
 * Warms every contender up, then measures them in alternating rounds (A B, B A, A B, …) so that
 * drift (a growing table, WAL checkpoints, a busy neighbour) affects all of them alike.
 */
export async function compare(budget: BenchBudget, contenders: readonly Contender[]): Promise<Rate[]> {
  for (const contender of contenders) await contender.runFor(budget.warmupMs);
  const totals = contenders.map(() => ({ units: 0, elapsedMs: 0, rounds: [] as number[] }));
  for (let round = 0; round < budget.rounds; round++) {
    const order = contenders.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const { units, elapsedMs } = await timed(contenders[i], budget.roundMs);
      totals[i].units += units;
      totals[i].elapsedMs += elapsedMs;
      totals[i].rounds.push((units * 1000) / elapsedMs);
    }
  }
  return totals.map((t) => ({ ...t, perSecond: (t.units * 1000) / t.elapsedMs }));
}

/**
 * The fastest of several ways to do the same work (used to give a raw baseline its best shot):
 * each is tried briefly, the fastest is answered.
 */
export async function fastest(trialMs: number, contenders: readonly Contender[]): Promise<{ best: Contender; rates: Map<string, number> }> {
  const rates = new Map<string, number>();
  let best = contenders[0];
  let bestRate = -1;
  for (const contender of contenders) {
    await contender.runFor(Math.min(200, trialMs / 4));
    const { units, elapsedMs } = await timed(contender, trialMs);
    const rate = (units * 1000) / elapsedMs;
    rates.set(contender.name, rate);
    if (rate > bestRate) {
      best = contender;
      bestRate = rate;
    }
  }
  return { best, rates };
}

/** Percentiles (nearest rank) of latency samples, e.g. `percentiles(samples, [50, 99])`. */
export function percentiles(samples: readonly number[], ps: readonly number[]): number[] {
  if (samples.length === 0) return ps.map(() => Number.NaN);
  const sorted = [...samples].sort((a, b) => a - b);
  return ps.map((p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
}

/** CPU time of processes and of the machine, from /proc (Linux), to say where a run's CPU went. */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc figures (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by every process whose command name is `name` (e.g. `postgres`). */
export function namedCpuSeconds(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === name) total += processCpuSeconds(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** The machine's busy and total CPU seconds so far (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** CPU seconds per named share between two readings. */
export class CpuMeter {
  #start: Map<string, number> = new Map();
  #machine = machineCpuSeconds();

  constructor(private readonly sources: Record<string, () => number>) {
    this.reset();
  }

  reset(): void {
    this.#start = new Map(Object.entries(this.sources).map(([name, read]) => [name, read()]));
    this.#machine = machineCpuSeconds();
  }

  /** CPU seconds each source used since the last reset, and how busy the whole machine was (0–1). */
  read(): { seconds: Record<string, number>; machineBusy: number } {
    const seconds: Record<string, number> = {};
    for (const [name, read] of Object.entries(this.sources)) seconds[name] = read() - (this.#start.get(name) ?? 0);
    const machine = machineCpuSeconds();
    const total = machine.total - this.#machine.total;
    return { seconds, machineBusy: total > 0 ? (machine.busy - this.#machine.busy) / total : 0 };
  }
}

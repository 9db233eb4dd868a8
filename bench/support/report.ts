import { cpus, loadavg, totalmem } from 'node:os';
import type { BenchRow, BenchTable, Quantity } from './types.ts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  sqlite: string;
  postgres: string;
  /** 1, 5 and 15 minute load averages when the run began (other work on the machine skews results). */
  loadAverage: number[];
}

export function machineInfo(versions: { sqlite: string; postgres: string }): Machine {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    ...versions,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function quantity(q: Quantity | undefined): string {
  return q ? `${formatNumber(q.value)} ${q.unit}` : '–';
}

/** Ours as a share of the baseline's performance (for lower-is-better rows: baseline / ours). */
export function ratioOf(row: BenchRow): number | undefined {
  if (!row.baseline || row.baseline.value === 0 || row.ours.value === 0) return undefined;
  return row.higherIsBetter === false ? row.baseline.value / row.ours.value : row.ours.value / row.baseline.value;
}

export function verdict(row: BenchRow): 'pass' | 'FAIL' | '–' {
  const target = row.target;
  if (!target) return '–';
  switch (target.kind) {
    case 'ratio': {
      const ratio = ratioOf(row);
      return ratio !== undefined && ratio >= target.min ? 'pass' : 'FAIL';
    }
    case 'max':
      return row.ours.value <= target.value ? 'pass' : 'FAIL';
    case 'min':
      return row.ours.value >= target.value ? 'pass' : 'FAIL';
  }
}

function targetText(row: BenchRow): string {
  const target = row.target;
  if (!target) return '–';
  switch (target.kind) {
    case 'ratio':
      return `≥ ${Math.round(target.min * 100)} %`;
    case 'max':
      return `≤ ${formatNumber(target.value)} ${target.unit}`;
    case 'min':
      return `≥ ${formatNumber(target.value)} ${target.unit}`;
  }
}

const HEADER = ['store', 'measurement', 'ours', 'baseline', 'ratio', 'target', 'result', 'note'];

function cells(row: BenchRow): string[] {
  const ratio = ratioOf(row);
  const baseline = row.baseline ? quantity(row.baseline) + (row.baseline.label ? ` (${row.baseline.label})` : '') : '–';
  return [
    row.store,
    row.measurement,
    quantity(row.ours),
    baseline,
    ratio === undefined ? '–' : `${Math.round(ratio * 100)} %`,
    targetText(row),
    verdict(row),
    row.note ?? '',
  ];
}

/** A Markdown table, padded so that it also reads well in a terminal. */
export function markdownTable(table: BenchTable): string {
  const body = table.rows.map(cells).map((r) => r.map((c) => c.replaceAll('|', '\\|')));
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const numeric = new Set([2, 3, 4]);
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(HEADER), rule, ...body.map(line)].join('\n');
}

export function renderTable(table: BenchTable): string {
  const parts = [`### ${table.title}`, ''];
  if (table.description) parts.push(table.description, '');
  parts.push(markdownTable(table));
  if (table.notes?.length) parts.push('', ...table.notes.map((n) => `- ${n}`));
  return parts.join('\n');
}

export function renderMachine(machine: Machine): string {
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} cores; memory ${machine.memoryGiB} GiB; load average at start ${machine.loadAverage.join(' / ')}`,
    `- Node ${machine.node}; SQLite ${machine.sqlite}; PostgreSQL ${machine.postgres}`,
  ].join('\n');
}

export function renderSection(options: {
  date: Date;
  machine: Machine;
  modules: string[];
  tables: BenchTable[];
  warnings: string[];
  budgetText: string;
}): string {
  const parts = [
    `## ${options.date.toISOString().replace(/\.\d+Z$/, 'Z')} — ${options.modules.join(', ')}`,
    '',
    renderMachine(options.machine),
    `- Budget: ${options.budgetText}`,
    ...options.warnings.map((w) => `- **Warning:** ${w}`),
    '',
  ];
  for (const table of options.tables) parts.push(renderTable(table), '');
  return parts.join('\n');
}

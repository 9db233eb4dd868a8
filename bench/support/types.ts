/**
 * The benchmark module interface. `bench/run.ts` lists modules; each one measures something and
 * answers tables of rows. A row compares "ours" against a baseline measured in the same run, or
 * against an absolute target (e.g. a latency bound), or is informational only.
 */

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

export interface Quantity {
  value: number;
  /** `tx/s`, `events/s`, `ms`, … */
  unit: string;
}

export type Target =
  /** Ours as a share of the baseline's performance must be at least `min` (0.7 = 70 %). */
  | { kind: 'ratio'; min: number }
  /** Ours must be at most `value` (latencies: lower is better). */
  | { kind: 'max'; value: number; unit: string }
  /** Ours must be at least `value`. */
  | { kind: 'min'; value: number; unit: string };

export interface BenchRow {
  /** `sqlite`, `postgres`, or anything else the module compares (a handler, an endpoint, …). */
  store: string;
  measurement: string;
  ours: Quantity;
  /** What ours is compared to, measured in the same run. */
  baseline?: Quantity & { label?: string };
  /** Default true (throughput). For latencies set false: the ratio then is baseline / ours. */
  higherIsBetter?: boolean;
  target?: Target;
  /** Short free text, shown in the table (e.g. which raw variant was fastest). */
  note?: string;
}

export interface BenchTable {
  title: string;
  /** Markdown paragraphs printed above the table (method, workload). */
  description?: string;
  rows: BenchRow[];
  /** Markdown bullets printed under the table. */
  notes?: string[];
}

export interface BenchBudget {
  /** Warm-up per contender, before any measured round. */
  warmupMs: number;
  /** Measured rounds; contenders alternate within each round (A B, then B A, …). */
  rounds: number;
  /** Length of one contender's share of a round. */
  roundMs: number;
}

export interface BenchContext {
  /** The stores selected on the command line (`--store=sqlite`) and reachable. */
  stores: readonly StoreKind[];
  budget: BenchBudget;
  /** Administrative PostgreSQL connection (to create and drop benchmark databases). */
  postgresAdminUrl: string;
  log(message: string): void;
  /** Registers clean-up work run once the module ends, also on failure or Ctrl-C. */
  onCleanup(work: () => Promise<void> | void): void;
}

export interface BenchModule {
  /** Selects the module on the command line (exact name): `npm run bench -- store`. */
  name: string;
  description: string;
  /** Runs only when named on the command line (diagnostics too slow or too detailed for every run). */
  optIn?: boolean;
  run(ctx: BenchContext): Promise<BenchTable[]>;
}

import { newOperatorAction } from '../messages/factory.ts';
import type { Store } from '../store/store.ts';
import { maintenanceDb } from './schema.ts';

/** The three maintenance switches (DOMAIN 7.4). */
export const SWITCH_NAMES = ['public', 'management', 'processing'] as const;
export type SwitchName = (typeof SWITCH_NAMES)[number];

/** Which parts are in maintenance (true) now. */
export type SwitchState = Readonly<Record<SwitchName, boolean>>;

export const ALL_RUNNING: SwitchState = { public: false, management: false, processing: false };

export interface MaintenanceSwitchesOptions {
  /**
   * Safety re-check: how often the switches are read again without a signal (another process's
   * change on SQLite, which cannot notify; a missed PostgreSQL notification). Default 5 s.
   */
  recheckMs?: number;
  onError?: (error: unknown) => void;
}

const DEFAULT_RECHECK_MS = 5000;

/**
 * The maintenance switches of one process: read from the store, kept in memory (every request
 * consults them without a query) and read again when the store signals `maintenance` (a change in
 * this process, or another on PostgreSQL) and at every safety re-check. Listeners hear each state
 * that differs from the one before.
 */
export class MaintenanceSwitches {
  #state: SwitchState = ALL_RUNNING;
  readonly #listeners = new Set<(state: SwitchState, before: SwitchState) => void>();
  #reading: Promise<SwitchState> | undefined;
  #readAgain: Promise<SwitchState> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;

  private constructor(
    private readonly store: Store,
    private readonly options: MaintenanceSwitchesOptions,
  ) {}

  /** Reads the switches and follows their changes until {@link close}. */
  static async open(store: Store, options: MaintenanceSwitchesOptions = {}): Promise<MaintenanceSwitches> {
    const switches = new MaintenanceSwitches(store, options);
    await switches.reload();
    switches.#unsubscribe = store.onChange('maintenance', () => switches.#reloadQuietly());
    switches.#timer = setInterval(() => switches.#reloadQuietly(), options.recheckMs ?? DEFAULT_RECHECK_MS);
    switches.#timer.unref();
    return switches;
  }

  /** The state last read. */
  get state(): SwitchState {
    return this.#state;
  }

  /** Calls `listener` after every change of the state read; answers a function that stops it. */
  onChange(listener: (state: SwitchState, before: SwitchState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Sets the given switches and answers the state after it. Each switch that actually changes is
   * logged as an operator action in the same transaction (`start-maintenance` / `end-maintenance`,
   * target the switch's name); setting a switch to what it is changes nothing and logs nothing.
   */
  async change(changes: Partial<Record<SwitchName, boolean>>, reason: string | null = null): Promise<SwitchState> {
    await this.store.transaction(async (tx) => {
      const db = maintenanceDb(tx.db);
      for (const name of SWITCH_NAMES) {
        const enabled = changes[name];
        if (enabled === undefined) continue;
        const value = enabled ? 1 : 0;
        // Conditional: of two operators setting the same switch at once, one changes it and is logged.
        const result = await db
          .updateTable('maintenance_switches')
          .set({ enabled: value, changed_at: new Date().toISOString() })
          .where('name', '=', name)
          .where('enabled', '<>', value)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) continue;
        await this.store.append(tx, [newOperatorAction({ action: enabled ? 'start-maintenance' : 'end-maintenance', target: name, reason })]);
        tx.topics.add('maintenance');
      }
    });
    return this.reload();
  }

  /** Reads the switches now (one read at a time; requests during a read share one more read after it). */
  reload(): Promise<SwitchState> {
    if (this.#readAgain) return this.#readAgain;
    if (this.#reading) {
      this.#readAgain = this.#reading.then(() => {
        this.#readAgain = undefined;
        return this.reload();
      });
      return this.#readAgain;
    }
    this.#reading = this.#read().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  /** Stops following changes. */
  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe?.();
    this.#listeners.clear();
  }

  async #read(): Promise<SwitchState> {
    const rows = await maintenanceDb(this.store.db).selectFrom('maintenance_switches').select(['name', 'enabled']).execute();
    const next = { ...ALL_RUNNING };
    for (const row of rows) if ((SWITCH_NAMES as readonly string[]).includes(row.name)) next[row.name as SwitchName] = row.enabled === 1;
    const before = this.#state;
    if (SWITCH_NAMES.some((name) => next[name] !== before[name])) {
      this.#state = next;
      for (const listener of this.#listeners) listener(next, before);
    }
    return this.#state;
  }

  #reloadQuietly(): void {
    this.reload().catch((error: unknown) => this.options.onError?.(error));
  }
}

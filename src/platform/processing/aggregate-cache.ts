import type { Store } from '../store/store.ts';

/** A folded aggregate: its state after the stream's events up to `version`. */
export interface CachedAggregate {
  state: unknown;
  version: number;
}

/** How many aggregates a store's cache keeps; the least recently used leave first. */
const CAPACITY = 20_000;

/**
 * Aggregate states kept in memory per store (ARCHITECTURE 4: derived data, never in the log), so a
 * command folds only the events appended since, not the whole stream: a conference's
 * SeatsAvailability stream grows with every order. Only committed states are put here (events are
 * immutable once committed), so a state is always right up to its version; a loader reads the
 * stream after that version, which also catches up with other processes' writes.
 */
export class AggregateCache {
  readonly #entries = new Map<string, CachedAggregate & { owner: object }>();

  /** `owner` tells aggregates apart that share a source type (each has its own state shape). */
  get(owner: object, key: string): CachedAggregate | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.owner !== owner) return undefined;
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  /** Keeps `aggregate` unless a newer version is cached already. */
  put(owner: object, key: string, aggregate: CachedAggregate): void {
    const current = this.#entries.get(key);
    if (current && current.owner === owner && current.version >= aggregate.version) return;
    this.#entries.delete(key);
    this.#entries.set(key, { ...aggregate, owner });
    if (this.#entries.size > CAPACITY) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

const caches = new WeakMap<Store, AggregateCache>();

/** The aggregate cache of a store (one per open store, so a fresh store never sees old states). */
export function aggregateCacheOf(store: Store): AggregateCache {
  let cache = caches.get(store);
  if (!cache) {
    cache = new AggregateCache();
    caches.set(store, cache);
  }
  return cache;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeTopic } from '../../src/platform/store/dialect.ts';
import { Store, type Tx } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

/** Counts the signals each listener gets: `all` without a key, the others with theirs. */
function listen(on: Store, topic: ChangeTopic, keys: string[]) {
  const counts: Record<string, number> = { all: 0 };
  const stops = [on.onChange(topic, () => counts.all++)];
  for (const key of keys) {
    counts[key] = 0;
    stops.push(on.onChange(topic, () => counts[key]++, key));
  }
  return { counts, stop: () => stops.forEach((stop) => stop()) };
}

const commit = (on: Store, topic: ChangeTopic, keys?: string[]) =>
  on.transaction(async (tx: Tx) => {
    tx.topics.add(topic);
    for (const key of keys ?? []) tx.touch(topic, key);
  });

/**
 * Change signals with keys: a listener of one key of a topic wakes for commits that name that key
 * or none, in the committing process and (PostgreSQL) in another one.
 */
describe.each(STORE_KINDS)('change signals on %s', (kind) => {
  let location: StoreLocation;

  beforeAll(async () => {
    location = await freshLocation(kind);
  });
  afterAll(async () => {
    await location?.drop();
  });

  it('wakes the listeners of the keys a commit names, those without a key, and every one for a commit without keys', async () => {
    // Without cross-process notifications: only this store's own commits signal.
    const local = await Store.open(location.dialect(), { listen: false });
    const { counts, stop } = listen(local, 'read_models', ['order-a', 'order-b', 'order-c']);
    try {
      await commit(local, 'read_models', ['order-a']);
      expect(counts).toEqual({ all: 1, 'order-a': 1, 'order-b': 0, 'order-c': 0 });
      await commit(local, 'read_models', ['order-b', 'order-c', 'order-z']);
      expect(counts).toEqual({ all: 2, 'order-a': 1, 'order-b': 1, 'order-c': 1 });
      await commit(local, 'read_models');
      expect(counts).toEqual({ all: 3, 'order-a': 2, 'order-b': 2, 'order-c': 2 });
      // Keys of a topic the transaction does not signal wake nobody.
      await local.transaction(async (tx) => tx.touch('read_models', 'order-a'));
      expect(counts.all + counts['order-a']).toBe(5);
    } finally {
      stop();
    }
    await commit(local, 'read_models', ['order-a']);
    expect(counts['order-a']).toBe(2);
    await local.close();
  });
});

describe('change signals across processes on postgres', () => {
  let location: StoreLocation;
  let store: Store;

  beforeAll(async () => {
    location = await freshLocation('postgres');
    store = await location.open();
  });
  afterAll(async () => {
    await store?.close();
    await location?.drop();
  });

  it('carries the keys to another process', async () => {
    const other = await location.open();
    const { counts, stop } = listen(other, 'checkpoints', ['draft-orders', 'priced-orders']);
    try {
      await commit(store, 'checkpoints', ['draft-orders']);
      await eventually(() => counts['draft-orders'] === 1);
      // Later notifications come in order: once the next one arrived, the earlier one woke nobody else.
      await commit(store, 'checkpoints', ['payments']);
      await eventually(() => counts.all === 2);
      expect(counts['priced-orders']).toBe(0);
      await commit(store, 'checkpoints');
      await eventually(() => counts['priced-orders'] === 1);
      expect(counts).toEqual({ all: 3, 'draft-orders': 2, 'priced-orders': 1 });
      // More keys than one notification holds arrive all the same.
      const many = Array.from({ length: 150 }, (_, i) => `flow-${'x'.repeat(60)}-${i}`);
      const last = listen(other, 'checkpoints', [many[149]]);
      await commit(store, 'checkpoints', many);
      await eventually(() => last.counts[many[149]] === 1);
      last.stop();
    } finally {
      stop();
      await other.close();
    }
  });
});

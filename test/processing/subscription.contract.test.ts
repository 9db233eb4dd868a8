import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Processing } from '../../src/platform/processing/processing.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { createEffectsTable, effectsOf, recordingHandler } from '../support/recording-handler.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';
import { ping, toyRegistry } from '../support/toy-domain.ts';
import { transportContract } from './transport-contract.ts';

const registry = toyRegistry();
const retry = { baseDelayMs: 5 };

for (const kind of STORE_KINDS) {
  transportContract(`in-process on ${kind}`, async () => {
    const location = await freshLocation(kind);
    const store = await location.open();
    return { store, options: {}, redeliver: async () => {}, drop: () => location.drop() };
  });
}

describe('in-process subscriptions on sqlite', () => {
  let location: StoreLocation;
  let store: Store;
  const running: Processing[] = [];

  beforeEach(async () => {
    location = await freshLocation('sqlite');
    store = await location.open();
    await createEffectsTable(store);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
    await store.close();
    await location.drop();
  });

  it('delivers in log order across sources', async () => {
    const processing = new Processing(store, registry, [recordingHandler('h', ['Ping'])], { retry, idleCheckMs: 500 });
    running.push(processing);
    processing.start();
    const events = await ping(store, ['a', 'b', 'c'], 3);
    await expect(processing.waitFor('h', events.at(-1)!.metadata.position!, 10_000)).resolves.toBe(true);
    expect((await effectsOf(store, 'h')).map((e) => e.message_id)).toEqual(events.map((e) => e.metadata.messageId));
  });

  it('commits of this process that log none of a handler\'s types need no log read (positions follow commits)', async () => {
    let reads = 0;
    const counted = new Proxy(store, {
      get(target, property) {
        if (property === 'readLog') {
          return (...args: Parameters<Store['readLog']>) => {
            reads++;
            return target.readLog(...args);
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const processing = new Processing(counted, registry, [recordingHandler('h', ['Incremented'])], { retry, idleCheckMs: 60_000 });
    running.push(processing);
    processing.start();
    await expect(processing.waitFor('h', (await ping(store, ['a'], 1))[0].metadata.position!, 10_000)).resolves.toBe(true);
    const before = reads;
    const pings = await ping(store, ['a', 'b'], 20);
    await expect(processing.waitFor('h', pings.at(-1)!.metadata.position!, 10_000)).resolves.toBe(true);
    expect(reads - before).toBe(0);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { originFromRequest } from '../../src/platform/messages/factory.ts';
import { HandlerContext } from '../../src/platform/processing/handler.ts';
import { eventsToApply } from '../../src/platform/processing/in-order.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';
import { toyRegistry } from '../support/toy-domain.ts';

const registry = toyRegistry();

/** In-order application of a stream for projections (DOMAIN 5.1 P1, P2). */
describe.each(STORE_KINDS)('events to apply in stream order on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;

  beforeEach(async () => {
    location = await freshLocation(kind);
    store = await location.open();
  });
  afterEach(async () => {
    await store.close();
    await location.drop();
  });

  const stream = { sourceType: 'Counter', sourceId: 'c1' };

  async function writeStream() {
    return store.transaction((tx) =>
      store.appendToStream(
        tx,
        stream,
        -1,
        [
          // A legacy event: stored under its old name and shape, upcast to Incremented on read.
          { type: 'Bumped', schemaVersion: 0, data: { amount: 2, total: 2 } },
          { type: 'Incremented', data: { by: 3, total: 5 } },
          { type: 'Incremented', data: { by: 1, total: 6 } },
        ],
        originFromRequest('c1'),
      ),
    );
  }

  const toApply = (delivered: Parameters<typeof eventsToApply>[0]['message'], applied: number) =>
    store.transaction((tx) => eventsToApply(new HandlerContext(store, registry, tx, delivered), applied));

  it('an event that skips versions brings the missing ones, upcast to their current shapes', async () => {
    const written = await writeStream();
    const events = await toApply(registry.decode(written[2]), -1);
    expect(events.map((e) => [e.type, e.metadata.version, e.data])).toEqual([
      ['Incremented', 0, { by: 2, total: 2 }],
      ['Incremented', 1, { by: 3, total: 5 }],
      ['Incremented', 2, { by: 1, total: 6 }],
    ]);
  });

  it('a duplicate brings nothing; the next version brings itself', async () => {
    const written = await writeStream();
    expect(await toApply(registry.decode(written[1]), 1)).toEqual([]);
    expect((await toApply(registry.decode(written[2]), 1)).map((e) => e.metadata.version)).toEqual([2]);
  });
});

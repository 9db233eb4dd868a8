import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandlerProgress } from '../../src/platform/processing/progress.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { createEffectsTable, effectsOf, recordingHandler } from '../support/recording-handler.ts';
import { originFromRequest } from '../../src/platform/messages/factory.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';
import { ping, toyRegistry } from '../support/toy-domain.ts';

const registry = toyRegistry();

/**
 * Read-your-writes in a process that does not run the handler (a web process): `HandlerProgress`
 * goes by the handler's checkpoint, which a processing in another process (its own store) moves.
 */
describe.each(STORE_KINDS)('HandlerProgress without the handler in the process, on %s', (kind) => {
  let location: StoreLocation;
  let worker: Store;
  let web: Store;
  let processing: Processing | undefined;
  let second: Processing | undefined;

  beforeEach(async () => {
    location = await freshLocation(kind);
    worker = await location.open();
    await createEffectsTable(worker);
    web = await location.open();
  });
  afterEach(async () => {
    await processing?.stop();
    await second?.stop();
    processing = undefined;
    second = undefined;
    await web.close();
    await worker.close();
    await location.drop();
  });

  it('answers false while the handler has not dealt with the position, true once it has', async () => {
    const handler = recordingHandler('h', ['Ping']);
    const progress = new HandlerProgress(web, registry);
    const position = (await ping(web, ['a'], 1))[0].metadata.position;
    await expect(progress.waitFor([handler], position, 300)).resolves.toBe(false);
    processing = new Processing(worker, registry, [handler], { idleCheckMs: 200 });
    processing.start();
    await expect(progress.waitFor([handler], position, 10_000)).resolves.toBe(true);
  });

  it('waits for several handlers at once: true only once every one of them has dealt with the position', async () => {
    const first = recordingHandler('first', ['Ping']);
    const other = recordingHandler('other', ['Ping']);
    const progress = new HandlerProgress(web, registry);
    const position = (await ping(web, ['a'], 1))[0].metadata.position;
    processing = new Processing(worker, registry, [first], { idleCheckMs: 200 });
    processing.start();
    await expect(progress.waitFor([first], position, 10_000)).resolves.toBe(true);
    await expect(progress.waitFor([first, other], position, 300)).resolves.toBe(false);
    await expect(progress.waitFor([other, first], position, 300)).resolves.toBe(false);
    second = new Processing(worker, registry, [other], { idleCheckMs: 200 });
    second.start();
    await expect(progress.waitFor([first, other], position, 10_000)).resolves.toBe(true);
  });

  it.runIf(kind === 'postgres')('a position an older transaction still holds back is reached once that transaction commits', async () => {
    const handler = recordingHandler('h', ['Ping']);
    processing = new Processing(worker, registry, [handler], { idleCheckMs: 200 });
    processing.start();
    const progress = new HandlerProgress(web, registry);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    const older = web.transaction(async (tx) => {
      await web.appendToStream(tx, { sourceType: 'Pinger', sourceId: 'older' }, -1, [{ type: 'Ping', data: { n: 0 } }], originFromRequest('older'));
      wrote();
      await released;
    });
    await written;
    const position = (await ping(web, ['a'], 1))[0].metadata.position;
    await expect(progress.waitFor([handler], position, 300)).resolves.toBe(false);
    const waiting = progress.waitFor([handler], position, 10_000);
    release();
    await older;
    await expect(waiting).resolves.toBe(true);
    expect(await effectsOf(worker, 'h')).toHaveLength(2);
  });

  it('a position with no entry of the handler\'s types after its checkpoint is passed at once', async () => {
    const handler = recordingHandler('h', ['Incremented']);
    const position = (await ping(web, ['a'], 1))[0].metadata.position;
    await expect(new HandlerProgress(web, registry).waitFor([handler], position, 0)).resolves.toBe(true);
  });

  it('a position nobody has written yet is not reached', async () => {
    const handler = recordingHandler('h', ['Incremented']);
    const position = (await ping(web, ['a'], 1))[0].metadata.position;
    await expect(new HandlerProgress(web, registry).waitFor([handler], position + 1_000_000, 200)).resolves.toBe(false);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { originFromRequest } from '../../src/platform/messages/factory.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import type { LoggedMessage } from '../../src/platform/messages/envelope.ts';
import type { Store, Tx } from '../../src/platform/store/store.ts';
import { createEffectsTable, effectsOf, recordingHandler } from '../support/recording-handler.ts';
import { type StoreLocation, freshLocation } from '../support/stores.ts';
import { toyRegistry } from '../support/toy-domain.ts';

/**
 * Guarantee 3: PostgreSQL transactions commit out of position order; a subscriber must neither skip
 * the entry of a writer that commits late nor stall once it has committed.
 */
describe('no skipped messages on PostgreSQL under concurrent writers', () => {
  let location: StoreLocation;
  let store: Store;
  let processing: Processing;

  beforeEach(async () => {
    location = await freshLocation('postgres');
    store = await location.open();
    await createEffectsTable(store);
    // The idle re-check is far away, so only wake-ups can deliver in time.
    processing = new Processing(store, toyRegistry(), [recordingHandler('h', ['Ping'])], { idleCheckMs: 60_000 });
    processing.start();
  });
  afterEach(async () => {
    await processing.stop();
    await store.close();
    await location.drop();
  });

  const ping = (tx: Tx, source: string) =>
    store.appendToStream(tx, { sourceType: 'Pinger', sourceId: source }, -1, [{ type: 'Ping', data: { n: 0 } }], originFromRequest(source));

  /** Opens a transaction, runs `write` in it, and keeps it open until `release` is called. */
  async function holdOpen<T>(write: (tx: Tx) => Promise<T>) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let written!: (value: T) => void;
    const wrote = new Promise<T>((resolve) => (written = resolve));
    const committed = store.transaction(async (tx) => {
      written(await write(tx));
      await released;
    });
    return { wrote: await wrote, release, committed };
  }

  it('delivers a late-committing writer’s entry, below later ones, as soon as it commits', async () => {
    const slow = await holdOpen((tx) => ping(tx, 'slow'));
    const fast: LoggedMessage[] = [];
    for (const source of ['fast-1', 'fast-2', 'fast-3']) fast.push(...(await store.transaction((tx) => ping(tx, source))));
    expect(fast.every((m) => m.metadata.position > slow.wrote[0].metadata.position)).toBe(true);

    // While the slow writer is open, nothing above its position may be taken (that would skip it).
    expect(await processing.waitFor('h', fast.at(-1)!.metadata.position, 300)).toBe(false);
    expect(await effectsOf(store, 'h')).toEqual([]);

    slow.release();
    await slow.committed;
    expect(await processing.waitFor('h', fast.at(-1)!.metadata.position, 5_000)).toBe(true);
    const effects = await effectsOf(store, 'h');
    expect(effects.map((e) => e.message_id)).toEqual([...slow.wrote, ...fast].map((m) => m.metadata.messageId));
  });

  it('does not stall when the transaction holding the horizon back writes no log entry', async () => {
    const holder = await holdOpen(async (tx) => {
      await tx.db
        .insertInto('processes')
        .values({ process_type: 'Test', process_id: 'x', state: '{}', version: 0, updated_at: new Date().toISOString() })
        .execute();
    });
    const [late] = await store.transaction((tx) => ping(tx, 'after-holder'));
    expect(await processing.waitFor('h', late.metadata.position, 300)).toBe(false);
    holder.release();
    await holder.committed;
    // No notification comes when the holder commits: the subscriber must still look again, promptly.
    expect(await processing.waitFor('h', late.metadata.position, 3_000)).toBe(true);
    expect((await effectsOf(store, 'h')).map((e) => e.message_id)).toEqual([late.metadata.messageId]);
  });

  it('many interleaved held-open writers: every entry delivered exactly once, in position order', async () => {
    const held = [];
    const quick: LoggedMessage[] = [];
    for (let i = 0; i < 5; i++) {
      held.push(await holdOpen((tx) => ping(tx, `held-${i}`)));
      quick.push(...(await store.transaction((tx) => ping(tx, `quick-${i}`))));
    }
    // Release in reverse order of opening: commits happen in the opposite order of positions.
    for (const writer of held.reverse()) {
      writer.release();
      await writer.committed;
    }
    const all = [...held.flatMap((w) => w.wrote), ...quick].sort((a, b) => a.metadata.position - b.metadata.position);
    expect(await processing.waitFor('h', all.at(-1)!.metadata.position, 5_000)).toBe(true);
    const effects = await effectsOf(store, 'h');
    expect(effects.map((e) => e.message_id)).toEqual(all.map((m) => m.metadata.messageId));
  });
});

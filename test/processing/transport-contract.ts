import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../src/platform/messages/envelope.ts';
import { newEvent, originFromRequest } from '../../src/platform/messages/factory.ts';
import type { MessageHandler } from '../../src/platform/processing/handler.ts';
import { Processing, type ProcessingOptions } from '../../src/platform/processing/processing.ts';
import { ConcurrencyError } from '../../src/platform/store/errors.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { createEffectsTable, effectsOf, recordingHandler } from '../support/recording-handler.ts';
import { counterCommands, incrementCommand, ping, toyRegistry } from '../support/toy-domain.ts';

/** One fresh store and transport location for a test. */
export interface TransportFixture {
  store: Store;
  /** What selects and configures the transport. */
  options: ProcessingOptions;
  /**
   * Makes the transport deliver these logged messages again as it could after a crash: the NATS
   * transport republishes them (again through the relay, and past the stream's duplicate window);
   * the in-process one has nothing to redeliver.
   */
  redeliver(messages: Message[]): Promise<void>;
  drop(): Promise<void>;
}

const registry = toyRegistry();
const retry = { baseDelayMs: 5 };

/**
 * The behaviour every transport owes its handlers (ARCHITECTURE 2: one shared contract suite, run
 * against the in-process transport on SQLite and PostgreSQL and against NATS).
 */
export function transportContract(name: string, open: () => Promise<TransportFixture>): void {
  describe(`transport contract: ${name}`, () => {
    let fixture: TransportFixture;
    let store: Store;
    const running: Processing[] = [];

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
      await createEffectsTable(store);
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((p) => p.stop()));
      await store.close();
      await fixture.drop();
    });

    function start(...handlers: Parameters<typeof recordingHandler>[]) {
      const built = handlers.map((args) => recordingHandler(...args));
      const processing = new Processing(store, registry, built, { retry, idleCheckMs: 500, ...fixture.options });
      running.push(processing);
      processing.start();
      return { processing, handlers: built };
    }

    /** Effects grouped by source, in the order they were committed. */
    async function effectsBySource(handler: string, events: Message[]): Promise<Map<string, string[]>> {
      const sourceOf = new Map(events.map((e) => [e.metadata.messageId, e.metadata.sourceId]));
      const grouped = new Map<string, string[]>();
      for (const effect of await effectsOf(store, handler)) {
        const source = sourceOf.get(effect.message_id) ?? '?';
        grouped.set(source, [...(grouped.get(source) ?? []), effect.message_id]);
      }
      return grouped;
    }

    function idsBySource(events: Message[]): Map<string, string[]> {
      const grouped = new Map<string, string[]>();
      for (const e of events) grouped.set(e.metadata.sourceId, [...(grouped.get(e.metadata.sourceId) ?? []), e.metadata.messageId]);
      return grouped;
    }

    it('delivers in order per source across many sources, each message once', async () => {
      const { processing } = start(['h', ['Ping']]);
      const sources = Array.from({ length: 12 }, (_, n) => `s${n}`);
      const events = await ping(store, sources, 4);
      await expect(processing.waitFor('h', events.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
      expect(await effectsBySource('h', events)).toEqual(idsBySource(events));
      expect(await effectsOf(store, 'h')).toHaveLength(events.length);
    });

    it('retries concurrency conflicts at once: the effect commits once, nothing is dead-lettered', async () => {
      const recorder = recordingHandler('h', ['Ping']);
      let conflicts = 0;
      const conflicting: MessageHandler = {
        ...recorder,
        async handle(message, context) {
          await recorder.handle(message, context);
          if (message.metadata.sourceId === 'a' && conflicts < 8) {
            conflicts++;
            throw new ConcurrencyError('Pinger:a', 0);
          }
        },
      };
      const processing = new Processing(store, registry, [conflicting], { retry, idleCheckMs: 500, ...fixture.options });
      running.push(processing);
      processing.start();
      const events = await ping(store, ['a', 'b'], 2);
      await expect(processing.waitFor('h', events.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
      expect(conflicts).toBe(8);
      expect(await processing.deadLetters.list()).toEqual([]);
      expect(await effectsBySource('h', events)).toEqual(idsBySource(events));
    });

    it('messages delivered again (republished, redelivered) have no second effect', async () => {
      const { processing } = start(['h', ['Ping']]);
      const first = await ping(store, ['a', 'b', 'c'], 3);
      await expect(processing.waitFor('h', first.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
      await fixture.redeliver(first);
      const second = await ping(store, ['a', 'b', 'c'], 2);
      await expect(processing.waitFor('h', second.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
      // Anything redelivered would have been handled before the later messages of its partition.
      const all = [...first, ...second];
      expect(await effectsBySource('h', all)).toEqual(idsBySource(all));
      expect(await effectsOf(store, 'h')).toHaveLength(all.length);
    });

    it('delivers every message once, in order per source, and resumes from its checkpoint after a restart', async () => {
      const first = start(['h', ['Ping']]);
      const before = await ping(store, ['a', 'b'], 5);
      await expect(first.processing.waitFor('h', before.at(-1)!.metadata.position!, 10_000)).resolves.toBe(true);
      await first.processing.stop();
      const after = await ping(store, ['a', 'b'], 3);
      const second = start(['h', ['Ping']]);
      // The last position written, not headPosition(): on PostgreSQL the readable head trails while any
      // transaction of the cluster (another test's) is open.
      await expect(second.processing.waitFor('h', after.at(-1)!.metadata.position!, 10_000)).resolves.toBe(true);
      const all = [...before, ...after];
      expect(await effectsBySource('h', all)).toEqual(idsBySource(all));
      expect(await effectsOf(store, 'h')).toHaveLength(all.length);
      expect(second.handlers[0].calls.size).toBe(6);
    });

    it('commits a handler effect only with its checkpoint: a failed attempt leaves nothing behind', async () => {
      const { processing, handlers } = start(['h', ['Ping'], { fail: (m, call) => m.metadata.version === 1 && call < 3 }]);
      const events = await ping(store, ['a'], 3);
      await processing.waitFor('h', events.at(-1)!.metadata.position!, 10_000);
      const effects = await effectsOf(store, 'h');
      expect(effects.map((e) => JSON.parse(e.data).n)).toEqual([0, 1, 2]);
      expect(handlers[0].calls.get(events[1].metadata.messageId)).toBe(3);
    });

    it('handles large backlogs in batches without losing or repeating a message', async () => {
      const events = await store.transaction(async (tx) =>
        store.appendToStream(tx, { sourceType: 'Pinger', sourceId: 'bulk' }, -1, Array.from({ length: 450 }, (_, n) => ({ type: 'Ping', data: { n } })), originFromRequest('bulk')),
      );
      const { processing } = start(['h', ['Ping'], { batchSize: 100 }]);
      await processing.waitFor('h', events.at(-1)!.metadata.position!, 10_000);
      const effects = await effectsOf(store, 'h');
      expect(effects.map((e) => JSON.parse(e.data).n)).toEqual(Array.from({ length: 450 }, (_, n) => n));
    });

    it('dead-letters a message after 5 failed attempts, parks later messages of its source, and lets other sources go on', async () => {
      let broken = true;
      const { processing, handlers } = start(['h', ['Ping'], { fail: (m) => broken && m.metadata.sourceId === 'a' && m.metadata.version === 1 }]);
      const events = await ping(store, ['a', 'b'], 4);
      await processing.waitFor('h', events.at(-1)!.metadata.position!, 10_000);
      const poisoned = events.find((e) => e.metadata.sourceId === 'a' && e.metadata.version === 1)!;
      expect(handlers[0].calls.get(poisoned.metadata.messageId)).toBe(5);

      const [letter, ...others] = await processing.deadLetters.list({ handler: 'h' });
      expect(others).toEqual([]);
      expect(letter).toMatchObject({ messageId: poisoned.metadata.messageId, attempts: 5, waitingBehind: 2, type: 'Ping' });
      expect(letter.error).toContain('refuses');

      const done = (await effectsOf(store, 'h')).map((e) => `${JSON.parse(e.data).n}`);
      const bySource = (source: string) =>
        events.filter((e) => e.metadata.sourceId === source).map((e) => e.metadata.messageId);
      const effected = new Set((await effectsOf(store, 'h')).map((e) => e.message_id));
      expect(bySource('b').every((id) => effected.has(id))).toBe(true);
      expect(bySource('a').map((id) => effected.has(id))).toEqual([true, false, false, false]);
      expect(done).toHaveLength(5);

      // The operator retries once the cause is fixed: the message and those parked behind it follow, in order.
      broken = false;
      await processing.deadLetters.retry({ ids: [letter.id] });
      await eventually(async () => (await processing.deadLetters.list()).length === 0 && (await effectsOf(store, 'h')).length === 8);
      const aEffects = (await effectsOf(store, 'h')).filter((e) => bySource('a').includes(e.message_id));
      expect(aEffects.map((e) => e.message_id)).toEqual(bySource('a'));
      expect(await store.db.selectFrom('parked_messages').selectAll().execute()).toEqual([]);
    });

    it('keeps a dead letter whose retry fails again, counting the attempt', async () => {
      const { processing } = start(['h', ['Ping'], { fail: (m) => m.metadata.sourceId === 'a' }]);
      const events = await ping(store, ['a'], 1);
      await processing.waitFor('h', events[0].metadata.position!, 10_000);
      const [letter] = await processing.deadLetters.list();
      await processing.deadLetters.retry({ handler: 'h' });
      await eventually(async () => (await processing.deadLetters.list())[0]?.attempts === 6);
      expect((await processing.deadLetters.list())[0]).toMatchObject({ id: letter.id, retryRequested: false });
    });

    it('discarding a dead letter logs the reason and releases the messages parked behind it', async () => {
      const { processing } = start(['h', ['Ping'], { fail: (m) => m.metadata.sourceId === 'a' && m.metadata.version === 0 }]);
      const events = await ping(store, ['a'], 3);
      await processing.waitFor('h', events.at(-1)!.metadata.position!, 10_000);
      const [letter] = await processing.deadLetters.list();
      expect(letter.waitingBehind).toBe(2);
      expect(await processing.deadLetters.discard(letter.id, 'bad data from a test')).toBe(true);
      await eventually(async () => (await effectsOf(store, 'h')).length === 2);
      expect((await effectsOf(store, 'h')).map((e) => JSON.parse(e.data).n)).toEqual([1, 2]);
      // Log readers see it once every older transaction of the cluster has ended.
      const messages = await eventually(async () => {
        const found = await store.queryLog({ kinds: ['operator-action'], limit: 10 });
        return found.messages.length > 0 ? found.messages : undefined;
      });
      expect(messages.map((m) => m.data)).toEqual([
        { action: 'discard-dead-letter', target: `h:${letter.messageId}`, reason: 'bad data from a test' },
      ]);
      expect(await processing.deadLetters.discard(letter.id, 'again')).toBe(false);
    });

    it('dead-letters an undecodable message at once', async () => {
      const { processing, handlers } = start(['h', ['Incremented']]);
      const future = newEvent('Incremented', { by: 1, total: 1 }, { sourceType: 'Counter', sourceId: 'c', version: 0, origin: originFromRequest('c'), schemaVersion: 9 });
      const [logged] = await store.transaction((tx) => store.append(tx, [future]));
      await processing.waitFor('h', logged.metadata.position, 10_000);
      const [letter] = await processing.deadLetters.list();
      expect(letter).toMatchObject({ messageId: future.metadata.messageId, attempts: 1 });
      expect(letter.error).toContain('No upcaster');
      expect(handlers[0].calls.size).toBe(0);
    });

    it('dead-letters at once a message whose payload does not match its schema, and goes on with the next', async () => {
      const { processing, handlers } = start(['h', ['Incremented']]);
      const origin = originFromRequest('c');
      const bad = newEvent('Incremented', { by: 'one', total: 1 }, { sourceType: 'Counter', sourceId: 'c', version: 0, origin });
      const good = newEvent('Incremented', { by: 1, total: 1 }, { sourceType: 'Counter', sourceId: 'd', version: 0, origin });
      const logged = await store.transaction((tx) => store.append(tx, [bad, good]));
      await processing.waitFor('h', logged[1].metadata.position, 10_000);
      const [letter] = await processing.deadLetters.list();
      expect(letter).toMatchObject({ messageId: bad.metadata.messageId, attempts: 1 });
      expect(letter.error).toContain('/by');
      expect([...handlers[0].calls.keys()]).toEqual([good.metadata.messageId]);
    });

    it('upcasts stored shapes before delivery and matches handlers by the current type name', async () => {
      const { processing } = start(['h', ['Incremented']]);
      const legacy = newEvent('Bumped', { amount: 3, total: 3 }, { sourceType: 'Counter', sourceId: 'c', version: 0, origin: originFromRequest('c'), schemaVersion: 0 });
      const [logged] = await store.transaction((tx) => store.append(tx, [legacy]));
      await processing.waitFor('h', logged.metadata.position, 10_000);
      const [effect] = await effectsOf(store, 'h');
      expect(effect).toMatchObject({ type: 'Incremented', data: JSON.stringify({ by: 3, total: 3 }) });
    });

    it('a handler that always fails never stops the others', async () => {
      const { processing } = start(['broken', ['Ping'], { fail: () => true }], ['healthy', ['Ping']]);
      const events = await ping(store, ['a', 'b', 'c'], 2);
      await processing.waitFor('healthy', events.at(-1)!.metadata.position!, 10_000);
      expect(await effectsOf(store, 'healthy')).toHaveLength(6);
      await processing.waitFor('broken', events.at(-1)!.metadata.position!, 10_000);
      expect((await processing.deadLetters.list({ handler: 'broken' })).map((d) => d.waitingBehind).sort()).toEqual([1, 1, 1]);
      const status = await processing.status();
      expect(status.find((s) => s.name === 'broken')).toMatchObject({ deadLettered: 3, lagMessages: 0 });
    });

    it('status never shows every lag at 0 while work passes from one handler to the next', async () => {
      // Increment commands → the counter's handler logs Incremented → the recorder handles it.
      const recorder = recordingHandler('recorder', ['Incremented']);
      const processing = new Processing(store, registry, [counterCommands(store, registry), recorder], { retry, idleCheckMs: 500, ...fixture.options });
      running.push(processing);
      processing.start();
      const COMMANDS = 40;
      let sent = 0;
      let sending = true;
      const sender = (async () => {
        for (; sent < COMMANDS; sent++) {
          await store.transaction((tx) => store.append(tx, [incrementCommand(`c${sent % 4}`, 1)]));
          await new Promise((resolve) => setTimeout(resolve, sent % 3));
        }
        sending = false;
      })();
      const idleReadings: Array<{ sent: number; handled: number }> = [];
      for (let done = false; !done; ) {
        const finished = !sending;
        const sentBefore = sent;
        const status = await processing.status();
        if (status.every((s) => s.lagMessages === 0)) {
          idleReadings.push({ sent: sentBefore, handled: (await effectsOf(store, 'recorder')).length });
          done = finished;
        }
        // A SQLite store answers without yielding to timers: let the sender and the handlers run.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await sender;
      // Idle means every command logged before the reading has gone all the way through.
      expect(idleReadings.filter(({ sent, handled }) => handled < sent)).toEqual([]);
      expect(idleReadings.at(-1)).toEqual({ sent: COMMANDS, handled: COMMANDS });
    });

    it('side-effecting handlers skip imported messages; projections consume them', async () => {
      const { processing } = start(['effects', ['Ping'], { sideEffects: true }], ['projection', ['Ping']]);
      const events = await ping(store, ['a'], 2, { Imported: true });
      await processing.waitFor('effects', events.at(-1)!.metadata.position!, 10_000);
      await processing.waitFor('projection', events.at(-1)!.metadata.position!, 10_000);
      expect(await effectsOf(store, 'effects')).toEqual([]);
      expect(await effectsOf(store, 'projection')).toHaveLength(2);
    });

    it('read-your-writes: waitFor answers false when the position is not reached in time', async () => {
      const { processing } = start(['h', ['Ping']]);
      const [event] = await ping(store, ['a'], 1);
      await expect(processing.waitFor('h', event.metadata.position! + 1_000_000_000, 100)).resolves.toBe(false);
      await expect(processing.waitFor('h', event.metadata.position!, 10_000)).resolves.toBe(true);
    });

    it('entries of other types move a handler on without delivering anything; its own still arrive', async () => {
      const { processing } = start(['h', ['Incremented']]);
      const pings = await ping(store, ['a', 'b'], 10);
      await expect(processing.waitFor('h', pings.at(-1)!.metadata.position!, 10_000)).resolves.toBe(true);
      const [own] = await store.transaction((tx) =>
        store.appendToStream(tx, { sourceType: 'Counter', sourceId: 'c' }, -1, [{ type: 'Incremented', data: { by: 1, total: 1 } }], originFromRequest('c')),
      );
      await ping(store, ['a'], 2);
      await expect(processing.waitFor('h', own.metadata.position, 10_000)).resolves.toBe(true);
      expect((await effectsOf(store, 'h')).map((e) => e.message_id)).toEqual([own.metadata.messageId]);
    });
  });
}

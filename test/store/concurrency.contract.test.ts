import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedMessage } from '../../src/platform/messages/envelope.ts';
import { newCommand, originFromRequest } from '../../src/platform/messages/factory.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { ConcurrencyError } from '../../src/platform/store/errors.ts';
import { postgresDialect } from '../../src/platform/store/postgres.ts';
import { Store, type StreamId } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { STORE_KINDS, type StoreKind, type StoreLocation, freshLocation } from '../support/stores.ts';

/**
 * Guarantees 2, 3 and 5 under real concurrency. On PostgreSQL the writers use three Store instances
 * (three connection pools) on one database. On SQLite they share one Store: better-sqlite3 waits for a
 * file lock synchronously, so two connections in one process would block each other's event loop;
 * concurrency there comes from interleaved async writers that read a stream before they write it.
 */
describe.each(STORE_KINDS)('concurrent writers on %s', (kind: StoreKind) => {
  let location: StoreLocation;
  let stores: Store[];

  beforeAll(async () => {
    location = await freshLocation(kind);
    const main = await location.open();
    stores =
      kind === 'postgres'
        ? [main, ...(await Promise.all([1, 2].map(() => Store.open(postgresDialect(location.url, { poolSize: 4 }), { listen: false }))))]
        : [main];
  });
  afterAll(async () => {
    for (const store of stores ?? []) await store.close();
    await location?.drop();
  });

  const storeOf = (writer: number) => stores[writer % stores.length];

  async function committedMax(store: Store): Promise<number> {
    const row = await store.db.selectFrom('messages').select((eb) => eb.fn.max('position').as('m')).executeTakeFirst();
    return Number(row?.m ?? 0);
  }
  /** The head once every committed row is visible to log readers (the PostgreSQL horizon is cluster-wide). */
  async function settledHead(store = stores[0]): Promise<number> {
    return eventually(async () => {
      const [head, max] = [await store.headPosition(), await committedMax(store)];
      return head === max ? head : undefined;
    });
  }
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  interface Step {
    stream: number;
    events: number;
    /** Log a command before reading the stream in the transaction (the HTTP command path). */
    commandFirst: boolean;
    /** Read the version before the transaction (the aggregate-load path) rather than inside it. */
    readOutside: boolean;
    /** Keeps the transaction open a little before commit, so commits interleave. */
    holdMs: number;
  }
  const step = (streams: number) =>
    fc.record({
      stream: fc.nat({ max: streams - 1 }),
      events: fc.integer({ min: 1, max: 3 }),
      commandFirst: fc.boolean(),
      readOutside: fc.boolean(),
      holdMs: fc.constantFrom(0, 0, 1, 3),
    });
  const scenario = fc
    .integer({ min: 1, max: 3 })
    .chain((streams) =>
      fc.record({ streams: fc.constant(streams), writers: fc.array(fc.array(step(streams), { minLength: 2, maxLength: 6 }), { minLength: 2, maxLength: 5 }) }),
    );

  interface Payload {
    writer: number;
    step: number;
    k: number;
  }

  it('keeps every stream contiguous, loses and duplicates nothing, and keeps each writer in order', async () => {
    let conflicts = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ streams: streamCount, writers }) => {
        const run = newId();
        const streams: StreamId[] = Array.from({ length: streamCount }, (_, s) => ({ sourceType: 'Prop', sourceId: `${run}-${s}` }));
        const base = await settledHead();
        const successes: LoggedMessage[][] = [];
        const commands: string[] = [];

        const write = async (writer: number, steps: Step[]) => {
          const store = storeOf(writer);
          for (const [index, s] of steps.entries()) {
            const stream = streams[s.stream];
            const events = Array.from({ length: s.events }, (_, k) => ({ type: 'Wrote', data: { writer, step: index, k } satisfies Payload }));
            const command = newCommand('Write', { writer, step: index }, { target: stream.sourceId, origin: originFromRequest(run) });
            for (let attempt = 0; ; attempt++) {
              expect(attempt).toBeLessThan(200);
              const known = s.readOutside ? await store.streamVersion(store.db, stream) : undefined;
              try {
                const written = await store.transaction(async (tx) => {
                  if (s.commandFirst) await store.append(tx, [command]);
                  const version = known ?? (await store.streamVersion(tx.db, stream));
                  const appended = await store.appendToStream(tx, stream, version, events, originFromRequest(run));
                  if (s.holdMs) await pause(s.holdMs);
                  return appended;
                });
                successes.push(written);
                if (s.commandFirst) commands.push(command.metadata.messageId);
                break;
              } catch (error) {
                if (!(error instanceof ConcurrencyError)) throw error;
                conflicts++;
              }
            }
          }
        };
        await Promise.all(writers.map((steps, writer) => write(writer, steps)));

        const appended = successes.flat();
        const expectedCount = writers.flat().reduce((sum, s) => sum + s.events, 0);
        expect(appended).toHaveLength(expectedCount);

        const byId = new Map(appended.map((m) => [m.metadata.messageId, m]));
        expect(byId.size).toBe(appended.length);
        let total = 0;
        for (const stream of streams) {
          const stored = await stores[0].readStream(stream);
          total += stored.length;
          // contiguous versions 0..n−1
          expect(stored.map((m) => m.metadata.version)).toEqual(stored.map((_, i) => i));
          // every stored event is one a writer saw succeed, with the same version and position
          for (const m of stored) {
            const ok = byId.get(m.metadata.messageId);
            expect(ok, m.metadata.messageId).toBeDefined();
            expect(m.metadata.position).toBe(ok!.metadata.position);
            expect(m.data).toEqual(ok!.data);
          }
          // each writer's events appear in the order it wrote them, and a batch stays together
          const perWriter = new Map<number, Payload[]>();
          for (const m of stored) {
            const p = m.data as Payload;
            perWriter.set(p.writer, [...(perWriter.get(p.writer) ?? []), p]);
          }
          for (const list of perWriter.values()) {
            const order = list.map((p) => p.step * 10 + p.k);
            expect(order).toEqual([...order].sort((a, b) => a - b));
          }
          for (let i = 0; i < stored.length; ) {
            const p = stored[i].data as Payload;
            const size = writers[p.writer][p.step].events;
            expect(stored.slice(i, i + size).map((m) => m.data)).toEqual(Array.from({ length: size }, (_, k) => ({ ...p, k })));
            i += size;
          }
          // a stream's events are in the log in stream order (subscribers deliver per source in order)
          const positions = stored.map((m) => m.metadata.position);
          expect(positions, `stream ${stream.sourceId} positions by version`).toEqual([...positions].sort((a, b) => a - b));
        }
        expect(total).toBe(expectedCount); // nothing lost, nothing extra

        await settledHead();
        const log = (await stores[0].readLog({ after: base, limit: 100_000 })).filter((m) => m.metadata.correlationId === run);
        const logPositions = log.map((m) => m.metadata.position);
        for (let i = 1; i < logPositions.length; i++) expect(logPositions[i]).toBeGreaterThan(logPositions[i - 1]);
        const events = log.filter((m) => m.metadata.kind === 'event');
        expect(events.map((m) => m.metadata.messageId).sort()).toEqual([...byId.keys()].sort());
        for (const m of events) expect(m.metadata.position).toBe(byId.get(m.metadata.messageId)!.metadata.position);
        // a command logged in a transaction that lost a conflict is present once, from the retry that won
        expect(log.filter((m) => m.metadata.kind === 'command').map((m) => m.metadata.messageId).sort()).toEqual([...commands].sort());
      }),
      { numRuns: kind === 'postgres' ? 12 : 20 },
    );
    // The scenarios really did collide.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('places a stream event after the earlier version in the log even when its transaction wrote to the log first', async () => {
    const [a, b] = kind === 'postgres' ? [stores[0], stores[1]] : [stores[0], stores[0]];
    const stream: StreamId = { sourceType: 'Ordered', sourceId: newId() };
    const origin = originFromRequest(stream.sourceId);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const hasLogged = new Promise<void>((resolve) => (started = resolve));
    const appendNext = async (store: Store, who: string, gate?: Promise<void>) => {
      for (;;) {
        try {
          return await store.transaction(async (tx) => {
            await store.append(tx, [newCommand('Write', { who }, { target: stream.sourceId, origin })]);
            started();
            await gate;
            return store.appendToStream(tx, stream, await store.streamVersion(tx.db, stream), [{ type: 'Wrote', data: { who } }], origin);
          });
        } catch (error) {
          if (!(error instanceof ConcurrencyError)) throw error;
          gate = undefined;
        }
      }
    };
    // On SQLite writers are serialized, so the early writer simply goes first.
    const early = appendNext(a, 'early', kind === 'postgres' ? released : undefined);
    await hasLogged;
    const late = await appendNext(b, 'late');
    release();
    await early;
    await settledHead();
    const stored = await a.readStream(stream);
    expect(stored.map((m) => m.metadata.version)).toEqual([0, 1]);
    expect(stored[0].metadata.position).toBeLessThan(stored[1].metadata.position);
    const inLog = (await a.readLog({ after: 0, limit: 100_000 })).filter((m) => m.metadata.sourceType === 'Ordered' && m.metadata.sourceId === stream.sourceId);
    expect(inLog.map((m) => m.metadata.version)).toEqual([0, 1]);
    if (kind === 'postgres') expect(late[0].metadata.version).toBe(0);
  });

  it('readLog never returns a position below one it returned before while writers commit out of order', async () => {
    const reader = stores[0];
    const base = await settledHead();
    const run = newId();
    const origin = originFromRequest(run);
    const writersDone = { value: false };
    const committed: number[] = [];

    const writer = async (w: number) => {
      const store = storeOf(w);
      for (let i = 0; i < 25; i++) {
        const written = await store.transaction(async (tx) => {
          const rows = await store.appendToStream(tx, { sourceType: 'Mono', sourceId: `${run}-${w}-${i}` }, -1, [{ type: 'Mono', data: { w, i } }, { type: 'Mono', data: { w, i } }], origin);
          // Transactions that started earlier (lower positions) often commit later.
          await pause((w * 7 + i * 3) % 11);
          return rows;
        });
        committed.push(...written.map((m) => m.metadata.position));
      }
    };

    let previous: number[] = [];
    let cursor = base;
    const collected: number[] = [];
    let reads = 0;
    const read = async () => {
      while (!writersDone.value) {
        // A full re-read only ever extends what an earlier read returned: nothing new appears below.
        const all = (await reader.readLog({ after: base, limit: 100_000 })).filter((m) => m.metadata.correlationId === run).map((m) => m.metadata.position);
        expect(all.slice(0, previous.length)).toEqual(previous);
        previous = all;
        // An incremental reader, as a subscriber reads, only ever moves forward.
        const batch = await reader.readLog({ after: cursor, limit: 7 });
        for (const m of batch) {
          expect(m.metadata.position).toBeGreaterThan(cursor);
          cursor = m.metadata.position;
          if (m.metadata.correlationId === run) collected.push(m.metadata.position);
        }
        reads++;
        await pause(1);
      }
    };
    const reading = read();
    await Promise.all([0, 1, 2, 3, 4, 5].map(writer));
    writersDone.value = true;
    await reading;
    await settledHead();
    for (;;) {
      const batch = await reader.readLog({ after: cursor, limit: 50 });
      if (batch.length === 0) break;
      for (const m of batch) if (m.metadata.correlationId === run) collected.push(m.metadata.position);
      cursor = batch.at(-1)!.metadata.position;
    }
    expect(reads).toBeGreaterThan(5);
    // The incremental reader got every committed entry exactly once, in order.
    expect(collected).toEqual([...committed].sort((x, y) => x - y));
  });

  // PostgreSQL only: SQLite has one writer at a time, so no transaction can commit above an open one.
  if (kind === 'postgres') it('hides entries above an open writer until it commits, then shows all of them', async () => {
    const [a, b] = stores;
    const run = newId();
    const origin = originFromRequest(run);
    const before = await settledHead();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let wrote!: (rows: LoggedMessage[]) => void;
    const slowRows = new Promise<LoggedMessage[]>((resolve) => (wrote = resolve));
    const slow = a.transaction(async (tx) => {
      wrote(await a.appendToStream(tx, { sourceType: 'Held', sourceId: `${run}-slow` }, -1, [{ type: 'Held', data: {} }], origin));
      await released;
    });
    const [slowRow] = await slowRows;
    const fast = await b.transaction((tx) => b.appendToStream(tx, { sourceType: 'Held', sourceId: `${run}-fast` }, -1, [{ type: 'Held', data: {} }], origin));
    expect(fast[0].metadata.position).toBeGreaterThan(slowRow.metadata.position);
    // The fast row is committed, yet no reader may see it while the slow one below it may still commit.
    expect(await committedMax(b)).toBe(fast[0].metadata.position);
    expect(await b.headPosition()).toBeLessThan(slowRow.metadata.position);
    expect((await b.readLog({ after: before, limit: 100 })).filter((m) => m.metadata.correlationId === run)).toEqual([]);
    expect((await b.queryLog({ limit: 100, correlationIds: [run] })).messages).toEqual([]);
    release();
    await slow;
    await settledHead(b);
    const seen = (await b.readLog({ after: before, limit: 100 })).filter((m) => m.metadata.correlationId === run);
    expect(seen.map((m) => m.metadata.position)).toEqual([slowRow.metadata.position, fast[0].metadata.position]);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedMessage, Message } from '../../src/platform/messages/envelope.ts';
import { newCommand, newEvent, newOperatorAction, originFromRequest, originOf } from '../../src/platform/messages/factory.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { ConcurrencyError } from '../../src/platform/store/errors.ts';
import { type NewEvent, Store, type StreamId } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

/**
 * The event store and message log port (ARCHITECTURE 6, guarantees 1, 2 and 8), proven against both
 * adapters: a real SQLite file and a real PostgreSQL database.
 */
describe.each(STORE_KINDS)('event store contract on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await location.open();
  });
  afterAll(async () => {
    await store?.close();
    await location?.drop();
  });

  const origin = originFromRequest('corr');
  const freshStream = (sourceType = 'Counter'): StreamId => ({ sourceType, sourceId: newId() });
  const events = (count: number, type = 'Incremented', from = 0): NewEvent[] =>
    Array.from({ length: count }, (_, i) => ({ type, data: { n: from + i } }));
  const command = (extra?: Record<string, unknown>, id?: string) =>
    newCommand('Increment', { by: 1 }, { target: 'Counter-x', origin, id, extra });

  describe('durability (ADR 005)', () => {
    /** The commit setting a transaction runs under, as the database reports it from inside. */
    async function commitSetting(durable?: boolean): Promise<string> {
      return store.transaction(async (tx) => {
        const query = kind === 'sqlite' ? sql<{ setting: string }>`SELECT synchronous AS setting FROM pragma_synchronous` : sql<{ setting: string }>`SELECT current_setting('synchronous_commit') AS setting`;
        const { rows } = await query.execute(tx.db);
        return String(rows[0].setting);
      }, durable === undefined ? undefined : { durable });
    }
    // SQLite: 2 = FULL (the WAL is synced at every commit), 1 = NORMAL; PostgreSQL: synchronous_commit,
    // on for every transaction (the database may crash while the process keeps its memory).
    const [durableSetting, relaxedSetting] = kind === 'sqlite' ? ['2', '1'] : ['on', 'on'];

    it('commits wait for the disk by default, and on SQLite not for transactions marked durable: false', async () => {
      expect(await commitSetting()).toBe(durableSetting);
      expect(await commitSetting(false)).toBe(relaxedSetting);
      // A relaxed transaction leaves the next default one durable.
      expect(await commitSetting()).toBe(durableSetting);
      expect(await commitSetting(true)).toBe(durableSetting);
    });

    it('concurrent transactions each run under their own setting', async () => {
      const settings = await Promise.all([true, false, true, false, false, true].map((durable) => commitSetting(durable)));
      expect(settings).toEqual([durableSetting, relaxedSetting, durableSetting, relaxedSetting, relaxedSetting, durableSetting]);
    });
  });

  /** Rows in the table, ignoring the reader horizon (what is physically committed). */
  async function committedRows(): Promise<number> {
    const row = await store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
  async function committedMax(): Promise<number> {
    const row = await store.db.selectFrom('messages').select((eb) => eb.fn.max('position').as('m')).executeTakeFirst();
    return Number(row?.m ?? 0);
  }
  /**
   * The head once every committed row is visible to log readers. On PostgreSQL the horizon is
   * cluster-wide, so a transaction held open by another test file may delay it for a moment.
   */
  async function settledHead(): Promise<number> {
    return eventually(async () => {
      const [head, max] = [await store.headPosition(), await committedMax()];
      return head === max ? head : undefined;
    });
  }
  async function byMessageId(id: string): Promise<number> {
    const row = await store.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('message_id', '=', id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  describe('streams', () => {
    it('a new stream is empty at version −1 and an empty head reads 0', async () => {
      const stream = freshStream();
      expect(await store.readStream(stream)).toEqual([]);
      expect(await store.streamVersion(store.db, stream)).toBe(-1);
      const empty = await freshLocation(kind);
      const emptyStore = await empty.open();
      try {
        expect(await emptyStore.headPosition()).toBe(0);
        expect(await emptyStore.readLog({ after: 0, limit: 10 })).toEqual([]);
        expect(await emptyStore.countLog(0, Number.MAX_SAFE_INTEGER)).toBe(0);
        expect(await emptyStore.queryLog({ limit: 10 })).toEqual({ messages: [], next: null });
      } finally {
        await emptyStore.close();
        await empty.drop();
      }
    });

    it('appends at −1 then at the last version, numbering 0..n−1 with ids <SourceType>_<SourceId>_<Version>', async () => {
      const stream = freshStream('Order');
      const other = freshStream('Order');
      const first = await store.transaction((tx) => store.appendToStream(tx, stream, -1, events(3), origin));
      expect(first.map((e) => e.metadata.version)).toEqual([0, 1, 2]);
      expect(first.map((e) => e.metadata.messageId)).toEqual([0, 1, 2].map((v) => `Order_${stream.sourceId}_${v}`));
      await store.transaction((tx) => store.appendToStream(tx, other, -1, events(1, 'Other'), origin));
      const second = await store.transaction((tx) => store.appendToStream(tx, stream, 2, events(2, 'Incremented', 3), origin));
      expect(second.map((e) => e.metadata.version)).toEqual([3, 4]);
      expect(second.map((e) => e.metadata.messageId)).toEqual([`Order_${stream.sourceId}_3`, `Order_${stream.sourceId}_4`]);

      const read = await store.readStream(stream);
      expect(read.map((e) => e.metadata.version)).toEqual([0, 1, 2, 3, 4]);
      expect(read.map((e) => e.data)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
      // What append answered is what is stored (stream events carry no target).
      expect(read).toEqual([...first, ...second].map((e) => ({ ...e, metadata: { ...e.metadata, target: null } })));
      expect(read.every((e) => e.metadata.sourceType === 'Order' && e.metadata.sourceId === stream.sourceId)).toBe(true);
      // Positions follow versions.
      const positions = read.map((e) => e.metadata.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(positions).size).toBe(5);

      expect((await store.readStream(stream, { afterVersion: 2 })).map((e) => e.metadata.version)).toEqual([3, 4]);
      expect(await store.readStream(stream, { afterVersion: 4 })).toEqual([]);
      expect(await store.streamVersion(store.db, stream)).toBe(4);
      expect((await store.readStream(other)).map((e) => e.type)).toEqual(['Other']);
      // A stream is keyed by type and id together.
      expect(await store.readStream({ sourceType: 'Counter', sourceId: stream.sourceId })).toEqual([]);
    });

    it('appending no events at the right version writes nothing', async () => {
      const stream = freshStream();
      await store.transaction((tx) => store.appendToStream(tx, stream, -1, events(1), origin));
      const before = await committedRows();
      expect(await store.transaction((tx) => store.appendToStream(tx, stream, 0, [], origin))).toEqual([]);
      expect(await committedRows()).toBe(before);
    });

    it.each([
      ['behind', 1],
      ['far behind (−1 on an existing stream)', -1],
      ['ahead', 3],
      ['far ahead', 10],
    ])('throws ConcurrencyError when the expected version is %s and writes nothing', async (_, expected) => {
      const stream = freshStream();
      await store.transaction((tx) => store.appendToStream(tx, stream, -1, events(3), origin));
      const before = await committedRows();
      const error = await store
        .transaction((tx) => store.appendToStream(tx, stream, expected, events(2, 'Late'), origin))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ expectedVersion: expected, actualVersion: 2 });
      expect(await committedRows()).toBe(before);
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['Incremented', 'Incremented', 'Incremented']);
    });

    it('throws ConcurrencyError for a non-zero expected version on a stream that does not exist', async () => {
      const stream = freshStream();
      await expect(store.transaction((tx) => store.appendToStream(tx, stream, 0, events(1), origin))).rejects.toMatchObject({
        name: 'ConcurrencyError',
        expectedVersion: 0,
        actualVersion: -1,
      });
      expect(await store.readStream(stream)).toEqual([]);
    });

    it('a conflict rolls back the whole transaction, including rows appended before it', async () => {
      const target = freshStream();
      const sibling = freshStream();
      await store.transaction((tx) => store.appendToStream(tx, target, -1, events(2), origin));
      const cmd = command();
      const outbox = newEvent('Notified', { x: 1 }, { sourceType: 'Mailer', sourceId: newId(), version: 0, origin });
      const before = await committedRows();
      await expect(
        store.transaction(async (tx) => {
          expect(await store.append(tx, [cmd, outbox])).toHaveLength(2);
          expect(await store.appendToStream(tx, sibling, -1, events(3), origin)).toHaveLength(3);
          return store.appendToStream(tx, target, 0, events(1), origin);
        }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await committedRows()).toBe(before);
      expect(await byMessageId(cmd.metadata.messageId)).toBe(0);
      expect(await byMessageId(outbox.metadata.messageId)).toBe(0);
      expect(await store.readStream(sibling)).toEqual([]);
      expect(await store.streamVersion(store.db, target)).toBe(1);
      // The same work succeeds afterwards at the right version, reusing the same command id.
      await store.transaction(async (tx) => {
        expect(await store.append(tx, [cmd])).toHaveLength(1);
        await store.appendToStream(tx, target, 1, events(1), origin);
      });
      expect(await byMessageId(cmd.metadata.messageId)).toBe(1);
      expect(await store.streamVersion(store.db, target)).toBe(2);
    });

    it('a writer that read the stream before a concurrent writer committed gets ConcurrencyError and writes nothing', async () => {
      const stream = freshStream();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let wrote!: () => void;
      const firstWrote = new Promise<void>((resolve) => (wrote = resolve));
      const first = store.transaction(async (tx) => {
        const written = await store.appendToStream(tx, stream, -1, events(1, 'First'), origin);
        wrote();
        await released;
        return written;
      });
      await firstWrote;
      const loser = command();
      const second = store
        .transaction(async (tx) => {
          await store.append(tx, [loser]);
          return store.appendToStream(tx, stream, -1, events(2, 'Second'), origin);
        })
        .catch((e: unknown) => e);
      if (kind === 'postgres') {
        // The second writer saw the stream empty and now waits on the first one's uncommitted row.
        await eventually(async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`.execute(store.db);
          return rows[0].n > 0 || undefined;
        });
      }
      release();
      await first;
      const error = await second;
      expect(error).toBeInstanceOf(ConcurrencyError);
      // PostgreSQL detects it on insert (unique stream version); SQLite serializes writers, so reads 0.
      expect((error as ConcurrencyError).actualVersion).toBe(kind === 'postgres' ? undefined : 0);
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['First']);
      expect(await byMessageId(loser.metadata.messageId)).toBe(0);
    });
  });

  describe('metadata', () => {
    it('round-trips correlation, causation, createdAt, schema version, data and extra metadata', async () => {
      const cause = command({ Imported: true }, `cmd-${newId()}`);
      const createdAt = new Date('2031-02-03T04:05:06.789Z');
      const derived = { from: 'v1', position: 42, tags: ['a', 'b'], nested: { ok: true, none: null } };
      const data = { text: 'Zürich — 会議 "quoted" \\ back', amount: 12.5, list: [1, null, { deep: [true] }], none: null };
      const stream = freshStream('Conference');
      const [logged] = await store.transaction(async (tx) => {
        await store.append(tx, [cause]);
        return store.appendToStream(
          tx,
          stream,
          -1,
          [{ type: 'ConferenceCreated', data, schemaVersion: 3, extra: { Imported: true, Derived: derived } }],
          originOf(cause),
          createdAt,
        );
      });
      const expected = {
        type: 'ConferenceCreated',
        data,
        metadata: {
          messageId: `Conference_${stream.sourceId}_0`,
          kind: 'event',
          schemaVersion: 3,
          sourceType: 'Conference',
          sourceId: stream.sourceId,
          version: 0,
          correlationId: 'corr',
          causationId: cause.metadata.messageId,
          createdAt: '2031-02-03T04:05:06.789Z',
          target: null,
          Imported: true,
          Derived: derived,
          position: logged.metadata.position,
        },
      };
      const [fromStream] = await store.readStream(stream);
      expect(fromStream).toStrictEqual(expected);
      await settledHead();
      expect(await store.messageAt(logged.metadata.position)).toStrictEqual(expected);
      const [fromLog] = await store.readLog({ after: logged.metadata.position - 1, limit: 1 });
      expect(fromLog).toStrictEqual(expected);
      expect(typeof fromLog.metadata.position).toBe('number');

      // The command keeps its own envelope: no version, its target, its extra metadata.
      const storedCommand = (await store.queryLog({ limit: 10, sourceIds: [cause.metadata.messageId] })).messages;
      expect(storedCommand).toStrictEqual([
        {
          type: 'Increment',
          data: { by: 1 },
          metadata: { ...cause.metadata, target: 'Counter-x', position: storedCommand[0].metadata.position },
        },
      ]);
      expect(storedCommand[0].metadata.position).toBeLessThan(logged.metadata.position);
    });

    it('keeps the operator-action kind and null correlation', async () => {
      const action = newOperatorAction({ action: 'discard', target: 'h/1', reason: null }, new Date('2030-01-01T00:00:00.000Z'));
      const [written] = await store.transaction((tx) => store.append(tx, [action]));
      await settledHead();
      expect(await store.messageAt(written.metadata.position)).toStrictEqual({
        ...action,
        metadata: { ...action.metadata, target: null, position: written.metadata.position },
      });
    });

    it('rejects a message id that is empty or longer than 200 characters, writing nothing', async () => {
      const before = await committedRows();
      const ok = command();
      for (const id of ['', 'x'.repeat(201)]) {
        await expect(store.transaction((tx) => store.append(tx, [ok, command(undefined, id)]))).rejects.toThrow(/1 to 200/);
      }
      expect(await committedRows()).toBe(before);
      const longest = command(undefined, 'y'.repeat(200));
      expect(await store.transaction((tx) => store.append(tx, [longest]))).toHaveLength(1);
    });
  });

  describe('commands and duplicates', () => {
    it('ignores messages whose id is already logged and answers only the ones written', async () => {
      const [c1, c2, c3] = [command(), command(), command()];
      const written = await store.transaction((tx) => store.append(tx, [c1, c2]));
      expect(written.map((m) => m.metadata.messageId)).toEqual([c1.metadata.messageId, c2.metadata.messageId]);
      const firstPosition = written[0].metadata.position;

      const altered: Message = { ...c1, data: { by: 999 } };
      const again = await store.transaction((tx) => store.append(tx, [altered, c3, c2]));
      expect(again.map((m) => m.metadata.messageId)).toEqual([c3.metadata.messageId]);
      expect(again[0].metadata.position).toBeGreaterThan(written[1].metadata.position);

      expect(await byMessageId(c1.metadata.messageId)).toBe(1);
      expect(await byMessageId(c2.metadata.messageId)).toBe(1);
      await settledHead();
      const stored = await store.messageAt(firstPosition);
      expect(stored?.metadata.messageId).toBe(c1.metadata.messageId);
      expect(stored?.data).toEqual({ by: 1 }); // the first write wins
      // A duplicate-only append writes nothing and answers nothing.
      expect(await store.transaction((tx) => store.append(tx, [c1, c2, c3]))).toEqual([]);
    });

    it('a duplicate does not abort its transaction: the other rows of it commit', async () => {
      const known = command();
      await store.transaction((tx) => store.append(tx, [known]));
      const fresh = command();
      const stream = freshStream();
      await store.transaction(async (tx) => {
        expect(await store.append(tx, [known])).toEqual([]);
        expect(await store.append(tx, [fresh])).toHaveLength(1);
        await store.appendToStream(tx, stream, -1, events(1), origin);
      });
      expect(await byMessageId(fresh.metadata.messageId)).toBe(1);
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    it('the same id twice in one append is written once and answered once', async () => {
      const twice = command();
      const other = command();
      const written = await store.transaction((tx) => store.append(tx, [twice, other, twice]));
      expect(await byMessageId(twice.metadata.messageId)).toBe(1);
      expect(written.map((m) => m.metadata.messageId)).toEqual([twice.metadata.messageId, other.metadata.messageId]);
      expect(new Set(written.map((m) => m.metadata.position)).size).toBe(written.length);
    });
  });

  describe('atomicity', () => {
    it('an exception thrown inside transaction() after appends leaves no rows', async () => {
      const stream = freshStream();
      const cmd = command();
      const before = await committedRows();
      const boom = new Error('boom');
      await expect(
        store.transaction(async (tx) => {
          await store.append(tx, [cmd]);
          // More than one insert chunk (500 rows) so several statements are undone.
          await store.appendToStream(tx, stream, -1, events(1200), origin);
          expect(await store.streamVersion(tx.db, stream)).toBe(1199); // visible inside the transaction
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await committedRows()).toBe(before);
      expect(await store.readStream(stream)).toEqual([]);
      expect(await byMessageId(cmd.metadata.messageId)).toBe(0);
      // Nothing half-written blocks a later writer.
      const written = await store.transaction((tx) => store.appendToStream(tx, stream, -1, events(2), origin));
      expect(written.map((e) => e.metadata.version)).toEqual([0, 1]);
    });

    it('returns the work result and signals "messages" only after a commit', async () => {
      // A second store without cross-process notifications: only its own commits may signal.
      const local = await Store.open(location.dialect(), { listen: false });
      let signals = 0;
      const stop = local.onChange('messages', () => signals++);
      try {
        expect(await local.transaction(async () => 'nothing')).toBe('nothing');
        expect(signals).toBe(0);
        let signalsInside = -1;
        await local.transaction(async (tx) => {
          await local.appendToStream(tx, freshStream(), -1, events(1), origin);
          signalsInside = signals;
        });
        expect(signalsInside).toBe(0);
        expect(signals).toBe(1);
        await expect(
          local.transaction(async (tx) => {
            await local.append(tx, [command()]);
            throw new Error('no');
          }),
        ).rejects.toThrow('no');
        expect(signals).toBe(1);
        // A transaction that wrote only duplicates signals nothing either.
        const known = command();
        await local.transaction((tx) => local.append(tx, [known]));
        expect(signals).toBe(2);
        await local.transaction((tx) => local.append(tx, [known]));
        expect(signals).toBe(2);
      } finally {
        stop();
        await local.close();
      }
    });
  });

  describe('reading the log', () => {
    it('readLog: position order, after, types, untilPosition and limit', async () => {
      const base = await settledHead();
      const prefix = `T${newId().slice(-6)}`;
      const [a, b, c] = [`${prefix}A`, `${prefix}B`, `${prefix}C`];
      const written: LoggedMessage[] = [];
      for (let i = 0; i < 6; i++) {
        written.push(
          ...(await store.transaction(async (tx) => [
            ...(await store.appendToStream(tx, freshStream(), -1, [{ type: a, data: { i } }, { type: b, data: { i } }], origin)),
            ...(await store.append(tx, [newEvent(c, { i }, { sourceType: 'Outbox', sourceId: newId(), version: 0, origin })])),
          ])),
        );
      }
      await settledHead();
      const all = await store.readLog({ after: base, limit: 1000 });
      expect(all.map((m) => m.metadata.messageId)).toEqual(written.map((m) => m.metadata.messageId));
      const positions = all.map((m) => m.metadata.position);
      for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
      expect(all.every((m) => m.metadata.position > base)).toBe(true);

      // after is exclusive
      const mid = positions[7];
      expect((await store.readLog({ after: mid, limit: 1000 })).map((m) => m.metadata.position)).toEqual(positions.slice(8));
      expect(await store.readLog({ after: positions.at(-1)!, limit: 1000 })).toEqual([]);
      // limit takes the first ones
      expect((await store.readLog({ after: base, limit: 5 })).map((m) => m.metadata.position)).toEqual(positions.slice(0, 5));
      expect((await store.readLog({ after: mid, limit: 2 })).map((m) => m.metadata.position)).toEqual(positions.slice(8, 10));
      // untilPosition is inclusive
      expect((await store.readLog({ after: base, limit: 1000, untilPosition: positions[4] })).map((m) => m.metadata.position)).toEqual(
        positions.slice(0, 5),
      );
      expect((await store.readLog({ after: positions[2], limit: 1000, untilPosition: positions[2] }))).toEqual([]);
      // types: only those, still in order, combined with the other options
      const ofTypes = (types: string[]) => written.filter((m) => types.includes(m.type)).map((m) => m.metadata.position);
      expect((await store.readLog({ after: base, limit: 1000, types: [c] })).map((m) => m.metadata.position)).toEqual(ofTypes([c]));
      expect((await store.readLog({ after: base, limit: 1000, types: [a, c] })).map((m) => m.metadata.position)).toEqual(ofTypes([a, c]));
      expect((await store.readLog({ after: mid, limit: 3, types: [a, c] })).map((m) => m.metadata.position)).toEqual(
        ofTypes([a, c]).filter((p) => p > mid).slice(0, 3),
      );
      expect(
        (await store.readLog({ after: base, limit: 1000, types: [b], untilPosition: positions[9] })).map((m) => m.metadata.position),
      ).toEqual(ofTypes([b]).filter((p) => p <= positions[9]));
      expect(await store.readLog({ after: base, limit: 1000, types: [] })).toEqual([]);
      expect(await store.readLog({ after: base, limit: 1000, types: ['NoSuchType'] })).toEqual([]);
    });

    it('readLogBatches streams thousands of rows in constant-size batches with contiguous, increasing positions', async () => {
      const base = await settledHead();
      const type = `Bulk${newId().slice(-6)}`;
      const written: LoggedMessage[][] = [];
      for (let t = 0; t < 3; t++) {
        written.push(
          await store.transaction((tx) =>
            store.appendToStream(tx, freshStream('Bulk'), -1, Array.from({ length: 1100 }, (_, i) => ({ type: t === 1 ? `${type}Odd` : type, data: { t, i } })), origin),
          ),
        );
      }
      // One transaction's rows take consecutive positions.
      for (const rows of written) {
        const p = rows.map((m) => m.metadata.position);
        expect(p).toEqual(p.map((_, i) => p[0] + i));
      }
      const expected = written.flat().map((m) => m.metadata.position);
      await settledHead();

      const batchSize = 256;
      const batches: LoggedMessage[][] = [];
      for await (const batch of store.readLogBatches({ after: base, batchSize })) batches.push(batch);
      expect(batches.map((b) => b.length)).toEqual([...Array(12).fill(batchSize), 3300 - 12 * batchSize]);
      const seen = batches.flat().map((m) => m.metadata.position);
      expect(seen).toEqual(expected);
      for (let i = 1; i < batches.length; i++) {
        // Each batch starts with the entry right after the previous batch's last one.
        const next = expected.indexOf(batches[i - 1].at(-1)!.metadata.position) + 1;
        expect(batches[i][0].metadata.position).toBe(expected[next]);
      }
      expect(batches.flat().map((m) => m.data)).toEqual(written.flat().map((m) => m.data));

      // With a type filter and an upper bound.
      const odd = written[1].map((m) => m.metadata.position);
      const filtered: LoggedMessage[][] = [];
      for await (const batch of store.readLogBatches({ after: base, batchSize: 300, types: [`${type}Odd`] })) filtered.push(batch);
      expect(filtered.map((b) => b.length)).toEqual([300, 300, 300, 200]);
      expect(filtered.flat().map((m) => m.metadata.position)).toEqual(odd);
      const bounded: number[] = [];
      for await (const batch of store.readLogBatches({ after: base, batchSize: 100, untilPosition: expected[249] })) {
        expect(batch.length).toBeLessThanOrEqual(100);
        bounded.push(...batch.map((m) => m.metadata.position));
      }
      expect(bounded).toEqual(expected.slice(0, 250));
      // Nothing after the end.
      const none: LoggedMessage[][] = [];
      for await (const batch of store.readLogBatches({ after: expected.at(-1)! })) none.push(batch);
      expect(none).toEqual([]);
    });

    it('headPosition is the last written position and countLog counts entries in (after, upTo]', async () => {
      const base = await settledHead();
      const type = `Count${newId().slice(-6)}`;
      const first = await store.transaction((tx) => store.appendToStream(tx, freshStream(), -1, events(4, type), origin));
      const second = await store.transaction(async (tx) => [
        ...(await store.append(tx, [command(), command()])),
        ...(await store.appendToStream(tx, freshStream(), -1, events(3, `${type}X`), origin)),
      ]);
      const head = await settledHead();
      expect(head).toBe(second.at(-1)!.metadata.position);
      expect(head).toBeGreaterThan(first.at(-1)!.metadata.position);
      expect(await store.countLog(base, head)).toBe(9);
      expect(await store.countLog(base, head)).toBe((await store.readLog({ after: base, limit: 1000 })).length);
      expect(await store.countLog(first[1].metadata.position, head)).toBe(7);
      expect(await store.countLog(base, first.at(-1)!.metadata.position)).toBe(4);
      expect(await store.countLog(base, head, [type])).toBe(4);
      expect(await store.countLog(base, head, [type, `${type}X`])).toBe(7);
      expect(await store.countLog(base, head, [])).toBe(0);
      expect(await store.countLog(head, head)).toBe(0);
      expect(await store.countLog(head, base)).toBe(0);
      // A rolled back transaction moves nothing.
      await store.transaction(async (tx) => {
        await store.append(tx, [command()]);
        throw new Error('rollback');
      }).catch(() => {});
      expect(await settledHead()).toBe(head);
    });
  });
});

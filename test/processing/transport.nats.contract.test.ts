import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Message, partitionKey } from '../../src/platform/messages/envelope.ts';
import { originFromRequest } from '../../src/platform/messages/factory.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import { platformMigrations } from '../../src/platform/store/migrations.ts';
import { postgresDialect } from '../../src/platform/store/postgres.ts';
import { Store } from '../../src/platform/store/store.ts';
import { consumerName } from '../../src/platform/transport/nats/partition-worker.ts';
import type { NatsSubscription } from '../../src/platform/transport/nats/subscription.ts';
import type { NatsTransportOptions } from '../../src/platform/transport/nats/transport.ts';
import { PARTITIONS, partitionOf } from '../../src/platform/transport/partition.ts';
import { LeaseKeeper, LeaseLost } from '../../src/platform/transport/leases.ts';
import { transportDb, transportMigrations } from '../../src/platform/transport/schema.ts';
import { sqliteDialect } from '../../src/platform/store/sqlite.ts';
import { eventually } from '../support/eventually.ts';
import { type NatsLocation, NATS_URL, freshNats } from '../support/nats.ts';
import { NatsProxy } from '../support/nats-proxy.ts';
import { createEffectsTable, effectsOf, recordingHandler } from '../support/recording-handler.ts';
import { type StoreLocation, freshLocation } from '../support/stores.ts';
import { ping, toyRegistry } from '../support/toy-domain.ts';
import { transportContract } from './transport-contract.ts';

const MIGRATIONS = [platformMigrations, transportMigrations];

async function openStore(location: StoreLocation): Promise<Store> {
  return Store.open(postgresDialect(location.url), { migrations: MIGRATIONS });
}

/** Publishes logged messages to the stream again: once with their own ids (within the duplicate window), once past it. */
async function republish(store: Store, nats: NatsLocation, messages: Message[]): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const js = jetstream(nc);
    for (const message of messages) {
      const stored = (await store.messageAt(message.metadata.position!))!;
      const subject = `${nats.options.subjectPrefix}.msg.${partitionOf(partitionKey(stored))}.${stored.type}`;
      const sameId = await js.publish(subject, JSON.stringify(stored), { msgID: stored.metadata.messageId });
      expect(sameId.duplicate).toBe(true);
      await js.publish(subject, JSON.stringify(stored), { msgID: `${stored.metadata.messageId}/again` });
    }
  } finally {
    await nc.close();
  }
}

transportContract('NATS JetStream on postgres', async () => {
  const location = await freshLocation('postgres');
  const nats = freshNats();
  const store = await openStore(location);
  return {
    store,
    options: { nats: nats.options },
    redeliver: (messages) => republish(store, nats, messages),
    drop: async () => {
      await nats.drop();
      await location.drop();
    },
  };
});

describe('NATS transport: partitions and leases', () => {
  const registry = toyRegistry();
  let location: StoreLocation;
  let nats: NatsLocation;
  let store: Store;
  const running: Processing[] = [];

  beforeEach(async () => {
    location = await freshLocation('postgres');
    nats = freshNats();
    store = await openStore(location);
    await createEffectsTable(store);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
    await store.close();
    await nats.drop();
    await location.drop();
  });

  /** A process running the recording handler `name` on the NATS transport (settings on top of this test's). */
  function start(name = 'h', settings: Partial<NatsTransportOptions> = {}, handle: Parameters<typeof recordingHandler>[2] = {}): Processing {
    const processing = new Processing(store, registry, [recordingHandler(name, ['Ping'], handle)], {
      retry: { baseDelayMs: 5 },
      idleCheckMs: 500,
      nats: { ...nats.options, ...settings },
    });
    running.push(processing);
    processing.start();
    return processing;
  }

  function worker(handle: Parameters<typeof recordingHandler>[2] = {}): Processing {
    return start('h', {}, handle);
  }

  /** Messages expire from the stream after 1 s. */
  const RETENTION = { maxAgeMs: 1000, duplicateWindowMs: 500 };

  async function streamEmptied(): Promise<void> {
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      await eventually(async () => (await jsm.streams.info(nats.options.stream!)).state.messages === 0);
    } finally {
      await nc.close();
    }
  }

  /** The `after` of every log read from now on. */
  function logReadsFrom(): number[] {
    const readFrom: number[] = [];
    const readLog = store.readLog.bind(store);
    vi.spyOn(store, 'readLog').mockImplementation((options) => {
      readFrom.push(options.after);
      return readLog(options);
    });
    return readFrom;
  }

  /** What a crash leaves: nothing acknowledged, given back or released; the leases run out. */
  async function kill(processing: Processing): Promise<void> {
    for (const subscription of processing.subscriptions) await (subscription as NatsSubscription).kill();
    await processing.transport!.kill();
    await processing.stop();
  }

  function activeWorkers(processing: Processing, partition: number): number {
    return (processing.subscriptions[0] as NatsSubscription).workers[partition].active ? 1 : 0;
  }

  it('refuses SQLite', async () => {
    const sqlite = await freshLocation('sqlite');
    const local = await Store.open(sqliteDialect(sqlite.url), { migrations: MIGRATIONS });
    try {
      expect(() => new Processing(local, registry, [], { nats: nats.options })).toThrow(/NATS transport needs PostgreSQL/);
    } finally {
      await local.close();
      await sqlite.drop();
    }
  });

  it('two workers share the partitions, never work one at once, and when one dies the other takes its partitions over', async () => {
    const sources = Array.from({ length: 24 }, (_, n) => `s${n}`);
    expect(new Set(sources.map((s) => partitionOf(`Pinger:${s}`))).size).toBeGreaterThan(8);
    const a = worker();
    const b = worker();
    let overlaps = 0;
    const sampler = setInterval(() => {
      for (let p = 0; p < PARTITIONS; p++) if (activeWorkers(a, p) + activeWorkers(b, p) > 1) overlaps++;
    }, 2);
    const held = (processing: Processing) => (processing.subscriptions[0] as NatsSubscription).heldPartitions();
    try {
      const first = await ping(store, sources, 3);
      await expect(a.waitFor('h', first.at(-1)!.metadata.position!, 20_000)).resolves.toBe(true);
      await eventually(() => held(a).length === PARTITIONS / 2 && held(b).length === PARTITIONS / 2);

      // One dies in the middle of a backlog: the other goes on once the leases run out.
      const second = ping(store, sources, 4);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await kill(a);
      const written = [...first, ...(await second)];
      await expect(b.waitFor('h', written.at(-1)!.metadata.position!, 30_000)).resolves.toBe(true);
      await eventually(() => held(b).length === PARTITIONS);

      const effects = await effectsOf(store, 'h');
      expect(effects).toHaveLength(written.length);
      const order = new Map<string, string[]>();
      for (const e of written) order.set(e.metadata.sourceId, [...(order.get(e.metadata.sourceId) ?? []), e.metadata.messageId]);
      const sourceOf = new Map(written.map((e) => [e.metadata.messageId, e.metadata.sourceId]));
      const handled = new Map<string, string[]>();
      for (const e of effects) handled.set(sourceOf.get(e.message_id)!, [...(handled.get(sourceOf.get(e.message_id)!) ?? []), e.message_id]);
      expect(handled).toEqual(order);
      expect(overlaps).toBe(0);
    } finally {
      clearInterval(sampler);
    }
  });

  it('pauses (leases given back) and resumes where it was', async () => {
    const processing = worker();
    const first = await ping(store, ['a', 'b'], 2);
    await expect(processing.waitFor('h', first.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
    await processing.pause();
    const owners = await store.db.selectFrom('transport_leases' as never).select('owner' as never).execute();
    expect(owners.every((row) => (row as { owner: string | null }).owner === null)).toBe(true);
    const second = await ping(store, ['a', 'b'], 2);
    await processing.resume();
    await expect(processing.waitFor('h', second.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
    expect((await effectsOf(store, 'h')).map((e) => e.message_id).sort()).toEqual([...first, ...second].map((e) => e.metadata.messageId).sort());
  });

  it('recovers when its consumers are deleted from outside', async () => {
    const processing = worker();
    const first = await ping(store, ['a', 'b', 'c'], 2);
    await expect(processing.waitFor('h', first.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      for (let p = 0; p < PARTITIONS; p++) await jsm.consumers.delete(nats.options.stream!, `h-p${p}`).catch(() => false);
    } finally {
      await nc.close();
    }
    const second = await ping(store, ['a', 'b', 'c'], 2);
    await expect(processing.waitFor('h', second.at(-1)!.metadata.position!, 30_000)).resolves.toBe(true);
    expect(await effectsOf(store, 'h')).toHaveLength(first.length + second.length);
  });

  it('makes a consumer an earlier version made, acknowledging each message on its own, again at the checkpoint', async () => {
    const first = worker();
    const early = await ping(store, ['a'], 3);
    await expect(first.waitFor('h', early.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
    await first.stop();
    const partition = partitionOf(partitionKey(early[0]));
    const name = consumerName('h', partition);
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.delete(nats.options.stream!, name);
      await jsm.consumers.add(nats.options.stream!, {
        durable_name: name,
        filter_subject: `${nats.options.subjectPrefix}.msg.${partition}.>`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
      const second = worker();
      const later = await ping(store, ['a'], 3);
      await expect(second.waitFor('h', later.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
      expect((await effectsOf(store, 'h')).map((effect) => effect.message_id)).toEqual([...early, ...later].map((m) => m.metadata.messageId));
      const info = await jsm.consumers.info(nats.options.stream!, name);
      expect(info.config.ack_policy).toBe(AckPolicy.All);
      await eventually(async () => (await jsm.consumers.info(nats.options.stream!, name)).num_ack_pending === 0);
    } finally {
      await nc.close();
    }
  });

  it('keeps the low-watermark as the handler checkpoint, for readers in other processes', async () => {
    const processing = worker();
    const events = await ping(store, ['a', 'b', 'c'], 2);
    const last = events.at(-1)!.metadata.position!;
    await expect(processing.waitFor('h', last, 15_000)).resolves.toBe(true);
    const row = await store.db.selectFrom('checkpoints').select('position').where('name', '=', 'h').executeTakeFirstOrThrow();
    expect(Number(row.position)).toBeGreaterThanOrEqual(last);
    const [status] = await processing.status();
    expect(status).toMatchObject({ name: 'h', lagMessages: 0 });
  });

  it('the low-watermark reads the log only after the handler checkpoint, however long other partitions have had nothing', async () => {
    const processing = worker();
    // One source: one partition gets entries, the other fifteen never do.
    const first = await ping(store, ['a'], 3);
    const settled = first.at(-1)!.metadata.position!;
    await expect(processing.waitFor('h', settled, 15_000)).resolves.toBe(true);
    const readFrom = logReadsFrom();
    const more = await ping(store, ['a'], 1);
    await expect(processing.waitFor('h', more.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
    expect(readFrom.length).toBeGreaterThan(0);
    expect(Math.min(...readFrom)).toBeGreaterThanOrEqual(settled);
  });

  it('publishes an entry an older transaction held back once that one ends, though it logs nothing (no signal)', async () => {
    const processing = worker();
    const [warm] = await ping(store, ['a'], 1);
    await expect(processing.waitFor('h', warm.metadata.position!, 15_000)).resolves.toBe(true);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let began!: () => void;
    const begun = new Promise<void>((resolve) => (began = resolve));
    const older = store.transaction(async (tx) => {
      // A transaction id, as any writer has: log entries committed after it are held back until it ends.
      await sql`SELECT pg_current_xact_id()`.execute(tx.db);
      began();
      await released;
    });
    await begun;
    const [held] = await ping(store, ['b'], 1);
    await expect(processing.waitFor('h', held.metadata.position!, 500)).resolves.toBe(false);
    release();
    await older;
    await expect(processing.waitFor('h', held.metadata.position!, 10_000)).resolves.toBe(true);
  });

  it('the handlers of a process read the log for their low-watermarks together, not each its own', async () => {
    const handlers = ['h1', 'h2', 'h3'];
    const processing = new Processing(store, registry, handlers.map((name) => recordingHandler(name, ['Ping'])), { idleCheckMs: 500, nats: nats.options });
    running.push(processing);
    processing.start();
    const [first] = await ping(store, ['a'], 1);
    for (const name of handlers) await expect(processing.waitFor(name, first.metadata.position!, 15_000)).resolves.toBe(true);
    const typed: string[][] = [];
    const readLog = store.readLog.bind(store);
    vi.spyOn(store, 'readLog').mockImplementation((options) => {
      if (options.types) typed.push([...options.types]);
      return readLog(options);
    });
    const events = await ping(store, ['a', 'b', 'c', 'd'], 3);
    for (const name of handlers) await expect(processing.waitFor(name, events.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
    expect(typed).toEqual([]);
  });

  it('reads from the log what the stream dropped while nobody worked the partitions (retention)', async () => {
    const first = start('h', RETENTION);
    const before = await ping(store, ['a', 'b', 'c'], 2);
    await expect(first.waitFor('h', before.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
    await first.stop();
    // Only another handler runs (and the relay): what h has not handled is published, then expires.
    const other = start('other', RETENTION);
    const missed = await ping(store, ['a', 'b', 'c', 'd'], 2);
    await expect(other.waitFor('other', missed.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
    await streamEmptied();
    // (Partitions are shared among the processes; one running only `other` would keep half of h's.)
    await other.stop();
    const again = start('h', RETENTION);
    const after = await ping(store, ['a', 'e'], 1);
    await expect(again.waitFor('h', after.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
    const handled = await effectsOf(store, 'h');
    expect(handled.map((effect) => effect.message_id).sort()).toEqual([...before, ...missed, ...after].map((message) => message.metadata.messageId).sort());
    // In order per source.
    const sourceOf = new Map([...before, ...missed, ...after].map((message) => [message.metadata.messageId, message.metadata.sourceId]));
    for (const source of ['a', 'b', 'c', 'd', 'e']) {
      const positions = handled.filter((effect) => sourceOf.get(effect.message_id) === source).map((effect) => Number(effect.position));
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
    }
  });

  it('a partition that had nothing of the handler\'s for longer than the stream keeps messages starts, when taken over, from the handler checkpoint', async () => {
    const first = start('h', RETENTION);
    // One source: one partition gets entries, the other fifteen never do (their checkpoints stay at 0).
    const early = await ping(store, ['a'], 3);
    const settled = early.at(-1)!.metadata.position!;
    await expect(first.waitFor('h', settled, 15_000)).resolves.toBe(true);
    await streamEmptied();
    await first.stop();
    const readFrom = logReadsFrom();
    const again = start('h', RETENTION);
    const later = await ping(store, ['a', 'b'], 1);
    await expect(again.waitFor('h', later.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
    expect(readFrom.length).toBeGreaterThan(0);
    expect(Math.min(...readFrom)).toBeGreaterThanOrEqual(settled);
    expect((await effectsOf(store, 'h')).map((effect) => effect.message_id).sort()).toEqual([...early, ...later].map((m) => m.metadata.messageId).sort());
  });

  it('a delivery lost on its way to the worker is handled, in order, long before the server would send it again', async () => {
    const proxy = await NatsProxy.start(NATS_URL);
    try {
      const processing = start('h', { url: proxy.url, ackWaitMs: 120_000 });
      const [first] = await ping(store, ['a'], 1);
      await expect(processing.waitFor('h', first.metadata.position!, 15_000)).resolves.toBe(true);
      const consumer = consumerName('h', partitionOf(partitionKey(first)));
      // Lost with later messages behind it: the next delivery shows the gap.
      proxy.dropNext(consumer);
      const middle = await ping(store, ['a'], 3);
      await expect(processing.waitFor('h', middle.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
      // Lost with nothing behind it: the worker, quiet, asks the server what it sent.
      proxy.dropNext(consumer);
      const last = await ping(store, ['a'], 1);
      await expect(processing.waitFor('h', last.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
      expect(proxy.dropped).toBe(2);
      const handled = (await effectsOf(store, 'h')).map((effect) => effect.message_id);
      expect(handled).toEqual([first, ...middle, ...last].map((message) => message.metadata.messageId));
    } finally {
      await proxy.close();
    }
  });

  it('acknowledges the messages a handler does not take together, all of them within a second', async () => {
    const proxy = await NatsProxy.start(NATS_URL);
    const nc = await connect({ servers: NATS_URL });
    try {
      const processing = new Processing(store, registry, [recordingHandler('h', ['Ping']), recordingHandler('other', ['Incremented'])], {
        idleCheckMs: 500,
        nats: { ...nats.options, url: proxy.url },
      });
      running.push(processing);
      processing.start();
      const pings: Message[] = [];
      for (let n = 0; n < 10; n++) {
        pings.push(...(await ping(store, ['a'], 1)));
        await expect(processing.waitFor('h', pings.at(-1)!.metadata.position!, 15_000)).resolves.toBe(true);
      }
      const partition = partitionOf(partitionKey(pings[0]));
      const jsm = await jetstreamManager(nc);
      // Every ping is acknowledged by the consumer of the handler that does not take pings too.
      await eventually(async () => {
        const info = await jsm.consumers.info(nats.options.stream!, consumerName('other', partition));
        return info.delivered.stream_seq >= 10 && info.num_ack_pending === 0 && info.ack_floor.stream_seq === info.delivered.stream_seq;
      }, 3000);
      expect(proxy.acks(consumerName('h', partition))).toBe(10);
      expect(proxy.acks(consumerName('other', partition))).toBeLessThanOrEqual(5);
    } finally {
      await nc.close();
      await proxy.close();
    }
  });

  it('carries a log entry larger than NATS takes as a reference: its handler gets it whole, from the log, in order', async () => {
    const processing = worker();
    const big = 'x'.repeat(1_200_000);
    const stream = { sourceType: 'Pinger', sourceId: 'big' };
    const [large] = await store.transaction((tx) => store.appendToStream(tx, stream, -1, [{ type: 'Ping', data: { n: 0, big } }], originFromRequest('big')));
    const behind = await ping(store, ['big'], 1);
    await expect(processing.waitFor('h', behind[0].metadata.position!, 15_000)).resolves.toBe(true);
    const effects = await effectsOf(store, 'h');
    expect(effects.map((effect) => effect.message_id)).toEqual([large.metadata.messageId, behind[0].metadata.messageId]);
    expect(JSON.parse(effects[0].data)).toEqual({ n: 0, big });
  });
});

describe('transport leases', () => {
  let location: StoreLocation;
  let store: Store;

  beforeEach(async () => {
    location = await freshLocation('postgres');
    store = await openStore(location);
    await createEffectsTable(store);
  });
  afterEach(async () => {
    await store.close();
    await location.drop();
  });

  it('one holder at a time; a released lease is free at once; work under a lease taken over rolls back', async () => {
    const a = new LeaseKeeper(store, { leaseMs: 5000, renewMs: 1000 });
    const b = new LeaseKeeper(store, { leaseMs: 5000, renewMs: 1000 });
    try {
      expect(await a.acquire('x', () => {}, async () => 7)).toBe(true);
      expect(await b.acquire('x', () => {})).toBe(false);
      expect(await a.row('x')).toEqual({ position: 7, sequence: 0 });
      await store.transaction((tx) => a.save(tx, 'x', { position: 9, sequence: 3 }));
      await a.release('x');
      expect(await b.acquire('x', () => {})).toBe(true);
      expect(await b.row('x')).toEqual({ position: 9, sequence: 3 });

      // `a` still believes it holds `y`, but `b` has it in the store: what `a` does under it rolls back.
      expect(await a.acquire('y', () => {})).toBe(true);
      await transportDb(store.db).updateTable('transport_leases').set({ owner: b.owner }).where('name', '=', 'y').execute();
      const work = store.transaction(async (tx) => {
        await sql`INSERT INTO test_effects (handler, message_id, type, position, data) VALUES ('h', 'm', 'Ping', 1, '{}')`.execute(tx.db);
        await a.save(tx, 'y', { position: 1 });
      });
      await expect(work).rejects.toBeInstanceOf(LeaseLost);
      expect(await effectsOf(store, 'h')).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('lease expiry is on the database clock: a worker whose clock runs ahead takes no live lease over', async () => {
    const a = new LeaseKeeper(store, { leaseMs: 5000, renewMs: 1000 });
    const b = new LeaseKeeper(store, { leaseMs: 5000, renewMs: 1000 });
    try {
      expect(await a.acquire('x', () => {})).toBe(true);
      // `b` runs on a machine whose clock is an hour ahead (only Date is faked: timers stay real).
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 3_600_000);
      expect(await b.acquire('x', () => {})).toBe(false);
      expect(await b.countLive('x')).toBe(1);
      vi.useRealTimers();
      // A lease that really ran out (on the database clock) is taken over.
      await transportDb(store.db).updateTable('transport_leases').set({ expires_at: sql<number>`expires_at - 60000` }).where('name', '=', 'x').execute();
      expect(await b.acquire('x', () => {})).toBe(true);
    } finally {
      vi.useRealTimers();
      await a.close();
      await b.close();
    }
  });

  it('a membership row is never cleared before its first claim, and one cleared after running out is made again', async () => {
    const a = new LeaseKeeper(store, { leaseMs: 5000, renewMs: 1000 });
    const b = new LeaseKeeper(store, { leaseMs: 5000, renewMs: 1000 });
    try {
      // `b` inserts its row; `a` counts (and clears long-expired rows) before `b` claims it.
      await transportDb(store.db)
        .insertInto('transport_leases')
        .values({ name: 'member:s:b', owner: null, expires_at: Date.now(), position: 0, sequence: 0, updated_at: new Date().toISOString() })
        .execute();
      expect(await a.countLive('member:s:')).toBe(0);
      expect(await b.acquire('member:s:b', () => {})).toBe(true);
      expect(await a.countLive('member:s:')).toBe(1);

      // `b` stops renewing, its row runs out long ago and is cleared; its next claim makes it again.
      b.abandon('member:s:b');
      await transportDb(store.db).updateTable('transport_leases').set({ expires_at: Date.now() - 60_000 }).where('name', '=', 'member:s:b').execute();
      expect(await a.countLive('member:s:')).toBe(0);
      expect(await transportDb(store.db).selectFrom('transport_leases').select('name').where('name', '=', 'member:s:b').execute()).toEqual([]);
      expect(await b.acquire('member:s:b', () => {})).toBe(true);
      expect(await a.countLive('member:s:')).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});


import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Processing } from '../../src/platform/processing/processing.ts';
import { platformMigrations } from '../../src/platform/store/migrations.ts';
import { postgresDialect } from '../../src/platform/store/postgres.ts';
import { Store } from '../../src/platform/store/store.ts';
import { transportMigrations } from '../../src/platform/transport/schema.ts';
import { freshNats } from '../support/nats.ts';
import { createEffectsTable, effectsOf, recordingHandler } from '../support/recording-handler.ts';
import { type StoreLocation, freshLocation } from '../support/stores.ts';
import { ping, toyRegistry } from '../support/toy-domain.ts';

const NATS_SERVER = '/usr/sbin/nats-server';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function listening(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A private NATS server with JetStream on its own port and store directory (never the shared one). */
class PrivateNats {
  #process: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.#process = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.dir], { stdio: 'ignore' });
    await listening(this.port);
  }

  async kill(): Promise<void> {
    const process = this.#process;
    this.#process = undefined;
    if (!process || process.exitCode !== null) return;
    const exited = new Promise((resolve) => process.once('exit', resolve));
    process.kill('SIGKILL');
    await exited;
  }
}

describe('NATS transport across a NATS restart', () => {
  const registry = toyRegistry();
  let location: StoreLocation;
  let store: Store;
  let nats: PrivateNats;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'contoso-nats-'));
    nats = new PrivateNats(await freePort(), dir);
    await nats.start();
    location = await freshLocation('postgres');
    store = await Store.open(postgresDialect(location.url), { migrations: [platformMigrations, transportMigrations] });
    await createEffectsTable(store);
  });
  afterAll(async () => {
    await nats?.kill();
    await store?.close();
    await location?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('relay and consumers recover by themselves; every message is handled once, in order per source', async () => {
    const { options } = freshNats(nats.url);
    const processing = new Processing(store, registry, [recordingHandler('h', ['Ping'])], {
      retry: { baseDelayMs: 5 },
      idleCheckMs: 500,
      nats: options,
    });
    processing.start();
    try {
      const sources = ['a', 'b', 'c', 'd', 'e', 'f'];
      const before = await ping(store, sources, 5);
      await expect(processing.waitFor('h', before.at(-1)!.metadata.position!, 20_000)).resolves.toBe(true);

      // NATS dies; the log goes on meanwhile.
      await nats.kill();
      const during = await ping(store, sources, 5);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await nats.start();
      const after = await ping(store, sources, 3);
      const all = [...before, ...during, ...after];
      await expect(processing.waitFor('h', all.at(-1)!.metadata.position!, 60_000)).resolves.toBe(true);

      const effects = await effectsOf(store, 'h');
      expect(effects).toHaveLength(all.length);
      const sourceOf = new Map(all.map((e) => [e.metadata.messageId, e.metadata.sourceId]));
      for (const source of sources) {
        expect(effects.filter((e) => sourceOf.get(e.message_id) === source).map((e) => e.message_id)).toEqual(
          all.filter((e) => e.metadata.sourceId === source).map((e) => e.metadata.messageId),
        );
      }
    } finally {
      await processing.stop();
    }
  });

  it('stops within seconds while NATS is down', async () => {
    const { options } = freshNats(nats.url);
    const processing = new Processing(store, registry, [recordingHandler('h2', ['Ping'])], { idleCheckMs: 500, nats: options });
    processing.start();
    const [event] = await ping(store, ['z'], 1);
    await expect(processing.waitFor('h2', event.metadata.position!, 20_000)).resolves.toBe(true);
    await nats.kill();
    try {
      const started = Date.now();
      await processing.stop();
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await nats.start();
    }
  });

  it('a worker started while NATS is down catches up once it is back', async () => {
    const { options } = freshNats(nats.url);
    const before = await store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await nats.kill();
    const processing = new Processing(store, registry, [recordingHandler('h3', ['Ping'])], { idleCheckMs: 500, nats: options });
    processing.start();
    try {
      const events = await ping(store, ['x', 'y'], 3);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await nats.start();
      await expect(processing.waitFor('h3', events.at(-1)!.metadata.position!, 60_000)).resolves.toBe(true);
      const effects = await effectsOf(store, 'h3');
      expect(effects).toHaveLength(Number(before.n) + events.length);
      expect(new Set(effects.map((e) => e.message_id)).size).toBe(effects.length);
    } finally {
      await processing.stop();
    }
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/messages/ids.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { STORE_KINDS, type StoreKind, type StoreLocation, freshLocation } from '../support/stores.ts';

/**
 * Guarantees 1 and 9 against `kill -9`: a child process writes transactions of BATCH events (one
 * INSERT each) and reports each commit; it is killed with SIGKILL at a random moment. Reopened, the
 * store holds every reported batch in full, no partial batch, and contiguous versions.
 */
const BATCH = 20;
const KILLS = 5;
const PROJECT = fileURLToPath(new URL('../..', import.meta.url));
const WRITER = fileURLToPath(new URL('./support/crash-writer.ts', import.meta.url));

interface Killed {
  run: string;
  committed: number[];
  settings: Record<string, unknown>;
  killedAfterMs: number;
}

/** Starts the writer, waits until it has committed `minBatches`, then kills it `delayMs` later. */
async function writeUntilKilled(location: StoreLocation, minBatches: number, delayMs: number): Promise<Killed> {
  const run = newId();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WRITER, location.kind, location.url, run, String(BATCH)], {
    cwd: PROJECT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const committed: number[] = [];
  let settings: Record<string, unknown> | undefined;
  let stderr = '';
  let buffered = '';
  let readyAt = 0;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close': the process is gone and its stdout fully read.
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const enough = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ready ')) {
          settings = JSON.parse(line.slice('ready '.length));
          readyAt = Date.now();
        } else if (line.startsWith('committed ')) {
          committed.push(Number(line.slice('committed '.length)));
          if (committed.length === minBatches) resolve();
        }
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`writer exited early (${code ?? signal}): ${stderr}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    await enough;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const killedAfterMs = Date.now() - readyAt;
    expect(child.kill('SIGKILL')).toBe(true);
    const { signal } = await exited;
    expect(signal).toBe('SIGKILL');
    return { run, committed, settings: settings!, killedAfterMs };
  } finally {
    clearTimeout(timeout);
    child.kill('SIGKILL');
  }
}

interface Row {
  source_id: string;
  version: number | null;
  payload: string;
  position: number;
}

describe.each(STORE_KINDS)('crash safety on %s', (kind: StoreKind) => {
  let location: StoreLocation;

  beforeAll(async () => {
    location = await freshLocation(kind);
    // Migrate once up front so the children only write.
    const store = await location.open();
    await store.close();
  });
  afterAll(async () => {
    await location?.drop();
  });

  async function verify(store: Store, killed: Killed) {
    const rows = (await store.db
      .selectFrom('messages')
      .select(['source_id', 'version', 'payload', 'position'])
      .where('source_type', '=', 'CrashBatch')
      .where('source_id', 'like', `${killed.run}-%`)
      .orderBy('position')
      .execute()) as Row[];
    const byBatch = new Map<number, Row[]>();
    for (const row of rows) {
      const batch = Number(row.source_id.slice(killed.run.length + 1));
      byBatch.set(batch, [...(byBatch.get(batch) ?? []), row]);
    }
    const present = [...byBatch.keys()].sort((a, b) => a - b);
    const context = `run ${killed.run}, killed ${killed.killedAfterMs} ms after start, reported ${killed.committed.length}, present ${present.length}`;

    // Every batch reported committed is there.
    for (const batch of killed.committed) expect(byBatch.has(batch), `${context}: batch ${batch} lost`).toBe(true);
    // Batches were written one after another: what is present is 0..m, at most one unreported at the end.
    expect(present, context).toEqual(present.map((_, i) => i));
    expect(present.length - killed.committed.length, context).toBeGreaterThanOrEqual(0);
    expect(present.length - killed.committed.length, context).toBeLessThanOrEqual(1);
    // No partial batch, versions contiguous and payloads those of the batch.
    for (const [batch, batchRows] of byBatch) {
      expect(batchRows.length, `${context}: batch ${batch} has ${batchRows.length} of ${BATCH} events`).toBe(BATCH);
      expect(batchRows.map((r) => r.version)).toEqual(batchRows.map((_, i) => i));
      expect(batchRows.map((r) => JSON.parse(r.payload) as { batch: number; i: number }).map((p) => [p.batch, p.i])).toEqual(
        batchRows.map((_, i) => [batch, i]),
      );
      const positions = batchRows.map((r) => Number(r.position));
      expect(positions).toEqual(positions.map((_, i) => positions[0] + i));
    }
    // Log readers see every committed row once the dead writer's transaction is gone.
    const visible = await eventually(async () => {
      const head = await store.headPosition();
      return rows.length === 0 || head >= Number(rows.at(-1)!.position) ? head : undefined;
    });
    expect(visible).toBeGreaterThanOrEqual(rows.length ? Number(rows.at(-1)!.position) : 0);
    // And every stream still takes its next event at the version after its last.
    const last = present.at(-1);
    if (last !== undefined) {
      const stream = { sourceType: 'CrashBatch', sourceId: `${killed.run}-${last}` };
      const [next] = await store.transaction((tx) => store.appendToStream(tx, stream, BATCH - 1, [{ type: 'After', data: {} }], { correlationId: null, causationId: null }));
      expect(next.metadata.version).toBe(BATCH);
    }
    return { present: present.length, reported: killed.committed.length };
  }

  it(`keeps every reported batch whole and never a partial one across ${KILLS} kills at random moments`, async () => {
    const outcomes: { present: number; reported: number }[] = [];
    for (let k = 0; k < KILLS; k++) {
      const minBatches = 2 + Math.floor(Math.random() * 25);
      const delayMs = Math.floor(Math.random() * 15);
      const killed = await writeUntilKilled(location, minBatches, delayMs);
      expect(killed.committed.length).toBeGreaterThanOrEqual(minBatches);
      if (kind === 'sqlite') {
        // The writer that was killed wrote in WAL mode with synchronous=FULL (2).
        expect(killed.settings).toEqual({ journalMode: 'wal', synchronous: 2 });
      }
      const store = await location.open();
      try {
        outcomes.push(await verify(store, killed));
      } finally {
        await store.close();
      }
    }
    expect(outcomes.every((o) => o.present >= o.reported)).toBe(true);
  });

  if (kind === 'sqlite') it('the SQLite file is in WAL mode, intact, and the store opens it with synchronous=FULL', async () => {
    const raw = new BetterSqlite3(location.url);
    try {
      // journal_mode=WAL is a property of the file: a fresh connection sees it.
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      const count = raw.prepare(`select count(*) as n from messages where source_type = 'CrashBatch' and version is not null`).get() as { n: number };
      expect(count.n).toBeGreaterThan(0);
    } finally {
      raw.close();
    }
    // synchronous is per connection: check the one the store uses.
    const store = await location.open();
    try {
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
      expect(rows[0].synchronous).toBe(2);
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      expect(mode.rows[0].journal_mode).toBe('wal');
    } finally {
      await store.close();
    }
  });
});

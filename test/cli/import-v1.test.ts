import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/app/open-store.ts';
import { loadConfig } from '../../src/config.ts';
import { SAMPLE, fileHash } from '../migration/v1-import-fixture.ts';
import { conferenceEnvironment, runConference } from '../support/conference-cli.ts';

const run = (args: string[], dataDir: string) => runConference(args, conferenceEnvironment(dataDir));

describe('conference import-v1', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'contoso-import-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('dry-runs, imports, then adds nothing the second time; the V1 file stays unchanged', async () => {
    const hash = fileHash(SAMPLE);
    const dry = await run(['import-v1', SAMPLE, '--dry-run'], dataDir);
    expect(dry, dry.stderr).toMatchObject({ code: 0 });
    expect(dry.stdout).toContain('dry run: nothing written');
    expect(dry.stdout).toContain('Written this run: 0.');

    const first = await run(['import-v1', SAMPLE, '--json'], dataDir);
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary.events).toMatchObject({ read: 27, written: 27 });
    expect(summary.verification.differences).toEqual([]);
    // Step 7: every read model rebuilt side by side and switched to (no server runs here).
    expect(summary.readModels).toHaveLength(6);
    for (const line of summary.readModels) expect(line).toMatch(/^[a-z-]+: version 2 built from \d+ log entries, now live$/);
    const store = await openStore(loadConfig({ DATA_DIR: dataDir }), { listen: false });
    try {
      const db = store.db as never as import('kysely').Kysely<{ reg_seat_types: { id: string; price: number; available_quantity: number } }>;
      const ga = await db.selectFrom('reg_seat_types').select(['price', 'available_quantity']).where('id', '=', '35bf992d-c9e9-4616-a12e-7696a6cecc1b').executeTakeFirstOrThrow();
      // The pending orders' seats are still held: no server ran their timers or the queued confirmation yet.
      expect(ga).toEqual({ price: 19_900, available_quantity: 97 });
    } finally {
      await store.close();
    }

    const second = await run(['import-v1', SAMPLE], dataDir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('V1 events: 27 read, 0 written, 27 already in the log.');
    expect(second.stdout).toContain('Verification: no differences.');
    expect(second.stdout).toContain('Written this run: 0.');
    expect(second.stdout).toContain('untouched: nothing new was imported');
    expect(fileHash(SAMPLE)).toBe(hash);
  });

  it('refuses a malformed --rename-slug (exit 2) and a file that is no V1 store (exit 1)', async () => {
    expect(await run(['import-v1', SAMPLE, '--rename-slug', 'nonsense'], dataDir)).toMatchObject({ code: 2 });
    const missing = await run(['import-v1', join(dataDir, 'missing.sqlite')], dataDir);
    expect(missing.code).toBe(1);
  });
});

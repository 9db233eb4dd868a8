import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../src/config.ts';
import { checkInvariants } from '../../soak/invariants.ts';
import { type Traffic, createSoakConference } from '../../soak/traffic.ts';
import { Load, LoadStats, missingEffects, published, recordingClient } from './support/load.ts';
import { type ServeProcess, freePort, startServe } from './support/serve-process.ts';
import { readLogRows, sqliteIntegrity } from './support/store-log.ts';

/**
 * Guarantees 7 and 9 end to end: `conference serve` on the embedded store (SQLite) takes the soak's
 * registration traffic — orders placed, registrants entered, payments accepted and rejected, seats
 * assigned, orders left to expire, the scarce quota edited — and is killed with SIGKILL at a random
 * moment, KILLS times, each time restarted on the same store. Afterwards every command it
 * acknowledged has its effects in the log, every order is final once its hold and release buffer are
 * over, each seat type's quota = sold + held + remaining with nothing held, no e-mail was recorded
 * twice, no request answered 5xx, and the SQLite file is intact.
 */
const KILLS = 20;
const USERS = 4;
const HOLD_SECONDS = 3;
const BUFFER_SECONDS = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('conference serve killed under registration load (SQLite)', () => {
  it(`keeps every acknowledged command and the seat, order and e-mail invariants across ${KILLS} SIGKILLs`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'contoso-serve-kill-'));
    const token = randomBytes(16).toString('hex');
    const operator = { authorization: `Bearer ${token}` };
    const env = {
      DATA_DIR: dataDir,
      OPERATOR_TOKEN: token,
      RESERVATION_HOLD_SECONDS: String(HOLD_SECONDS),
      SEAT_RELEASE_BUFFER_SECONDS: String(BUFFER_SECONDS),
      CONFERENCE_CREATION_LIMIT: '0',
    };
    const port = await freePort();
    let server: ServeProcess = await startServe(port, env);
    const stats = new LoadStats();
    const client = recordingClient(server.url, stats);
    let load: Load | undefined;
    const kills: Array<{ inFlight: number; acknowledged: number; restartMs: number }> = [];
    const started = performance.now();
    try {
      const traffic: Traffic = { client, conference: await createSoakConference(client), orders: [], located: [] };
      await published(client, traffic.conference.slug);
      load = new Load(traffic, stats, USERS);
      for (let k = 0; k < KILLS; k++) {
        // Killed while serving: after a few more acknowledged commands and a random moment more.
        await load.acknowledgedMore(1 + Math.floor(Math.random() * 8), 60_000);
        await sleep(Math.floor(Math.random() * 400));
        const inFlight = stats.inFlight;
        await server.kill();
        const restarting = performance.now();
        server = await startServe(port, env);
        kills.push({ inFlight, acknowledged: stats.acknowledged.length, restartMs: Math.round(performance.now() - restarting) });
        console.log(`kill ${k + 1} at ${((performance.now() - started) / 1000).toFixed(1)} s: ${inFlight} requests in flight, ${stats.acknowledged.length} commands acknowledged so far, restarted in ${kills.at(-1)!.restartMs} ms`);
      }
      // Some traffic on the last restart too, then it stops.
      await sleep(1500);
      await load.stop();
      const loadMs = performance.now() - started;

      const problems = await checkInvariants(traffic, operator, (HOLD_SECONDS + BUFFER_SECONDS) * 1000);
      const missing = missingEffects(stats.acknowledged, await readLogRows({ sqliteFile: join(dataDir, SQLITE_FILE) }));
      console.log(
        `${kills.length} kills in ${(loadMs / 1000).toFixed(1)} s (restarts ${kills.map((k) => k.restartMs).join('/')} ms; ` +
          `requests in flight at the kills ${kills.map((k) => k.inFlight).join('/')}); ` +
          `${traffic.orders.length} orders; ${stats.summary()}`,
        stats.samples,
      );

      expect(kills).toHaveLength(KILLS);
      // Most kills cut requests off.
      expect(kills.filter((k) => k.inFlight > 0).length).toBeGreaterThan(KILLS / 2);
      // The traffic did reach the server between kills: orders placed, paid and confirmed.
      expect(traffic.orders.length).toBeGreaterThan(KILLS);
      expect(stats.acknowledged.filter((c) => c.path.endsWith('/accept')).length).toBeGreaterThan(0);
      expect(missing).toEqual([]);
      expect(problems).toEqual([]);
      expect(stats.serverErrors).toEqual([]);
      expect(stats.hangs).toEqual([]);
      expect(stats.other).toEqual([]);
      expect(server.alive, server.output()).toBe(true);
    } finally {
      await load?.stop();
      await server.stop();
    }
    expect(sqliteIntegrity(join(dataDir, SQLITE_FILE))).toBe('ok');
    rmSync(dataDir, { recursive: true, force: true });
  }, 420_000);
});

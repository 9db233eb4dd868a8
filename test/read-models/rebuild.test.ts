import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_MODEL_UNITS } from '../../src/app/read-models.ts';
import { Job, rebuild } from '../../src/platform/read-models/rebuild.ts';
import { versionsDb } from '../../src/platform/read-models/schema.ts';
import type { ReadModelVersions } from '../../src/platform/read-models/versions.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { appendEvents, conferenceEvent, conferenceSnapshot } from '../support/conference-events.ts';
import { operatorActions } from '../support/operator-actions.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { ordersServer, settle } from '../web/orders-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';
import { dump, registrations, unitNamed, versionsOf } from './support.ts';

describe.each(STORE_KINDS)('read-model rebuilds on %s', (kind) => {
  let server: TestServer;
  let versions: ReadModelVersions;
  let traffic: ReturnType<typeof registrations>;

  beforeAll(async () => {
    server = await ordersServer(kind);
    versions = versionsOf(server);
    traffic = registrations(server);
    for (let i = 0; i < 6; i++) await traffic.register();
    await settle(server);
  });
  afterAll(() => server.close());

  it.each(READ_MODEL_UNITS.map((unit) => unit.name))('rebuilds %s side by side into the same rows, switches to it, and back', async (name) => {
    const unit = unitNamed(name);
    const before = await dump(server.store, unit);
    expect(Object.values(before).some((rows) => rows.length > 0)).toBe(true);
    const result = await rebuild(versions, unit, new Job(unit.name));
    expect(result).toMatchObject({ unit: unit.name, version: 2, switched: true, failed: 0 });
    expect(server.store.tableNames.live.get(unit.tables[0])).toBe(`${unit.tables[0]}__v2`);
    expect(await dump(server.store, unit)).toEqual(before);
    expect((await versions.versions(unit)).map(({ version, status }) => ({ version, status }))).toEqual([
      { version: 1, status: 'standby' },
      { version: 2, status: 'live' },
    ]);

    // Live traffic goes on into version 2; switching back brings version 1 up to it first.
    await traffic.register();
    await settle(server);
    const moved = await dump(server.store, unit);
    await versions.switchTo(unit, 1);
    expect(server.store.tableNames.live.get(unit.tables[0])).toBeUndefined();
    expect(await dump(server.store, unit)).toEqual(moved);
    await expect(versions.retire(unit, 1)).rejects.toThrow(/live/);
    await versions.retire(unit, 2);
    expect((await versions.versions(unit)).map(({ version, status }) => ({ version, status }))).toEqual([{ version: 1, status: 'live' }]);
  });

  it('rebuilds in place: the new version goes live and the old one is retired; without switching it is kept as standby', async () => {
    const unit = unitNamed('payments');
    const before = await dump(server.store, unit);
    const earlierActions = (await operatorActions(server.store)).length;
    const inPlace = await rebuild(versions, unit, new Job(unit.name), { mode: 'in-place' });
    expect(inPlace).toMatchObject({ version: 2, switched: true, retired: 1 });
    expect((await versions.versions(unit)).map(({ version, status }) => ({ version, status }))).toEqual([{ version: 2, status: 'live' }]);
    expect(await dump(server.store, unit)).toEqual(before);

    const kept = await rebuild(versions, unit, new Job(unit.name), { switch: false });
    expect(kept).toMatchObject({ version: 3, switched: false });
    expect((await versions.versions(unit)).map(({ version, status }) => ({ version, status }))).toEqual([
      { version: 2, status: 'live' },
      { version: 3, status: 'standby' },
    ]);
    expect(await dump(server.store, unit, 3)).toEqual(before);
    await versions.switchTo(unit, 3);
    await versions.retire(unit, 2);
    expect(await dump(server.store, unit)).toEqual(before);
    // Every step is an operator action in the log.
    const actions = (await operatorActions(server.store)).slice(earlierActions);
    expect(actions).toEqual([
      { action: 'rebuild-read-model', target: 'payments:v2', reason: null },
      { action: 'switch-read-model', target: 'payments:v2', reason: null },
      { action: 'retire-read-model', target: 'payments:v1', reason: null },
      { action: 'rebuild-read-model', target: 'payments:v3', reason: null },
      { action: 'switch-read-model', target: 'payments:v3', reason: null },
      { action: 'retire-read-model', target: 'payments:v2', reason: null },
    ]);
  });

  it('switches to a kept version that fell behind: it reaches the live checkpoints inside the switch', async () => {
    const unit = unitNamed('draft-orders');
    const kept = await rebuild(versions, unit, new Job(unit.name), { switch: false });
    await traffic.register();
    await traffic.register();
    await settle(server);
    const live = await dump(server.store, unit);
    expect(await dump(server.store, unit, kept.version)).not.toEqual(live);
    await versions.switchNow(unit, kept.version);
    expect(server.store.tableNames.live.get('reg_draft_orders')).toBe(`reg_draft_orders__v${kept.version}`);
    expect(await dump(server.store, unit)).toEqual(live);
    await traffic.register();
    await settle(server);
    await versions.switchTo(unit, 1);
    await versions.retire(unit, kept.version);
    expect(await dump(server.store, unit)).toEqual(await dump(server.store, unit, 1));
  });

  it('refuses a second rebuild while one runs, and takes over a build whose process stopped', async () => {
    const unit = unitNamed('seat-assignments');
    const row = (version: number, updatedAt: string) => ({ unit: unit.name, version, status: 'rebuilding' as const, scratch: 0, position: 0, created_at: updatedAt, updated_at: updatedAt });
    const db = versionsDb(server.store.db);
    // Version 1 has its row since the first rebuild of this unit above.
    await db.insertInto('read_model_versions').values(row(7, new Date().toISOString())).execute();
    await expect(rebuild(versions, unit, new Job(unit.name))).rejects.toThrow(/running/);
    await db.updateTable('read_model_versions').set({ updated_at: new Date(Date.now() - 60_000).toISOString() }).where('unit', '=', unit.name).where('version', '=', 7).execute();
    expect(await rebuild(versions, unit, new Job(unit.name))).toMatchObject({ version: 8, switched: true });
    expect((await versions.versions(unit)).map(({ version, status }) => ({ version, status }))).toEqual([
      { version: 1, status: 'standby' },
      { version: 8, status: 'live' },
    ]);
    await versions.switchTo(unit, 1);
    await versions.retire(unit, 8);
  });

  it('ends its chase of a log that keeps growing, and replays the rest inside the switch', async () => {
    const unit = unitNamed('catalogue');
    // Steady traffic: 10 entries every 5 ms. On PostgreSQL every transaction moves positions on by
    // 65,536, so a lag threshold counted in positions is never met while it flows.
    let appending = true;
    let appended = 0;
    const appender = (async () => {
      while (appending) {
        await appendEvents(server.store, Array.from({ length: 10 }, () => conferenceEvent('ConferenceCreated', newId(), 1, conferenceSnapshot({ slug: `chase_${appended++}` }))));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const result = await rebuild(versions, unit, new Job(unit.name));
    appending = false;
    await appender;
    expect(result).toMatchObject({ switched: true, failed: 0 });
    expect(appended).toBeGreaterThan(0);
    await settle(server);
    const fresh = await rebuild(versions, unit, new Job(unit.name), { switch: false });
    expect(await dump(server.store, unit)).toEqual(await dump(server.store, unit, fresh.version));
    await versions.switchTo(unit, 1);
    for (const version of [result.version, fresh.version]) await versions.retire(unit, version);
  });
});

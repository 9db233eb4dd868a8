import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlugConflictError } from '../../src/contexts/migration/v1/conferences-step.ts';
import type { ImportSummary } from '../../src/contexts/migration/v1/import-v1.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { V1StoreBuilder } from '../support/v1-store-builder.ts';
import { client, ordersServer, settle } from '../web/orders-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';
import { basic, fileHash, importInto, storeCounts } from './v1-import-fixture.ts';

const REGISTRANT = { firstName: 'Rita', lastName: 'Registrant', email: 'rita@example.com' };

/** A V1 store with a deleted seat type, a seat type without availability events, partial, free, unnamed and pending orders. */
function writeStore(file: string) {
  const v1 = new V1StoreBuilder(file);
  const summit = v1.conference({ slug: 'summit2013', published: true, wasEverPublished: true, accessCode: 'xyz789' });
  const ga = v1.seatType(summit, { name: 'General admission', quantity: 10, price: 199.99 });
  const ws = v1.seatType(summit, { name: 'Free workshop', quantity: 5, price: 0 });
  const ghost = v1.seatType(summit, { name: 'Deleted before publishing', quantity: 7, price: 10 }, { row: false });
  const late = v1.seatType(summit, { name: 'Late addition', quantity: 4, price: 25.5 }, { quota: false });
  const admin = v1.conference({ slug: 'admin', published: false, wasEverPublished: false, accessCode: null });
  v1.seatType(admin, { name: 'Seat', quantity: 3, price: 1 }, { quota: false });
  const prices = { [ga]: 199.99, [ws]: 0 };
  const orders = {
    paid: v1.order({ conferenceId: summit, seats: { [ga]: 3 }, prices, registrant: REGISTRANT, outcome: 'legacy-confirmed' }),
    partial: v1.order({ conferenceId: summit, seats: { [ga]: 9 }, prices, outcome: 'pending' }),
    free: v1.order({ conferenceId: summit, seats: { [ws]: 2 }, prices, registrant: REGISTRANT, outcome: 'confirmed' }),
    pending: v1.order({ conferenceId: summit, seats: { [ws]: 1 }, prices, outcome: 'pending', expiration: new Date(Date.now() + 2000) }),
  };
  v1.command({ $type: 'Registration.Commands.MakeSeatReservation, Registration', Id: 'c-1', ConferenceId: summit });
  v1.close();
  return { summit, admin, ga, ws, ghost, late, orders };
}

describe.each(STORE_KINDS)('importing a generated V1 store on %s', (kind) => {
  let server: TestServer;
  let dir: string;
  let file: string;
  let shape: ReturnType<typeof writeStore>;
  let summary: ImportSummary;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'contoso-v1-'));
    file = join(dir, 'v1.sqlite');
    shape = writeStore(file);
    server = await ordersServer(kind, { SEAT_RELEASE_BUFFER_SECONDS: '1' });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops on a reserved slug before writing anything, and lists it', async () => {
    const before = await storeCounts(server);
    const refused = importInto(server, file);
    await expect(refused).rejects.toBeInstanceOf(SlugConflictError);
    await expect(refused).rejects.toThrow(/admin \(conference .*\) is reserved/);
    expect(await storeCounts(server)).toEqual(before);
  });

  it('imports with --rename-slug, gives the conference without a code a new one and reports the ghost seat type', async () => {
    summary = await importInto(server, file, { renameSlugs: new Map([['ADMIN', 'admin_conf']]) });
    await settle(server);
    expect(summary.conferences.newAccessCodes).toEqual([
      { conferenceId: shape.admin, slug: 'admin_conf', ownerEmail: 'olivia@example.com', accessCode: expect.stringMatching(/^[A-Z1-9]{6}$/), reason: 'missing' },
    ]);
    expect(summary.conferences.quotaCommands).toBe(1);
    expect(summary.verification.differences).toEqual([]);
    expect(summary.verification.ghostSeatTypes).toEqual([{ conferenceId: shape.summit, seatType: shape.ghost, remaining: 7 }]);
    expect(summary.processes.listedCommands).toEqual([expect.objectContaining({ type: 'MakeSeatReservation', reason: 'not imported' })]);
    expect(summary.processes.created).toEqual({ Completed: 2, ReservationConfirmationReceived: 2 });
    const owner = await server.app.inject({ url: '/api/management/conferences/admin_conf', headers: basic('olivia@example.com', summary.conferences.newAccessCodes[0].accessCode) });
    expect(owner.statusCode).toBe(200);
    const summit = await server.app.inject({ url: '/api/management/conferences/summit2013', headers: basic('OLIVIA@example.com', 'XYZ789') });
    expect(summit.statusCode).toBe(200);
  });

  it('confirms the paid and free orders, and expires the partial and pending ones, which give their seats back', async () => {
    const api = client(server);
    const expectations = [
      { order: shape.orders.paid, status: 'confirmed', total: 59_997, free: false },
      { order: shape.orders.free, status: 'confirmed', total: 0, free: true },
      { order: shape.orders.partial, status: 'expired', total: 139_993, free: false },
      { order: shape.orders.pending, status: 'expired', total: 0, free: true },
    ];
    for (const { order, status, total, free } of expectations) {
      const accessCode = await accessCodeOf(server, order.orderId);
      const view = await api('GET', `/api/orders/${order.orderId}?until=final&waitMs=10000`, undefined, accessCode);
      expect(view.body, order.orderId).toMatchObject({ status, total, isFreeOfCharge: free });
    }
    await settle(server);
    const details = await api('GET', '/api/conferences/summit2013');
    const available = Object.fromEntries(details.body.seatTypes.map((s: { id: string; available: number }) => [s.id, s.available]));
    expect(available).toEqual({ [shape.ga]: 7, [shape.ws]: 3, [shape.late]: 4 });
    const priced = details.body.seatTypes.find((s: { id: string }) => s.id === shape.ga);
    expect(priced.price).toBe(19_999);
  });

  it('adds nothing the second time and leaves the V1 file unchanged', async () => {
    const hash = fileHash(file);
    await settle(server);
    const before = await storeCounts(server);
    const again = await importInto(server, file, { renameSlugs: new Map([['admin', 'admin_conf']]) });
    expect(again.written).toBe(0);
    expect(again.verification.differences).toEqual([]);
    expect(await storeCounts(server)).toEqual(before);
    expect(fileHash(file)).toBe(hash);
  });
});

async function accessCodeOf(server: TestServer, orderId: string): Promise<string> {
  const [placed] = (await server.store.readStream({ sourceType: 'Order', sourceId: orderId })).filter((m) => m.type === 'OrderPlaced');
  return (placed.data as { AccessCode: string }).AccessCode;
}

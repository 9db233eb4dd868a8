import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/stores.ts';
import { V1StoreBuilder } from '../support/v1-store-builder.ts';
import { client, ordersServer, settle } from '../web/orders-fixture.ts';
import type { TestServer } from '../web/server-fixture.ts';
import { importInto } from './v1-import-fixture.ts';

describe.each(STORE_KINDS)('re-running the V1 import on a later V1 file on %s', (kind) => {
  let server: TestServer;
  let dir: string;
  let v1: V1StoreBuilder;
  const ids = {} as { conference: string; later: string; ga: string; seat: string; orderId: string; accessCode: string; paymentId: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'contoso-v1-delta-'));
    v1 = new V1StoreBuilder(join(dir, 'v1.sqlite'));
    ids.conference = v1.conference({ slug: 'delta2013', published: true, wasEverPublished: true });
    ids.ga = v1.seatType(ids.conference, { name: 'General admission', quantity: 10, price: 100 });
    ids.later = v1.conference({ slug: 'later2013', published: false, wasEverPublished: false, accessCode: 'LATER2' });
    ids.seat = v1.seatType(ids.later, { name: 'Seat', quantity: 5, price: 20 }, { quota: false });
    ids.accessCode = 'DELTA3';
    const registrant = { firstName: 'Paul', lastName: 'Payer', email: 'paul@example.com' };
    ids.orderId = v1.order({ conferenceId: ids.conference, seats: { [ids.ga]: 2 }, prices: { [ids.ga]: 100 }, registrant, outcome: 'pending', expiration: new Date(Date.now() + 3_600_000), accessCode: ids.accessCode }).orderId;
    ids.paymentId = v1.payment(ids.orderId, 200, 0);
    server = await ordersServer(kind);
    await importInto(server, v1.file);
    await settle(server);
  });
  afterAll(async () => {
    v1?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('first shows the order reserved and the draft conference hidden', async () => {
    const api = client(server);
    expect((await api('GET', `/api/orders/${ids.orderId}`, undefined, ids.accessCode)).body).toMatchObject({ status: 'reserved', payment: { id: ids.paymentId, status: 'initiated' } });
    expect((await api('GET', '/api/conferences/later2013')).status).toBe(404);
  });

  it('then appends what changed in V1: a quota and price change, a first publication, a payment confirmed while V1 was paused', async () => {
    // V1 goes on: the owner raises the quota and the price, publishes the draft, the payment completes
    // and V1 processing is paused with its ConfirmOrderPayment still queued.
    v1.sql('UPDATE ConferenceManagement_SeatTypes SET Quantity = 12, Price = 120.5 WHERE Id = ?', ids.ga);
    v1.quotaChange(ids.conference, ids.ga, 2);
    v1.sql('UPDATE ConferenceManagement_Conferences SET IsPublished = 1, WasEverPublished = 1 WHERE Id = ?', ids.later);
    v1.sql('UPDATE ConferencePayments_ThirdPartyProcessorPayments SET StateValue = 2 WHERE Id = ?', ids.paymentId);
    v1.command({ $type: 'Registration.Commands.ConfirmOrderPayment, Registration', Id: 'q-1', OrderId: ids.orderId });

    const summary = await importInto(server, v1.file);
    expect(summary.verification.differences).toEqual([]);
    expect(summary.processes.rederived).toBe(1);
    await settle(server);
    const generated = (await server.store.queryLog({ sourceIds: [ids.ga, ids.later, ids.seat], limit: 100 })).messages.map((m) => m.metadata.messageId);
    expect(generated).toEqual(
      expect.arrayContaining([`Generated_${ids.ga}_SeatUpdated_1`, `Generated_${ids.seat}_SeatCreated_0`, `Generated_${ids.later}_ConferencePublished_1`]),
    );

    const api = client(server);
    const order = await api('GET', `/api/orders/${ids.orderId}?until=final&waitMs=10000`, undefined, ids.accessCode);
    expect(order.body).toMatchObject({ status: 'confirmed', total: 20_000, payment: { id: ids.paymentId, status: 'completed' } });
    await settle(server);
    const delta = await api('GET', '/api/conferences/delta2013');
    expect(delta.body.seatTypes).toEqual([expect.objectContaining({ id: ids.ga, price: 12_050, available: 10 })]);
    const later = await api('GET', '/api/conferences/later2013');
    expect(later.status).toBe(200);
    expect(later.body.seatTypes).toEqual([expect.objectContaining({ id: ids.seat, price: 2_000, available: 5 })]);

    const again = await importInto(server, v1.file);
    expect(again.written).toBe(0);
  });

  it('reports, and does not copy, a V1 event whose stream version V2 has used meanwhile', async () => {
    // V2 committed the reservation above (version 3 of the availability stream); V1 then writes its own version 3.
    const head = (await server.store.readStream({ sourceType: 'SeatsAvailability', sourceId: ids.conference })).at(-1)!;
    expect(head).toMatchObject({ type: 'SeatsReservationCommitted', metadata: { version: 3 } });
    expect(head.metadata.Imported).toBeUndefined();
    v1.quotaChange(ids.conference, ids.ga, 1);
    const summary = await importInto(server, v1.file);
    expect(summary.events.conflicts).toEqual([`SeatsAvailability_${ids.conference}_3`]);
    expect(summary.written).toBe(0);
  });
});

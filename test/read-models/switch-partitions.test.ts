import { describe, expect, it } from 'vitest';
import { readModelVersions } from '../../src/app/read-models.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { transportDb } from '../../src/platform/transport/schema.ts';
import { appendEvents } from '../support/conference-events.ts';
import { paymentStream } from '../support/registration-events.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { appStore, dump, paymentInitiated, unitNamed } from './support.ts';

describe.each(STORE_KINDS)('a switch while the projection runs on partitions, on %s', (kind) => {
  const fixture = appStore(kind);

  it('brings the new version up to the furthest partition, not only to the low-watermark', async () => {
    const { store } = fixture;
    const payments = unitNamed('payments');
    const [first, second] = [newId(), newId()];
    const [behind] = await appendEvents(store, [paymentStream(first, newId()).next('PaymentInitiated', paymentInitiated(first))]);
    const [ahead] = await appendEvents(store, [paymentStream(second, newId()).next('PaymentInitiated', paymentInitiated(second))]);
    const now = new Date().toISOString();
    // The low-watermark stops at the first payment; one partition has handled the second already.
    await store.db.insertInto('checkpoints').values({ name: 'payments', position: behind.metadata.position, updated_at: now }).execute();
    await transportDb(store.db)
      .insertInto('transport_leases')
      .values([
        { name: 'CONTOSO/payments/3', owner: 'w1', expires_at: Date.now() + 15_000, position: ahead.metadata.position, sequence: 2, updated_at: now },
        { name: 'CONTOSO/payments/9', owner: 'w2', expires_at: Date.now() + 15_000, position: behind.metadata.position, sequence: 1, updated_at: now },
        { name: 'CONTOSO/seat-sales/3', owner: 'w1', expires_at: Date.now() + 15_000, position: ahead.metadata.position + 1000, sequence: 9, updated_at: now },
      ])
      .execute();

    const versions = readModelVersions(store, createMessageRegistry());
    const version = await versions.createVersion(payments);
    await versions.switchNow(payments, version);

    const rows = (await dump(store, payments, version)).reg_payments.map((row) => JSON.parse(row).payment_id);
    expect(rows.sort()).toEqual([first, second].sort());
    const live = (await versions.versions(payments)).find((row) => row.status === 'live');
    expect(live).toMatchObject({ version, position: ahead.metadata.position });
  });
});

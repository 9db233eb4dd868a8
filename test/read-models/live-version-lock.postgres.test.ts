import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { readModelVersions } from '../../src/app/read-models.ts';
import { createMessageRegistry } from '../../src/app/registry.ts';
import type { LoggedMessage } from '../../src/platform/messages/envelope.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { HandlerContext } from '../../src/platform/processing/handler.ts';
import { appendEvents } from '../support/conference-events.ts';
import { paymentStream } from '../support/registration-events.ts';
import { appStore, dump, paymentInitiated, unitNamed } from './support.ts';

const registry = createMessageRegistry();

/**
 * On PostgreSQL a projection's transaction holds its unit shared and reads the live version in one
 * call; a switch holds the unit exclusively while it flips the statuses. A projection transaction
 * that began while the switch held the unit must write the version the switch made live.
 */
describe('the live version a projection writes while a switch runs, on PostgreSQL', () => {
  const fixture = appStore('postgres');

  it('a switch waits for the projection transactions under way; those that came after it write the new version', async () => {
    const { store } = fixture;
    const payments = unitNamed('payments');
    const versions = readModelVersions(store, registry);
    const [projection] = versions.liveHandlers(payments);
    const version = await versions.createVersion(payments);
    const [early, late] = [newId(), newId()];
    const [earlyEvent, lateEvent] = await appendEvents(store, [
      paymentStream(early, newId()).next('PaymentInitiated', paymentInitiated(early)),
      paymentStream(late, newId()).next('PaymentInitiated', paymentInitiated(late)),
    ]);

    /** Waits until `count` transactions wait for an advisory lock (the switch, then the second projection). */
    const waitingForLocks = async (count: number) => {
      for (let tries = 0; tries < 200; tries++) {
        const { rows } = await sql<{ waiting: string }>`SELECT count(*) AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`.execute(store.db);
        if (Number(rows[0].waiting) >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`${count} transactions never waited for the unit's lock`);
    };

    /** Runs the projection on `event` in a transaction kept open until `release` is called. */
    const projectHeldOpen = (event: LoggedMessage) => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let handled!: () => void;
      const handledSignal = new Promise<void>((resolve) => (handled = resolve));
      const done = store.transaction(async (tx) => {
        const message = registry.decode(event);
        await projection.handle(message, new HandlerContext(store, registry, tx, message));
        handled();
        await released;
      });
      return { release, handled: handledSignal, done };
    };

    const first = projectHeldOpen(earlyEvent);
    await first.handled;
    let switched = false;
    const switching = versions.switchNow(payments, version).then(() => (switched = true));
    await waitingForLocks(1);
    expect(switched).toBe(false);
    // Queued behind the switch's exclusive request: it reads the live version only once the switch is done.
    const second = projectHeldOpen(lateEvent);
    second.release();
    await waitingForLocks(2);
    first.release();
    await Promise.all([first.done, switching, second.done]);

    const live = (await versions.versions(payments)).find((row) => row.status === 'live');
    expect(live?.version).toBe(version);
    const ids = (rows: string[]) => rows.map((row) => JSON.parse(row).payment_id).sort();
    // The first transaction wrote the old version (live when it began); the second, the new one.
    expect(ids((await dump(store, payments, version)).reg_payments)).toEqual([late]);
    expect(ids((await dump(store, payments, 1)).reg_payments)).toEqual([early]);
  });
});

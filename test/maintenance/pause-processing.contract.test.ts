import Type from 'typebox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { recordEmail } from '../../src/contexts/notifications/outbox.ts';
import { notificationsDb } from '../../src/contexts/notifications/schema.ts';
import { EmailSender } from '../../src/contexts/notifications/sender.ts';
import { pauseWithProcessingSwitch } from '../../src/platform/maintenance/pause-processing.ts';
import { MaintenanceSwitches } from '../../src/platform/maintenance/switches.ts';
import { newCommand, newEvent, originFromRequest } from '../../src/platform/messages/factory.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import { Store } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { createEffectsTable, effectsOf, recordingHandler } from '../support/recording-handler.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';
import { toyRegistry } from '../support/toy-domain.ts';

/** The toy domain's `Ping` events, and `Wake`: the command a timer sends. */
const registry = toyRegistry();
registry.define({ type: 'Wake', kind: 'command', schema: Type.Object({ n: Type.Integer() }) });

/**
 * Processing in maintenance (DOMAIN 7.4): handlers, durable timers and the e-mail sender follow the
 * processing switch — they take nothing while it is on, and everything that piled up is done after.
 */
describe.each(STORE_KINDS)('processing paused by the switch on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;
  let switches: MaintenanceSwitches;
  let processing: Processing;
  let sender: EmailSender;
  let stopFollowing: () => void;

  beforeEach(async () => {
    location = await freshLocation(kind);
    store = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS });
    await createEffectsTable(store);
    switches = await MaintenanceSwitches.open(store);
    const handlers = [recordingHandler('recorder', ['Ping']), recordingHandler('timer-commands', ['Wake'])];
    processing = new Processing(store, registry, handlers, { idleCheckMs: 200 });
    sender = new EmailSender(store, { smtpUrl: undefined, mailFrom: 'noreply@example.com', idleCheckMs: 200 });
  });
  afterEach(async () => {
    stopFollowing();
    await Promise.all([processing.stop(), sender.stop()]);
    switches.close();
    await store.close();
    await location.drop();
  });

  /** Starts the workers the way `conference serve` does: following the switch from before they start. */
  function startWorkers(): void {
    stopFollowing = pauseWithProcessingSwitch(switches, [processing, sender]);
    processing.start();
    sender.start();
  }

  /** A ping to handle, a timer due now and an e-mail to send. */
  async function queueWork(n: number): Promise<void> {
    await store.transaction(async (tx) => {
      await store.append(tx, [newEvent('Ping', { n }, { sourceType: 'Pinger', sourceId: 'p', version: n, origin: originFromRequest('p') })]);
      await processing.timers.schedule(tx, newCommand('Wake', { n }, { target: `t${n}`, origin: originFromRequest(`t${n}`) }), new Date(Date.now() - 1000));
      await recordEmail(tx, { triggerId: `e${n}`, to: 'ada@example.com', subject: `Mail ${n}`, body: 'Hello' });
    });
  }

  const handled = async (handler: string) => (await effectsOf(store, handler)).map((effect) => JSON.parse(effect.data).n);
  const emailStatuses = async () =>
    (await notificationsDb(store.db).selectFrom('emails').select(['subject', 'status']).orderBy('subject').execute()).map((row) => `${row.subject}: ${row.status}`);

  it('takes nothing while paused, and does everything that piled up once resumed', async () => {
    startWorkers();
    await queueWork(0);
    await eventually(
      async () => (await handled('recorder')).length === 1 && (await handled('timer-commands')).length === 1 && (await emailStatuses())[0] === 'Mail 0: sent',
    );
    expect(await handled('recorder')).toEqual([0]);

    await switches.change({ processing: true });
    await eventually(() => processing.state === 'paused');
    await queueWork(1);
    await queueWork(2);
    // Stopped, not merely idle: the loops have ended, so nothing can take the new work.
    expect(processing.subscriptions.every((subscription) => !subscription.running)).toBe(true);
    await sender.pause();
    expect(await handled('recorder')).toEqual([0]);
    expect((await processing.timers.list()).map((timer) => timer.type)).toEqual(['Wake', 'Wake']);
    expect(await emailStatuses()).toEqual(['Mail 0: sent', 'Mail 1: queued', 'Mail 2: queued']);

    await switches.change({ processing: false });
    await eventually(async () => (await handled('recorder')).length === 3);
    await eventually(async () => (await handled('timer-commands')).length === 3);
    await eventually(async () => (await emailStatuses()).every((status) => status.endsWith('sent')));
    expect(await handled('recorder')).toEqual([0, 1, 2]);
    expect((await handled('timer-commands')).sort()).toEqual([0, 1, 2]);
    expect(await processing.timers.list()).toEqual([]);
    expect(processing.state).toBe('running');
  });

  it('a worker started while the switch is on starts paused', async () => {
    await switches.change({ processing: true });
    await queueWork(0);
    startWorkers();
    expect(processing.state).toBe('paused');
    expect(processing.subscriptions.every((subscription) => !subscription.running)).toBe(true);
    expect(await emailStatuses()).toEqual(['Mail 0: queued']);
    await switches.change({ processing: false });
    await eventually(async () => (await handled('recorder')).length === 1 && (await emailStatuses())[0] === 'Mail 0: sent');
  });
});

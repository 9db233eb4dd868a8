import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MIGRATIONS } from '../../src/app/migrations.ts';
import { ALL_RUNNING, MaintenanceSwitches, type SwitchState } from '../../src/platform/maintenance/switches.ts';
import { Store } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { operatorActions as operatorActionsIn } from '../support/operator-actions.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

/** The maintenance switches (DOMAIN 7.4): stored, logged as operator actions, shared by every process. */
describe.each(STORE_KINDS)('maintenance switches on %s', (kind) => {
  let location: StoreLocation;
  /** Two processes on one store: each its own connection(s), listener and switches. */
  let first: Store;
  let second: Store;
  let switches: MaintenanceSwitches;
  let elsewhere: MaintenanceSwitches;

  beforeAll(async () => {
    location = await freshLocation(kind);
    first = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS });
    second = await Store.open(location.dialect(), { migrations: APP_MIGRATIONS });
    // SQLite cannot notify other processes: the safety re-check finds the change. PostgreSQL notifies.
    const options = { recheckMs: kind === 'sqlite' ? 50 : 60_000 };
    switches = await MaintenanceSwitches.open(first, options);
    elsewhere = await MaintenanceSwitches.open(second, options);
  });
  afterAll(async () => {
    switches.close();
    elsewhere.close();
    await first.close();
    await second.close();
    await location.drop();
  });

  const operatorActions = () => operatorActionsIn(first);

  it('starts with everything running', () => {
    expect(switches.state).toEqual(ALL_RUNNING);
  });

  it('changes the given switches only, logs each change as an operator action, and tells the other process', async () => {
    const heard: SwitchState[] = [];
    const stop = elsewhere.onChange((state) => heard.push(state));
    const state = await switches.change({ public: true, processing: true });
    expect(state).toEqual({ public: true, management: false, processing: true });
    expect(switches.state).toEqual(state);
    expect(await operatorActions()).toEqual([
      { action: 'start-maintenance', target: 'public', reason: null },
      { action: 'start-maintenance', target: 'processing', reason: null },
    ]);
    await eventually(() => elsewhere.state.public && elsewhere.state.processing);
    expect(elsewhere.state).toEqual(state);
    expect(heard).toEqual([state]);
    stop();
  });

  it('logs nothing when a switch is set to what it is', async () => {
    const before = (await operatorActions()).length;
    expect(await switches.change({ public: true, management: false })).toEqual({ public: true, management: false, processing: true });
    expect(await operatorActions()).toHaveLength(before);
  });

  it('switches back, from the other process too', async () => {
    expect(await elsewhere.change({ public: false, processing: false })).toEqual(ALL_RUNNING);
    const actions = await operatorActions();
    expect(actions.slice(-2)).toEqual([
      { action: 'end-maintenance', target: 'public', reason: null },
      { action: 'end-maintenance', target: 'processing', reason: null },
    ]);
    await eventually(() => !switches.state.public && !switches.state.processing);
  });
});

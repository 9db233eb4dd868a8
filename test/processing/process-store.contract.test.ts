import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoggedMessage } from '../../src/platform/messages/envelope.ts';
import { originFromRequest, originOf } from '../../src/platform/messages/factory.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import { type ProcessOutput, ProcessStore } from '../../src/platform/processing/process-store.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import { Timers } from '../../src/platform/processing/timers.ts';
import { ConcurrencyError } from '../../src/platform/store/errors.ts';
import { fromRow } from '../../src/platform/store/rows.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';
import { counterCommands, toyRegistry } from '../support/toy-domain.ts';

interface OrderProcess {
  step: string;
  seats: number[];
}

const inAnHour = () => new Date(Date.now() + 3_600_000);

describe.each(STORE_KINDS)('process-manager store on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;
  let timers: Timers;
  let processes: ProcessStore<OrderProcess>;
  let trigger: LoggedMessage;
  const running: Processing[] = [];

  beforeEach(async () => {
    location = await freshLocation(kind);
    store = await location.open();
    timers = new Timers(store);
    processes = new ProcessStore<OrderProcess>(store, timers, 'OrderProcess');
    // The message a process-manager step handles.
    [trigger] = await store.transaction((tx) =>
      store.appendToStream(tx, { sourceType: 'Order', sourceId: 'o-1' }, -1, [{ type: 'Ping', data: { n: 1 } }], originFromRequest('order-flow-1')),
    );
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
    await store.close();
    await location.drop();
  });

  /** Every committed command in the log (read directly: the PostgreSQL read horizon is cluster-wide). */
  async function loggedCommands(): Promise<LoggedMessage[]> {
    const rows = await store.db.selectFrom('messages').selectAll().where('kind', '=', 'command').orderBy('position').execute();
    return rows.map(fromRow);
  }
  const timerIds = async () => (await timers.list()).map((t) => t.id).sort();

  /** One process-manager step: load, then save at the loaded version with its output. */
  function save(id: string, expectedVersion: number, state: OrderProcess, output?: ProcessOutput) {
    return store.transaction((tx) => processes.save(tx, id, expectedVersion, state, originOf(trigger), output));
  }

  /** Everything the store holds for the process and its effects. */
  async function snapshot(id: string) {
    return { process: await processes.load(id), commands: await loggedCommands(), timers: await timers.list() };
  }

  describe('state and optimistic concurrency', () => {
    it('load answers nothing for a process never saved, then the latest state and its version', async () => {
      expect(await processes.load('p1')).toBeUndefined();
      await save('p1', -1, { step: 'placed', seats: [] });
      expect(await processes.load('p1')).toEqual({ state: { step: 'placed', seats: [] }, version: 0 });
      await save('p1', 0, { step: 'reserved', seats: [1, 2] });
      await save('p1', 1, { step: 'paid', seats: [1, 2] });
      expect(await processes.load('p1')).toEqual({ state: { step: 'paid', seats: [1, 2] }, version: 2 });
      // Inside a transaction, a step sees what it wrote.
      await store.transaction(async (tx) => {
        await processes.save(tx, 'p1', 2, { step: 'done', seats: [] }, originOf(trigger));
        expect(await processes.load('p1', tx.db)).toEqual({ state: { step: 'done', seats: [] }, version: 3 });
      });
    });

    it('keeps processes apart by type and id', async () => {
      const other = new ProcessStore<OrderProcess>(store, timers, 'PaymentProcess');
      await save('p1', -1, { step: 'order p1', seats: [] });
      await save('p2', -1, { step: 'order p2', seats: [] });
      await store.transaction((tx) => other.save(tx, 'p1', -1, { step: 'payment p1', seats: [] }, originOf(trigger)));
      expect((await processes.load('p1'))?.state.step).toBe('order p1');
      expect((await processes.load('p2'))?.state.step).toBe('order p2');
      expect(await other.load('p1')).toEqual({ state: { step: 'payment p1', seats: [] }, version: 0 });
      expect(await other.load('p2')).toBeUndefined();
    });

    it('two steps saving from the same loaded version: the second fails with ConcurrencyError and writes nothing', async () => {
      await save('p1', -1, { step: 'placed', seats: [] });
      const loaded = (await processes.load('p1'))!;
      await save('p1', loaded.version, { step: 'first', seats: [1] }, { commands: [{ type: 'First', data: {}, target: 'o-1' }] });
      const before = await snapshot('p1');
      const late = save('p1', loaded.version, { step: 'second', seats: [2] }, {
        commands: [{ type: 'Second', data: {}, target: 'o-1' }],
        schedule: [{ command: { type: 'Expire', data: {}, target: 'o-1' }, dueAt: inAnHour() }],
      });
      await expect(late).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await snapshot('p1')).toEqual(before);
      expect(before.process).toEqual({ state: { step: 'first', seats: [1] }, version: 1 });
      // A stale version below or above the stored one is a conflict too.
      for (const stale of [0, 2, 7]) await expect(save('p1', stale, { step: 'stale', seats: [] })).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await snapshot('p1')).toEqual(before);
    });

    it('two steps starting the same new process: the second fails with ConcurrencyError and writes nothing', async () => {
      await save('p1', -1, { step: 'first', seats: [] }, { commands: [{ type: 'First', data: {}, target: 'o-1' }] });
      const before = await snapshot('p1');
      await expect(
        save('p1', -1, { step: 'second', seats: [] }, {
          commands: [{ type: 'Second', data: {}, target: 'o-1' }],
          schedule: [{ command: { type: 'Expire', data: {}, target: 'o-1' }, dueAt: inAnHour() }],
        }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await snapshot('p1')).toEqual(before);
    });

    it('concurrent steps from one version: exactly one wins, and only its commands and timers are stored', async () => {
      for (const [id, from] of [['new', -1], ['existing', 0]] as const) {
        if (from === 0) await save(id, -1, { step: 'start', seats: [] });
        const steps = Array.from({ length: 6 }, (_, n) => n);
        const outcomes = await Promise.allSettled(
          steps.map((n) =>
            save(id, from, { step: `step ${n}`, seats: [n] }, {
              commands: [{ type: 'Reserve', data: { n }, target: `${id}-${n}` }],
              schedule: [{ command: { type: 'Expire', data: { n }, target: `${id}-${n}` }, dueAt: inAnHour() }],
            }),
          ),
        );
        const winners = steps.filter((n) => outcomes[n].status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ConcurrencyError);
        }
        const [winner] = winners;
        expect(await processes.load(id)).toEqual({ state: { step: `step ${winner}`, seats: [winner] }, version: from + 1 });
        const commands = (await loggedCommands()).filter((c) => c.metadata.target!.startsWith(`${id}-`));
        expect(commands.map((c) => c.data)).toEqual([{ n: winner }]);
        const pending = (await timers.list()).filter((t) => t.targetId.startsWith(`${id}-`));
        expect(pending.map((t) => t.targetId)).toEqual([`${id}-${winner}`]);
      }
    });
  });

  describe('outgoing commands', () => {
    it('logs the commands as queued commands with their target, the flow of the triggering message, and answers them', async () => {
      const fixed = newId();
      const sent = await save('p1', -1, { step: 'placed', seats: [] }, {
        commands: [
          { type: 'MakeSeatReservation', data: { seats: 2 }, target: 'conference-1', id: fixed },
          { type: 'RegisterPayment', data: { amount: 10 }, target: 'payment-1' },
        ],
      });
      const logged = await loggedCommands();
      expect(logged.map((c) => c.metadata.messageId)).toEqual(sent.map((c) => c.metadata.messageId));
      expect(logged[0].metadata.messageId).toBe(fixed);
      expect(logged.map((c) => [c.type, c.data, c.metadata.target])).toEqual([
        ['MakeSeatReservation', { seats: 2 }, 'conference-1'],
        ['RegisterPayment', { amount: 10 }, 'payment-1'],
      ]);
      for (const command of logged) {
        expect(command.metadata).toMatchObject({
          kind: 'command',
          correlationId: 'order-flow-1',
          causationId: trigger.metadata.messageId,
          version: null,
        });
      }
    });

    it('a step saved again with the same command ids logs each command once (at-least-once steps)', async () => {
      const id = newId();
      const output = { commands: [{ type: 'Reserve', data: {}, target: 'c-1', id }] };
      await save('p1', -1, { step: 'a', seats: [] }, output);
      await save('p1', 0, { step: 'b', seats: [] }, output);
      expect((await loggedCommands()).map((c) => c.metadata.messageId)).toEqual([id]);
    });
  });

  describe('timers', () => {
    it('schedules timers with the state; their commands carry target and flow and fire when due', async () => {
      const expiry = newId();
      const due = new Date(Date.now() + 60_000);
      await save('p1', -1, { step: 'placed', seats: [] }, {
        schedule: [{ command: { type: 'ExpireReservation', data: { orderId: 'o-1' }, target: 'o-1', id: expiry }, dueAt: due }],
      });
      expect(await timers.list()).toEqual([{ id: expiry, type: 'ExpireReservation', targetId: 'o-1', dueAt: due.toISOString() }]);
      expect(await loggedCommands()).toEqual([]);
      // Not before it is due.
      expect(await timers.fireDue(new Date(due.getTime() - 1))).toBe(0);
      expect(await timers.fireDue(due)).toBe(1);
      const [fired] = await loggedCommands();
      expect(fired).toMatchObject({
        type: 'ExpireReservation',
        data: { orderId: 'o-1' },
        metadata: { messageId: expiry, kind: 'command', target: 'o-1', correlationId: 'order-flow-1', causationId: trigger.metadata.messageId },
      });
      expect(await timers.list()).toEqual([]);
    });

    it('cancels timers with the state', async () => {
      const [t1, t2, t3] = [newId(), newId(), newId()];
      const timer = (id: string) => ({ command: { type: 'Expire', data: {}, target: 'o-1', id }, dueAt: inAnHour() });
      await save('p1', -1, { step: 'placed', seats: [] }, { schedule: [timer(t1), timer(t2)] });
      expect(await timerIds()).toEqual([t1, t2].sort());
      await save('p1', 0, { step: 'paid', seats: [] }, { cancel: [t1, 'no-such-timer'], schedule: [timer(t3)] });
      expect(await timerIds()).toEqual([t2, t3].sort());
      expect(await processes.load('p1')).toMatchObject({ version: 1, state: { step: 'paid' } });
    });

    it('a conflicting step neither cancels nor schedules timers', async () => {
      const [t1, t2] = [newId(), newId()];
      await save('p1', -1, { step: 'placed', seats: [] }, { schedule: [{ command: { type: 'Expire', data: {}, target: 'o-1', id: t1 }, dueAt: inAnHour() }] });
      await save('p1', 0, { step: 'moved on', seats: [] });
      await expect(
        save('p1', 0, { step: 'stale', seats: [] }, { cancel: [t1], schedule: [{ command: { type: 'Expire', data: {}, target: 'o-1', id: t2 }, dueAt: inAnHour() }] }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await timerIds()).toEqual([t1]);
    });

    it('a due timer scheduled by a step is sent by the timer runner and its command is handled', async () => {
      const registry = toyRegistry();
      const processing = new Processing(store, registry, [counterCommands(store, registry)], { idleCheckMs: 200 });
      running.push(processing);
      const pm = new ProcessStore<OrderProcess>(store, processing.timers, 'OrderProcess');
      processing.start();
      await store.transaction((tx) =>
        pm.save(tx, 'p1', -1, { step: 'placed', seats: [] }, originOf(trigger), {
          schedule: [{ command: { type: 'Increment', data: { counterId: 'c1', by: 2 }, target: 'c1' }, dueAt: new Date(Date.now() + 50) }],
        }),
      );
      const [event] = await eventually(async () => {
        const events = await store.readStream({ sourceType: 'Counter', sourceId: 'c1' });
        return events.length > 0 ? events : undefined;
      });
      const [command] = await loggedCommands();
      expect(event).toMatchObject({ data: { by: 2, total: 2 }, metadata: { correlationId: 'order-flow-1', causationId: command.metadata.messageId } });
      expect(await timers.list()).toEqual([]);
    });
  });

  describe('atomicity', () => {
    it('a step that fails after saving part of its work leaves neither state nor commands nor timers', async () => {
      const t1 = newId();
      await save('p1', -1, { step: 'placed', seats: [] }, { schedule: [{ command: { type: 'Expire', data: {}, target: 'o-1', id: t1 }, dueAt: inAnHour() }] });
      const before = await snapshot('p1');
      // The state is updated and the command logged before the second timer, which has no target, fails.
      await expect(
        save('p1', 0, { step: 'half done', seats: [9] }, {
          commands: [{ type: 'Reserve', data: {}, target: 'c-1' }],
          cancel: [],
          schedule: [
            { command: { type: 'Expire', data: {}, target: 'o-2' }, dueAt: inAnHour() },
            { command: { type: 'Expire', data: {}, target: '' }, dueAt: inAnHour() },
          ],
        }),
      ).rejects.toThrow(/no target/);
      expect(await snapshot('p1')).toEqual(before);
    });

    it('a transaction that fails after the save leaves neither state nor commands nor timers, nor undone cancellations', async () => {
      const t1 = newId();
      await save('p1', -1, { step: 'placed', seats: [] }, { schedule: [{ command: { type: 'Expire', data: {}, target: 'o-1', id: t1 }, dueAt: inAnHour() }] });
      const before = await snapshot('p1');
      await expect(
        store.transaction(async (tx) => {
          const sent = await processes.save(tx, 'p1', 0, { step: 'paid', seats: [] }, originOf(trigger), {
            commands: [{ type: 'Confirm', data: {}, target: 'o-1' }],
            schedule: [{ command: { type: 'Remind', data: {}, target: 'o-1' }, dueAt: inAnHour() }],
            cancel: [t1],
          });
          expect(sent).toHaveLength(1);
          // Another process saved in the same transaction conflicts: the whole step is undone.
          await processes.save(tx, 'p2', 5, { step: 'ghost', seats: [] }, originOf(trigger));
        }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await snapshot('p1')).toEqual(before);
      expect(await processes.load('p2')).toBeUndefined();
      expect(await timerIds()).toEqual([t1]);
      // The step then succeeds when retried.
      await save('p1', 0, { step: 'paid', seats: [] }, { commands: [{ type: 'Confirm', data: {}, target: 'o-1' }], cancel: [t1] });
      expect(await snapshot('p1')).toMatchObject({ process: { version: 1 }, commands: [{ type: 'Confirm' }], timers: [] });
    });
  });
});

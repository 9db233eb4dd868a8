import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoggedMessage, Message } from '../../src/platform/messages/envelope.ts';
import { newEvent, originFromRequest } from '../../src/platform/messages/factory.ts';
import { newId } from '../../src/platform/messages/ids.ts';
import {
  DomainError,
  decideAndAppend,
  executeCommand,
  loadAggregate,
  queuedCommandHandler,
  retryOnConflict,
} from '../../src/platform/processing/commands.ts';
import type { MessageHandler } from '../../src/platform/processing/handler.ts';
import type { Logger } from '../../src/platform/processing/logger.ts';
import { ProcessStore } from '../../src/platform/processing/process-store.ts';
import { Processing } from '../../src/platform/processing/processing.ts';
import { ConcurrencyError } from '../../src/platform/store/errors.ts';
import { fromRow } from '../../src/platform/store/rows.ts';
import type { Store } from '../../src/platform/store/store.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';
import { LIMIT, counter, counterCommands, incrementCommand, toyRegistry } from '../support/toy-domain.ts';

const registry = toyRegistry();
type Increment = ReturnType<typeof incrementCommand>;

describe('retryOnConflict', () => {
  const conflict = () => new ConcurrencyError('Counter-c', 0, 1);

  it('retries concurrency conflicts at once and answers the first success', async () => {
    let calls = 0;
    const result = await retryOnConflict(async () => {
      calls++;
      if (calls < 3) throw conflict();
      return 'done';
    }, 3);
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up with the ConcurrencyError after maxConflicts tries in all', async () => {
    for (const maxConflicts of [1, 4]) {
      let calls = 0;
      const error = await retryOnConflict(async () => {
        calls++;
        throw conflict();
      }, maxConflicts).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(calls).toBe(maxConflicts);
    }
  });

  it('tries 50 times by default', async () => {
    let calls = 0;
    await expect(
      retryOnConflict(async () => {
        calls++;
        throw conflict();
      }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(calls).toBe(50);
  });

  it('never retries other errors, refusals included', async () => {
    for (const thrown of [new Error('boom'), new DomainError('no')]) {
      let calls = 0;
      await expect(
        retryOnConflict(async () => {
          calls++;
          throw thrown;
        }),
      ).rejects.toBe(thrown);
      expect(calls).toBe(1);
    }
  });
});

describe.each(STORE_KINDS)('command handling on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;
  const running: Processing[] = [];

  beforeEach(async () => {
    location = await freshLocation(kind);
    store = await location.open();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
    await store.close();
    await location.drop();
  });

  /** Every committed log entry, in position order (read directly: the PostgreSQL read horizon is cluster-wide). */
  async function logEntries(): Promise<LoggedMessage[]> {
    const rows = await store.db.selectFrom('messages').selectAll().orderBy('position').execute();
    return rows.map(fromRow);
  }
  const commandsLogged = async () => (await logEntries()).filter((m) => m.metadata.kind === 'command');
  const streamOf = (counterId: string) => store.readStream({ sourceType: 'Counter', sourceId: counterId });
  const totals = async (counterId: string) => (await streamOf(counterId)).map((e) => (e.data as { total: number }).total);

  /** The HTTP path: the command and its events in one transaction, retried on conflicts. */
  function execute(command: Increment, options: { aggregate?: typeof counter; via?: Store; maxConflicts?: number } = {}) {
    return executeCommand(
      store,
      command,
      (tx) => decideAndAppend(options.via ?? store, registry, tx, options.aggregate ?? counter, command.data.counterId, command),
      options.maxConflicts,
    );
  }

  /** The counter, recording the state each decision was taken on. */
  function observedCounter(seen: number[]): typeof counter {
    return {
      ...counter,
      decider: {
        ...counter.decider,
        decide(command, state) {
          seen.push(state.total);
          return counter.decider.decide(command, state);
        },
      },
    };
  }

  /** The store as a decision saw it: `readStream` answers through `first` the first time it is called. */
  function storeWithFirstLoad(first: (read: () => Promise<LoggedMessage[]>) => Promise<LoggedMessage[]>): Store {
    let loads = 0;
    return new Proxy(store, {
      get(target, property) {
        if (property === 'readStream') {
          return (...args: Parameters<Store['readStream']>) => {
            const read = () => target.readStream(...args);
            return loads++ === 0 ? first(read) : read();
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  describe('the aggregate cache', () => {
    /** The store, recording the `afterVersion` of every stream read. */
    function storeRecordingReads(reads: number[]): Store {
      return new Proxy(store, {
        get(target, property) {
          if (property === 'readStream') {
            return (...args: Parameters<Store['readStream']>) => {
              reads.push(args[1]?.afterVersion ?? -1);
              return target.readStream(...args);
            };
          }
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    }

    it('a decision reads only the events after the state cached by the previous ones', async () => {
      const reads: number[] = [];
      const via = storeRecordingReads(reads);
      for (const by of [1, 2, 3]) await execute(incrementCommand('c1', by), { via });
      expect(reads).toEqual([-1, 0, 1]);
      expect(await totals('c1')).toEqual([1, 3, 6]);
    });

    it('never keeps the state of a transaction that rolled back, nor of a savepoint that did', async () => {
      await execute(incrementCommand('c1', 10));
      const command = incrementCommand('c1', 5);
      await expect(
        executeCommand(store, command, async (tx) => {
          await decideAndAppend(store, registry, tx, counter, 'c1', command);
          throw new Error('failed after appending');
        }),
      ).rejects.toThrow('failed after appending');
      const inSavepoint = incrementCommand('c1', 7);
      await executeCommand(store, inSavepoint, async (tx) => {
        await tx.savepoint(() => decideAndAppend(store, registry, tx, counter, 'c1', inSavepoint)).catch(() => {});
        await tx.savepoint(async () => {
          await decideAndAppend(store, registry, tx, counter, 'c1', inSavepoint);
          throw new Error('undone');
        }).catch(() => {});
      });
      // The first savepoint committed 17; the second, undone, must not have left 24 in the cache.
      await execute(incrementCommand('c1', 1));
      expect(await totals('c1')).toEqual([10, 17, 18]);
      expect((await loadAggregate(store, registry, counter, 'c1')).state.total).toBe(18);
    });

    it('catches up with events another process appended after the cached version', async () => {
      await execute(incrementCommand('c1', 1));
      const other = await location.open();
      try {
        const command = incrementCommand('c1', 2);
        await executeCommand(other, command, (tx) => decideAndAppend(other, registry, tx, counter, 'c1', command));
      } finally {
        await other.close();
      }
      await execute(incrementCommand('c1', 4));
      expect(await totals('c1')).toEqual([1, 3, 7]);
    });
  });

  describe('the HTTP path (executeCommand)', () => {
    it('logs an accepted command and its events together; the events carry its correlation and it as their cause', async () => {
      const first = incrementCommand('c1', 5, originFromRequest('order-1'));
      const executed = await execute(first);
      const second = incrementCommand('c1', 7, originFromRequest('order-2'));
      const again = await execute(second);

      const log = await logEntries();
      expect(log.map((m) => [m.metadata.kind, m.metadata.messageId])).toEqual([
        ['command', first.metadata.messageId],
        ['event', 'Counter_c1_0'],
        ['command', second.metadata.messageId],
        ['event', 'Counter_c1_1'],
      ]);
      const [command, event, , secondEvent] = log;
      // Logged as an executed command: no target, so no queued-command handler runs it again.
      expect(command).toMatchObject({ type: 'Increment', data: { counterId: 'c1', by: 5 }, metadata: { target: null, correlationId: 'order-1', causationId: null } });
      expect(event).toMatchObject({
        type: 'Incremented',
        data: { by: 5, total: 5 },
        metadata: { sourceType: 'Counter', sourceId: 'c1', version: 0, correlationId: 'order-1', causationId: first.metadata.messageId },
      });
      expect(secondEvent).toMatchObject({ data: { by: 7, total: 12 }, metadata: { version: 1, correlationId: 'order-2', causationId: second.metadata.messageId } });

      // The answer: the events written, and the highest position the transaction wrote.
      expect(executed.result.map((e) => e.metadata.messageId)).toEqual(['Counter_c1_0']);
      expect(executed.position).toBe(event.metadata.position);
      expect(again.position).toBe(secondEvent.metadata.position);
    });

    it('starts a flow at a command without a correlation id: its events correlate to the command', async () => {
      const command = incrementCommand('c1', 1, { correlationId: null, causationId: null });
      await execute(command);
      const [event] = await streamOf('c1');
      expect(event.metadata).toMatchObject({ correlationId: command.metadata.messageId, causationId: command.metadata.messageId });
    });

    it('stores nothing at all for a command the decider refuses', async () => {
      await execute(incrementCommand('c1', LIMIT - 1));
      const before = await logEntries();
      const refused = incrementCommand('c1', 2);
      await expect(execute(refused)).rejects.toBeInstanceOf(DomainError);
      expect(await logEntries()).toEqual(before);
      expect((await logEntries()).some((m) => m.metadata.messageId === refused.metadata.messageId)).toBe(false);
      // The refusal left the stream usable.
      await execute(incrementCommand('c1', 1));
      expect(await totals('c1')).toEqual([LIMIT - 1, LIMIT]);
    });

    it('stores nothing when the work fails after the events were appended, and does not retry it', async () => {
      const command = incrementCommand('c1', 3);
      let calls = 0;
      const failure = executeCommand(store, command, async (tx) => {
        calls++;
        await decideAndAppend(store, registry, tx, counter, 'c1', command);
        throw new Error('projection update failed');
      });
      await expect(failure).rejects.toThrow('projection update failed');
      expect(calls).toBe(1);
      expect(await logEntries()).toEqual([]);
    });

    it('a writer that commits between load and append: the command is decided again on the fresh state', async () => {
      await execute(incrementCommand('c1', 990));
      const snapshot = await streamOf('c1');
      const competitor = incrementCommand('c1', 4);
      await execute(competitor);
      // The first load answers the stream as it was before the competitor committed.
      const via = storeWithFirstLoad(async () => snapshot);
      const seen: number[] = [];
      const command = incrementCommand('c1', 5);
      await execute(command, { via, aggregate: observedCounter(seen) });

      expect(seen).toEqual([990, 994]);
      expect(await totals('c1')).toEqual([990, 994, 999]);
      const events = await streamOf('c1');
      expect(events.map((e) => e.metadata.version)).toEqual([0, 1, 2]);
      expect(events.map((e) => e.metadata.causationId)).toEqual([expect.any(String), competitor.metadata.messageId, command.metadata.messageId]);
      // The conflicting attempt rolled back: the command is logged once.
      expect((await commandsLogged()).filter((m) => m.metadata.messageId === command.metadata.messageId)).toHaveLength(1);
    });

    it('a retry after a conflict may refuse: then nothing of the command is stored', async () => {
      await execute(incrementCommand('c1', 990));
      const snapshot = await streamOf('c1');
      await execute(incrementCommand('c1', 9));
      const before = await logEntries();
      const seen: number[] = [];
      const command = incrementCommand('c1', 5);
      await expect(execute(command, { via: storeWithFirstLoad(async () => snapshot), aggregate: observedCounter(seen) })).rejects.toBeInstanceOf(DomainError);
      // Accepted on the stale state (995), refused on the fresh one (1004 > 1000).
      expect(seen).toEqual([990, 999]);
      expect(await logEntries()).toEqual(before);
    });

    // On SQLite write transactions run one at a time, so no writer can commit inside another one.
    if (kind === 'postgres') it('a concurrent transaction that commits between load and append is retried (real interleaving)', async () => {
      await execute(incrementCommand('c1', 10));
      const competitor = incrementCommand('c1', 20);
      // While the command's transaction is open, after its load, another transaction commits an event.
      const via = storeWithFirstLoad(async (read) => {
        const loaded = await read();
        await execute(competitor);
        return loaded;
      });
      const seen: number[] = [];
      const command = incrementCommand('c1', 30);
      await execute(command, { via, aggregate: observedCounter(seen) });
      expect(seen).toEqual([10, 30]);
      expect(await totals('c1')).toEqual([10, 30, 60]);
      expect((await streamOf('c1')).at(-1)!.metadata.causationId).toBe(command.metadata.messageId);
      expect((await commandsLogged()).map((m) => m.metadata.messageId)).toContain(command.metadata.messageId);
    });

    it('many concurrent commands on one stream: contiguous versions, each accepted command once, refusals leave nothing', async () => {
      const commands = Array.from({ length: 30 }, (_, i) => incrementCommand('c1', 30 + ((i * 7) % 31)));
      let decisions = 0;
      const counting: typeof counter = {
        ...counter,
        decider: { ...counter.decider, decide: (c, s) => (decisions++, counter.decider.decide(c, s)) },
      };
      const outcomes = await Promise.allSettled(commands.map((command) => execute(command, { aggregate: counting })));
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(DomainError);
      }
      const accepted = commands.filter((_, i) => outcomes[i].status === 'fulfilled');
      const refused = commands.filter((_, i) => outcomes[i].status === 'rejected');
      expect(accepted.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);

      const events = await streamOf('c1');
      expect(events.map((e) => e.metadata.version)).toEqual(accepted.map((_, v) => v));
      // Each accepted command caused exactly one event; a refused one caused none and is not logged.
      expect(events.map((e) => e.metadata.causationId).sort()).toEqual(accepted.map((c) => c.metadata.messageId).sort());
      expect((await commandsLogged()).map((m) => m.metadata.messageId).sort()).toEqual(accepted.map((c) => c.metadata.messageId).sort());
      // Every decision saw the latest state: each total is the previous total plus the event's amount.
      let total = 0;
      for (const event of events) {
        const data = event.data as { by: number; total: number };
        total += data.by;
        expect(data.total).toBe(total);
      }
      expect(total).toBeLessThanOrEqual(LIMIT);
      for (const command of refused) expect(total + command.data.by).toBeGreaterThan(LIMIT);
      expect(decisions).toBeGreaterThanOrEqual(commands.length);
      if (kind === 'postgres') expect(decisions).toBeGreaterThan(commands.length); // conflicts happened and were retried
    });

    it('bounds the retries: a conflict on every try ends in ConcurrencyError after maxConflicts tries, storing nothing', async () => {
      await execute(incrementCommand('c1', 1));
      const before = await logEntries();
      for (const maxConflicts of [1, 4, undefined]) {
        const command = incrementCommand('c1', 1);
        let calls = 0;
        const failure = executeCommand(
          store,
          command,
          async (tx) => {
            calls++;
            // Always the stale expectation of an empty stream: a real conflict in the store.
            return store.appendToStream(tx, { sourceType: 'Counter', sourceId: 'c1' }, -1, [{ type: 'Incremented', data: { by: 1, total: 1 } }], originFromRequest('x'));
          },
          maxConflicts,
        );
        await expect(failure).rejects.toBeInstanceOf(ConcurrencyError);
        expect(calls).toBe(maxConflicts ?? 50);
      }
      expect(await logEntries()).toEqual(before);
    });

    it('decides on the upcast state of legacy events', async () => {
      await store.transaction((tx) =>
        store.appendToStream(tx, { sourceType: 'Counter', sourceId: 'c1' }, -1, [{ type: 'Bumped', data: { amount: 7, total: 7 }, schemaVersion: 0 }], originFromRequest('legacy')),
      );
      expect(await loadAggregate(store, registry, counter, 'c1')).toEqual({ state: { total: 7 }, version: 0 });
      await execute(incrementCommand('c1', 3));
      expect(await totals('c1')).toEqual([7, 10]);
      await expect(execute(incrementCommand('c1', LIMIT - 9))).rejects.toBeInstanceOf(DomainError);
    });
  });

  describe('queued commands', () => {
    interface Warning {
      object: Record<string, unknown>;
      message?: string;
    }

    function recordingLogger(warnings: Warning[]): Logger {
      return { info() {}, error() {}, warn: (object, message) => warnings.push({ object: object as Record<string, unknown>, message }) };
    }

    /** Counts the deliveries of each command to the counter's command handler. */
    function countingCommands(warnings: Warning[] = [], deliveries = new Map<string, number>()) {
      const inner = counterCommands(store, registry, recordingLogger(warnings));
      const handler: MessageHandler = {
        ...inner,
        handle: (message, context) => {
          deliveries.set(message.metadata.messageId, (deliveries.get(message.metadata.messageId) ?? 0) + 1);
          return inner.handle(message, context);
        },
      };
      return { handler, deliveries, warnings };
    }

    /** A process manager: each Ping sends an Increment of the counter the ping names. */
    const pinger: MessageHandler = {
      name: 'pinger',
      types: ['Ping'],
      sideEffects: true,
      async handle(message, context) {
        const { n } = message.data as { n: number };
        await context.send('Increment', { counterId: message.metadata.sourceId, by: n }, { target: message.metadata.sourceId });
      },
    };

    function start(...handlers: MessageHandler[]): Processing {
      const processing = new Processing(store, registry, handlers, { retry: { baseDelayMs: 5 }, idleCheckMs: 200 });
      running.push(processing);
      processing.start();
      return processing;
    }

    async function committedMax(): Promise<number> {
      const row = await store.db.selectFrom('messages').select((eb) => eb.fn.max('position').as('m')).executeTakeFirst();
      return Number(row?.m ?? 0);
    }

    /** Waits until every handler has dealt with the whole log, including what the handlers wrote. */
    async function settle(processing: Processing): Promise<void> {
      for (;;) {
        const max = await committedMax();
        for (const subscription of processing.subscriptions) expect(await subscription.waitFor(max, 15_000)).toBe(true);
        if ((await committedMax()) === max) return;
      }
    }

    async function queue(...commands: Message[]): Promise<LoggedMessage[]> {
      return store.transaction((tx) => store.append(tx, commands));
    }

    it('a command a process manager sends (HandlerContext.send) is handled, carrying the flow from message to events', async () => {
      const { handler, deliveries } = countingCommands();
      const processing = start(pinger, handler);
      const [ping] = await store.transaction((tx) =>
        store.appendToStream(tx, { sourceType: 'Pinger', sourceId: 'c1' }, -1, [{ type: 'Ping', data: { n: 4 } }], originFromRequest('flow-1')),
      );
      await settle(processing);

      const [command] = await commandsLogged();
      expect(command).toMatchObject({
        type: 'Increment',
        data: { counterId: 'c1', by: 4 },
        metadata: { target: 'c1', correlationId: 'flow-1', causationId: ping.metadata.messageId },
      });
      expect(deliveries.get(command.metadata.messageId)).toBe(1);
      const [event] = await streamOf('c1');
      expect(event).toMatchObject({
        type: 'Incremented',
        data: { by: 4, total: 4 },
        metadata: { correlationId: 'flow-1', causationId: command.metadata.messageId },
      });
    });

    it('a command saved by a process manager (ProcessStore.save) is handled', async () => {
      const processing = start(countingCommands().handler);
      const processes = new ProcessStore<{ step: number }>(store, processing.timers, 'Toy');
      const trigger = incrementCommand('elsewhere', 1, originFromRequest('flow-2'));
      const [sent] = await store.transaction((tx) =>
        processes.save(tx, 'p1', -1, { step: 1 }, { correlationId: 'flow-2', causationId: trigger.metadata.messageId }, {
          commands: [{ type: 'Increment', data: { counterId: 'c1', by: 6 }, target: 'c1' }],
        }),
      );
      await settle(processing);
      expect(await streamOf('c1')).toMatchObject([
        { data: { by: 6, total: 6 }, metadata: { correlationId: 'flow-2', causationId: sent.metadata.messageId } },
      ]);
    });

    it('handles commands in the order they were queued, each against the state the previous ones left', async () => {
      const processing = start(countingCommands().handler);
      const commands = [3, 5, 8].map((by) => incrementCommand('c1', by));
      for (const command of commands) await queue(command);
      await queue(incrementCommand('c2', 100));
      await settle(processing);
      expect(await totals('c1')).toEqual([3, 8, 16]);
      expect((await streamOf('c1')).map((e) => e.metadata.causationId)).toEqual(commands.map((c) => c.metadata.messageId));
      expect(await totals('c2')).toEqual([100]);
    });

    it('is durable: a command queued while no worker runs is handled once one starts', async () => {
      const command = incrementCommand('c1', 9);
      await queue(command);
      const first = start(countingCommands().handler);
      await settle(first);
      await first.stop();
      await queue(incrementCommand('c1', 1));
      const second = start(countingCommands().handler);
      await settle(second);
      expect(await totals('c1')).toEqual([9, 10]);
    });

    it('at least once: a delivery that fails after appending is rolled back and redelivered, leaving one set of events', async () => {
      const inner = counterCommands(store, registry);
      let calls = 0;
      const crashing: MessageHandler = {
        ...inner,
        async handle(message, context) {
          calls++;
          await inner.handle(message, context);
          if (calls === 1) throw new Error('worker lost its connection after appending');
        },
      };
      const processing = start(crashing);
      await queue(incrementCommand('c1', 5));
      await settle(processing);
      expect(calls).toBe(2);
      expect(await totals('c1')).toEqual([5]);
      expect(await processing.deadLetters.list()).toEqual([]);
    });

    it('ignores a command id queued twice: it is logged once and handled once', async () => {
      const { handler, deliveries } = countingCommands();
      const processing = start(handler);
      const id = newId();
      const command = incrementCommand('c1', 2, originFromRequest('flow-3'), id);
      expect(await queue(command)).toHaveLength(1);
      // The same command again (a process manager step or a timer that ran twice), alone and within a batch.
      expect(await queue(incrementCommand('c1', 2, originFromRequest('flow-3'), id))).toEqual([]);
      const [other] = await queue(incrementCommand('c1', 2, originFromRequest('flow-3'), id), incrementCommand('c1', 1));
      expect(other.data).toEqual({ counterId: 'c1', by: 1 });
      await settle(processing);
      expect((await commandsLogged()).filter((m) => m.metadata.messageId === id)).toHaveLength(1);
      expect(deliveries.get(id)).toBe(1);
      expect(await totals('c1')).toEqual([2, 3]);
    });

    it('a refused queued command is a warning: no dead letter, and later commands of its target go on', async () => {
      const { handler, warnings } = countingCommands();
      const processing = start(handler);
      const refused = incrementCommand('c1', 10);
      await queue(incrementCommand('c1', LIMIT - 5));
      await queue(refused);
      await queue(incrementCommand('c1', 5));
      await settle(processing);

      expect(await totals('c1')).toEqual([LIMIT - 5, LIMIT]);
      expect(await processing.deadLetters.list()).toEqual([]);
      expect(await store.db.selectFrom('parked_messages').selectAll().execute()).toEqual([]);
      expect(warnings).toEqual([
        { object: expect.objectContaining({ handler: 'counter-commands', messageId: refused.metadata.messageId, type: 'Increment' }), message: 'command refused' },
      ]);
      const [status] = await processing.status();
      expect(status).toMatchObject({ deadLettered: 0, failures: 0 });
    });

    it('a refused queued command leaves nothing behind, even what its handler wrote before the refusal', async () => {
      const writesFirst = queuedCommandHandler(
        'audited-commands',
        {
          async Increment(command, context) {
            await decideAndAppend(store, registry, context.tx, counter, 'audit', command);
            await decideAndAppend(store, registry, context.tx, counter, command.metadata.target!, command);
          },
        },
        recordingLogger([]),
      );
      const full = incrementCommand('c1', LIMIT);
      await store.transaction((tx) => decideAndAppend(store, registry, tx, counter, 'c1', full));
      const processing = start(writesFirst);
      await queue(incrementCommand('c2', 3));
      await queue(incrementCommand('c1', 1));
      await settle(processing);

      expect(await totals('c1')).toEqual([LIMIT]);
      expect(await totals('c2')).toEqual([3]);
      // The accepted command's audit event stays; the refused one's, written before c1 refused, is undone.
      expect(await totals('audit')).toEqual([3]);
    });

    it('other failures of a queued command are retried and dead-lettered, unlike refusals', async () => {
      const explode = queuedCommandHandler(
        'exploding-commands',
        {
          async Increment(command) {
            if ((command.data as { by: number }).by === 13) throw new Error('unlucky');
          },
        },
        recordingLogger([]),
      );
      const processing = start(explode);
      const unlucky = incrementCommand('c1', 13);
      await queue(unlucky);
      await settle(processing);
      const [letter] = await processing.deadLetters.list();
      expect(letter).toMatchObject({ messageId: unlucky.metadata.messageId, attempts: 5 });
    });

    it('never runs again a command executed over HTTP (it is logged without a target)', async () => {
      const processing = start(countingCommands().handler);
      await execute(incrementCommand('c1', 4));
      await queue(incrementCommand('c2', 1));
      await settle(processing);
      expect(await totals('c1')).toEqual([4]);
      expect(await totals('c2')).toEqual([1]);
      // Nothing else happened anywhere: no other event, no failed delivery.
      expect((await logEntries()).filter((m) => m.metadata.kind === 'event').map((m) => m.metadata.messageId)).toEqual(['Counter_c1_0', 'Counter_c2_0']);
      expect(await processing.deadLetters.list()).toEqual([]);
      expect((await processing.status())[0]).toMatchObject({ failures: 0 });
    });

    it('skips imported commands (side effects are not replayed)', async () => {
      const processing = start(countingCommands().handler);
      const imported = incrementCommand('c1', 4);
      imported.metadata.Imported = true;
      await queue(imported, incrementCommand('c2', 1));
      await settle(processing);
      expect(await totals('c1')).toEqual([]);
      expect(await totals('c2')).toEqual([1]);
    });

    it('handles commands sent while a legacy event is in the stream (upcast on load)', async () => {
      await store.transaction((tx) =>
        store.append(tx, [
          newEvent('Bumped', { amount: 2, total: 2 }, { sourceType: 'Counter', sourceId: 'c1', version: 0, origin: originFromRequest('legacy'), messageId: 'Counter_c1_0', schemaVersion: 0 }),
        ]),
      );
      const processing = start(countingCommands().handler);
      await queue(incrementCommand('c1', 1));
      await settle(processing);
      expect(await totals('c1')).toEqual([2, 3]);
    });
  });
});

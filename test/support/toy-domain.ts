import Type from 'typebox';
import { MessageRegistry } from '../../src/platform/messages/registry.ts';
import { type Aggregate, DomainError, decideAndAppend, queuedCommandHandler } from '../../src/platform/processing/commands.ts';
import type { LoggedMessage, Message } from '../../src/platform/messages/envelope.ts';
import { type Origin, newCommand, originFromRequest } from '../../src/platform/messages/factory.ts';
import type { MessageHandler } from '../../src/platform/processing/handler.ts';
import { type Logger, silentLogger } from '../../src/platform/processing/logger.ts';
import type { Store } from '../../src/platform/store/store.ts';

/**
 * A tiny domain to exercise the platform: a counter that refuses to pass its limit. `Bumped` was the
 * old name of `Incremented` (schema version 0, `{ amount }`), upcast on read.
 */
export function toyRegistry(): MessageRegistry {
  const registry = new MessageRegistry();
  registry.define({ type: 'Increment', kind: 'command', schema: Type.Object({ counterId: Type.String(), by: Type.Integer() }) });
  registry.define({ type: 'Incremented', kind: 'event', schema: Type.Object({ by: Type.Integer(), total: Type.Integer() }) });
  registry.define({ type: 'Ping', kind: 'event', schema: Type.Object({ n: Type.Integer() }) });
  registry.addUpcaster({
    fromType: 'Bumped',
    fromVersion: 0,
    toType: 'Incremented',
    toVersion: 1,
    upcast: (data) => {
      const { amount, total } = data as { amount: number; total: number };
      return { by: amount, total };
    },
  });
  return registry;
}

export interface CounterState {
  total: number;
}
type CounterCommand = { type: 'Increment'; data: { counterId: string; by: number } };
type CounterEvent = { type: 'Incremented'; data: { by: number; total: number } };

export const LIMIT = 1000;

export const counter: Aggregate<CounterState, CounterCommand, CounterEvent> = {
  sourceType: 'Counter',
  decider: {
    initialState: { total: 0 },
    evolve: (state, event) => ({ total: event.data.total }),
    decide(command, state) {
      const total = state.total + command.data.by;
      if (total > LIMIT) throw new DomainError(`The counter cannot pass ${LIMIT}.`);
      return [{ type: 'Incremented', data: { by: command.data.by, total } }];
    },
  },
};

/** An `Increment` command for a counter, addressed to the counter's stream (its id is the target). */
export function incrementCommand(
  counterId: string,
  by: number,
  origin: Origin = originFromRequest(`flow-${counterId}`),
  id?: string,
): Message<'Increment', { counterId: string; by: number }> {
  return newCommand('Increment', { counterId, by }, { target: counterId, origin, id });
}

/** The queued-command handler of the counter: runs each `Increment` against the stream it targets. */
export function counterCommands(store: Store, registry: MessageRegistry, logger: Logger = silentLogger, name = 'counter-commands'): MessageHandler {
  return queuedCommandHandler(
    name,
    {
      async Increment(command, context) {
        await decideAndAppend(store, registry, context.tx, counter, command.metadata.target!, command);
      },
    },
    logger,
  );
}

/**
 * `count` Ping events per source (stream `Pinger:<source>`), appended in one transaction per event,
 * sources interleaved; `extra` goes into each event's metadata.
 */
export async function ping(store: Store, sources: string[], count: number, extra?: Record<string, unknown>): Promise<LoggedMessage[]> {
  const written: LoggedMessage[] = [];
  for (let n = 0; n < count; n++) {
    for (const source of sources) {
      const stream = { sourceType: 'Pinger', sourceId: source };
      const [event] = await store.transaction(async (tx) =>
        store.appendToStream(tx, stream, await store.streamVersion(tx.db, stream), [{ type: 'Ping', data: { n }, extra }], originFromRequest(source)),
      );
      written.push(event);
    }
  }
  return written;
}

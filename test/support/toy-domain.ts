import Type from 'typebox';
import { MessageRegistry } from '../../src/platform/messages/registry.ts';
import { type Aggregate, DomainError } from '../../src/platform/processing/commands.ts';

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

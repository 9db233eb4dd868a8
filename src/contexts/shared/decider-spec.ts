/**
 * Given/when/then for deciders: `given(aggregate, history).when(command).then(events)`. The history is
 * folded with the decider's own `evolve`, and the decided events are folded too, so a spec also
 * proves that what the decider emits can be applied.
 */
import { expect } from 'vitest';
import { type Aggregate, DomainError, type TypedMessage } from '../../platform/processing/commands.ts';

export function given<S, C extends TypedMessage, E extends TypedMessage>(aggregate: Aggregate<S, C, E>, history: E[] = []) {
  const { decider } = aggregate;
  const fold = (state: S, events: E[]) => events.reduce((current, event) => decider.evolve(current, event), state);
  const state = fold(decider.initialState, history);
  return {
    state,
    when(command: C) {
      const decide = () => decider.decide(command, state);
      return {
        /** The decided events equal `expected`; returns the state after them. */
        then(expected: E[]): S {
          const events = decide();
          expect(events).toEqual(expected);
          return fold(state, events);
        },
        /** Accepted, nothing to record. */
        thenNothing(): void {
          expect(decide()).toEqual([]);
        },
        /** Refused with exactly this message. */
        thenRefused(message: string): void {
          expect(decide).toThrow(DomainError);
          expect(decide).toThrow(new DomainError(message));
        },
        /** Fails with a plain error (not a refusal): the handler retries. */
        thenFails(pattern: RegExp): void {
          expect(decide).toThrow(pattern);
          try {
            decide();
          } catch (error) {
            expect(error).not.toBeInstanceOf(DomainError);
          }
        },
      };
    },
  };
}

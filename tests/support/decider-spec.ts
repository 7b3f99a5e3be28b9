import { expect } from 'vitest';

/**
 * Given/when/then for a pure decider: given past events, when a command is decided, then these
 * events are emitted, or the command is refused with a message.
 */
export function deciderSpec<S, C, E>(decider: { initial: () => S; evolve: (s: S, e: E) => S; decide: (c: C, s: S) => E[] }) {
  return {
    given(events: E[]) {
      const state = events.reduce(decider.evolve, decider.initial());
      return {
        when(command: C) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: E[]) {
              expect(run()).toEqual(expected);
            },
            thenNothing() {
              expect(run()).toEqual([]);
            },
            thenRefused(message: string | RegExp) {
              expect(run).toThrow(message);
            },
          };
        },
      };
    },
  };
}

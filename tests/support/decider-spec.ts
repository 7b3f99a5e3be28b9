import { expect } from 'vitest';
import type { Decider } from '../../src/domain/decider.ts';
import { isOutreachError, type ErrorCode } from '../../src/domain/errors.ts';

/**
 * Given/when/then for an aggregate's decider: given past events, when a command is decided (with
 * the context the aggregate's decisions look at), then these events are emitted, or the command
 * is refused with an error code (and, to tell the rules apart, a fragment of the reason).
 */
export function deciderSpec<S, C, E, Ctx>(decider: Decider<S, C, E, Ctx>, context: Ctx) {
  return {
    given(events: E[]) {
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        when(command: C) {
          const run = () => decider.decide(command, state, context);
          return {
            then(expected: E[]) {
              expect(run()).toEqual(expected);
            },
            thenNothing() {
              expect(run()).toEqual([]);
            },
            thenRefused(code: ErrorCode, because?: RegExp) {
              let error: unknown;
              try {
                run();
              } catch (e) {
                error = e;
              }
              expect(isOutreachError(error), `refused with an OutreachError, got ${String(error)}`).toBe(true);
              expect((error as { code: string }).code).toBe(code);
              if (because) expect((error as Error).message).toMatch(because);
            },
          };
        },
      };
    },
  };
}

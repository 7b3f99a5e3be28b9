import { expect } from 'vitest';
import type { Decision } from '../../src/app/effects/decision.ts';

/**
 * Given/when/then for an effect's pure decision: given the facts read from the streams, when the
 * effect's job runs (its data and the time), then it is skipped for a reason, deferred until a
 * time, or performed with an intent the test looks at.
 */
export function effectSpec<Data, Facts, Ctx, Intent>(decide: (data: Data, facts: Facts, ctx: Ctx) => Decision<Intent>) {
  return {
    given(facts: Facts) {
      return {
        when(data: Data, ctx: Ctx) {
          const decision = decide(data, facts, ctx);
          return {
            thenSkipped(because: RegExp | string) {
              expect(decision.decision, JSON.stringify(decision)).toBe('skip');
              expect((decision as { reason: string }).reason).toMatch(because);
            },
            thenDeferred(until: string, because?: RegExp) {
              expect(decision.decision, JSON.stringify(decision)).toBe('defer');
              expect((decision as { until: string }).until).toBe(until);
              if (because) expect((decision as { reason: string }).reason).toMatch(because);
            },
            thenPerformed(check: (intent: Intent) => void = () => undefined) {
              expect(decision.decision, JSON.stringify(decision)).toBe('perform');
              check((decision as { intent: Intent }).intent);
            },
          };
        },
      };
    },
  };
}

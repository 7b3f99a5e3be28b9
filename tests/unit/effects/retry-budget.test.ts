import { describe, expect, it } from 'vitest';
import { decideRetry, type FailedAttempt, type RetryBudget, type RetryState } from '../../../src/app/effects/retry.ts';

const BUDGET: RetryBudget = { attempts: 6, baseMs: 1000, maxWaitMs: 60_000, windowMs: 6 * 3600_000 };
const FIRST = '2026-12-04T10:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(FIRST) + ms).toISOString();

/** Given the job's past (attempts spent, the budget's state), when an attempt fails so at `now`, then … */
const given = (past: { spentBefore?: number; state?: RetryState } = {}) => ({
  when: (failed: FailedAttempt, at: { now?: string; random?: number } = {}) =>
    decideRetry({ failed, spentBefore: past.spentBefore ?? 0, state: past.state, now: at.now ?? FIRST, budget: BUDGET, random: at.random ?? 0.5 }),
});

describe('retry budget: refusals spend the attempts', () => {
  it('given a first attempt, when the server refuses it, then it spends an attempt and the first failure is remembered', () => {
    expect(given().when('refused')).toEqual({ decision: 'spend', state: { since: FIRST, unreached: 0 } });
  });

  it('given five refused attempts, when the sixth is refused too, then it gives up', () => {
    const d = given({ spentBefore: 5, state: { since: FIRST, unreached: 0 } }).when('refused', { now: later(60_000) });
    expect(d).toMatchObject({ decision: 'give-up', reason: '6 attempts refused' });
  });

  it('given many failures that spent nothing, when one is refused, then only refusals count', () => {
    expect(given({ spentBefore: 1, state: { since: FIRST, unreached: 40 } }).when('refused', { now: later(3600_000) }).decision).toBe('spend');
  });
});

describe('retry budget: a slow machine or a server asking to wait spends nothing', () => {
  for (const failed of ['not-reached', 'try-later'] as const) {
    it(`given five refused attempts, when the next is ${failed}, then it waits without spending the last attempt`, () => {
      const d = given({ spentBefore: 5, state: { since: FIRST, unreached: 0 } }).when(failed, { now: later(1000) });
      expect(d).toMatchObject({ decision: 'wait', state: { since: FIRST, unreached: 1 } });
    });
  }

  it('given a first attempt, when it times out connecting, then it waits between half and all of the base delay', () => {
    expect(given().when('not-reached', { random: 0 })).toEqual({ decision: 'wait', until: later(500), state: { since: FIRST, unreached: 1 } });
    expect(given().when('not-reached', { random: 1 })).toMatchObject({ decision: 'wait', until: later(1000) });
  });

  it('given failures that spent nothing, when another comes, then each wait doubles up to the longest wait', () => {
    expect(given({ state: { since: FIRST, unreached: 2 } }).when('try-later', { random: 1 })).toMatchObject({ until: later(4000), state: { unreached: 3 } });
    expect(given({ state: { since: FIRST, unreached: 50 } }).when('try-later', { random: 1 })).toMatchObject({ until: later(60_000) });
  });

  it('given a window nearly over, when an attempt spends nothing, then the wait ends with the window', () => {
    const d = given({ state: { since: FIRST, unreached: 20 } }).when('not-reached', { now: later(BUDGET.windowMs - 5000), random: 1 });
    expect(d).toMatchObject({ decision: 'wait', until: later(BUDGET.windowMs) });
  });

  it('given a first failure six hours ago, when an attempt still does not get through, then it gives up: nothing retries forever', () => {
    const d = given({ state: { since: FIRST, unreached: 60 } }).when('try-later', { now: later(BUDGET.windowMs) });
    expect(d).toMatchObject({ decision: 'give-up', reason: 'still failing 21600 s after the first failure' });
  });
});

import { describe, expect, it } from 'vitest';
import { planProcesses } from '../../../src/main/worker-plan.ts';

const ALL = ['reactor', 'email', 'calendar', 'projector', 'mailbox'];

describe('the plan of worker processes', () => {
  it('runs everything in one process when asked for one', () => {
    expect(planProcesses(ALL, 1)).toEqual([ALL]);
  });

  it('keeps the reactor, the projector and the mailbox reader in exactly one process', () => {
    for (const n of [2, 3, 4, 8]) {
      const plan = planProcesses(ALL, n);
      for (const single of ['reactor', 'projector', 'mailbox']) expect(plan.filter((p) => p.includes(single))).toHaveLength(1);
    }
  });

  it('gives the email workers the other processes, and from three on a second calendar worker', () => {
    expect(planProcesses(ALL, 2)).toEqual([['reactor', 'calendar', 'projector', 'mailbox'], ['email']]);
    expect(planProcesses(ALL, 3)).toEqual([['reactor', 'calendar', 'projector', 'mailbox'], ['email'], ['email', 'calendar']]);
  });

  it('runs every worker asked for somewhere, and none not asked for', () => {
    for (const only of [['email'], ['calendar'], ['reactor', 'email'], ['email', 'calendar'], ALL])
      for (const n of [1, 2, 5]) {
        const plan = planProcesses(only, n);
        expect(new Set(plan.flat())).toEqual(new Set(only));
        expect(plan.every((p) => p.length > 0)).toBe(true);
      }
  });

  it('runs email alone in every process when it is all that was asked for', () => {
    expect(planProcesses(['email'], 3)).toEqual([['email'], ['email'], ['email']]);
  });

  it('refuses a number of processes that is not a whole number from 1 to 16, naming processes', () => {
    for (const bad of [0, -1, 1.5, 17, Number.NaN]) expect(() => planProcesses(ALL, bad)).toThrow(/processes/);
  });
});

/**
 * How a failed attempt ended, for the retry budget:
 * - not-reached: the server never answered (a connection or greeting timeout, a refused or cut
 *   connection, a full pool, a socket timeout: often only the process being slow);
 * - try-later: the server answered that it cannot take it now (SMTP 4xx: RFC 5321 §4.2.1 calls it
 *   transient; mail servers retry those for days, bounded by time, not by count);
 * - refused: any other answer, or an error we cannot place.
 */
export type FailedAttempt = 'not-reached' | 'try-later' | 'refused';

/**
 * The retry budget of an effect job. A slow machine must not use up a message's retries: a fault
 * burst lasts longer on it, and a fixed number of retries with backoff in wall time then falls
 * inside the burst. So only a refusal spends one of the job's attempts; an attempt that did not
 * reach the server, or that the server asked to try later, is retried with backoff without
 * spending any, for at most `windowMs` after the job's first failure, so that nothing retries forever.
 */
export type RetryBudget = {
  /** Refused attempts before the job fails for good (OUTREACH_JOB_ATTEMPTS). */
  attempts: number;
  /** The first wait after a failure that spends nothing, doubled after each (OUTREACH_RETRY_BASE_MS). */
  baseMs: number;
  /** The longest single wait. */
  maxWaitMs: number;
  /** How long after the first failure a job may keep retrying failures that spend nothing (OUTREACH_RETRY_WINDOW_MS). */
  windowMs: number;
};

/** Kept with the job: when it first failed, and how many failures since spent nothing. */
export type RetryState = { since: string; unreached: number };

export type RetryDecision =
  /** Spends an attempt: the queue retries with its own backoff. */
  | { decision: 'spend'; state: RetryState }
  /** Not reached, or try later: wait until then, no attempt spent. */
  | { decision: 'wait'; until: string; state: RetryState }
  | { decision: 'give-up'; reason: string; state: RetryState };

export function decideRetry(input: {
  failed: FailedAttempt;
  /** Attempts spent before this one (refusals). */
  spentBefore: number;
  state: RetryState | undefined;
  now: string;
  budget: RetryBudget;
  /** In [0, 1): the jitter of the wait. */
  random: number;
}): RetryDecision {
  const { budget, now } = input;
  const state = input.state ?? { since: now, unreached: 0 };
  if (input.failed === 'refused') {
    const spent = input.spentBefore + 1;
    if (spent >= budget.attempts) return { decision: 'give-up', reason: `${spent} attempts refused`, state };
    return { decision: 'spend', state };
  }
  const deadline = Date.parse(state.since) + budget.windowMs;
  const at = Date.parse(now);
  if (at >= deadline) {
    return { decision: 'give-up', reason: `still failing ${Math.round((at - Date.parse(state.since)) / 1000)} s after the first failure`, state };
  }
  const next = { since: state.since, unreached: state.unreached + 1 };
  const full = Math.min(budget.maxWaitMs, budget.baseMs * 2 ** Math.min(state.unreached, 30));
  // Half the wait fixed, half random: retries of a burst spread out rather than meet again.
  const wait = Math.round(full / 2 + (full / 2) * input.random);
  return { decision: 'wait', until: new Date(Math.min(at + wait, deadline)).toISOString(), state: next };
}

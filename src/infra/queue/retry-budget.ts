import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { decideRetry, type FailedAttempt, type RetryBudget, type RetryState } from '../../app/effects/retry.ts';

export type { FailedAttempt, RetryBudget } from '../../app/effects/retry.ts';

/** The longest single wait between attempts that spend nothing. */
const MAX_WAIT_MS = 10 * 60_000;

/** The budget as configured: attempts and base as before, the window generous (6 hours unless OUTREACH_RETRY_WINDOW_MS). */
export function retryBudgetFrom(env: NodeJS.ProcessEnv): RetryBudget {
  const baseMs = Number(env['OUTREACH_RETRY_BASE_MS'] || 2000);
  return {
    attempts: Number(env['OUTREACH_JOB_ATTEMPTS'] || 6),
    baseMs,
    maxWaitMs: Math.max(baseMs, MAX_WAIT_MS),
    windowMs: Number(env['OUTREACH_RETRY_WINDOW_MS'] || 6 * 3600_000),
  };
}

export type Waited = { attempt: number; until: string; reason: string };

/**
 * Runs one attempt of a job under the retry budget (src/app/effects/retry.ts). A refusal is thrown
 * on for BullMQ, which counts it and retries with the job's backoff; a failure that spends nothing
 * puts the job back as delayed (moveToDelayed, which BullMQ does not count); one past the budget
 * fails the job for good (UnrecoverableError). The state is kept in the job's data as `retry`.
 */
export async function withRetryBudget<T>(
  job: Job,
  token: string | undefined,
  opts: { budget: RetryBudget; classify: (error: unknown) => FailedAttempt; onWait?: (w: Waited) => void },
  attempt: () => Promise<T>,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    const data = job.data as { retry?: RetryState };
    const decision = decideRetry({
      failed: opts.classify(error),
      spentBefore: job.attemptsMade,
      state: data.retry,
      now: new Date().toISOString(),
      budget: { ...opts.budget, attempts: job.opts.attempts ?? opts.budget.attempts },
      random: Math.random(),
    });
    const message = error instanceof Error ? error.message : String(error);
    if (decision.decision === 'give-up') {
      // A job put back in line later (retryFailed, a replay) starts a new window.
      const { retry: _, ...rest } = job.data as Record<string, unknown>;
      await job.updateData(rest);
      throw new UnrecoverableError(`${message} (${decision.reason})`);
    }
    if (decision.state !== data.retry) await job.updateData({ ...job.data, retry: decision.state });
    if (decision.decision === 'spend') throw error;
    opts.onWait?.({ attempt: decision.state.unreached, until: decision.until, reason: message });
    await job.moveToDelayed(Date.parse(decision.until), token);
    throw new DelayedError();
  }
}

import type { Job, WorkerOptions } from 'bullmq';

/**
 * How long an effect worker holds a job, and how often a dead worker's jobs are noticed. A job
 * "stalls" when the process holding it died (SIGKILL, OOM, a deploy) or froze past its lock: that is
 * no fault of the job, and the effect protocol makes running it again safe. BullMQ's default fails a
 * job for good on its second stall (maxStalledCount 1), with no retry and no result event: a few
 * worker restarts in a row then silently lose effects. Only a job that keeps killing its worker
 * should end that way, so many stalls are allowed (OUTREACH_JOB_MAX_STALLS, default 25).
 */
export function effectWorkerOptions(env: NodeJS.ProcessEnv): Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> {
  const lockMs = Number(env['OUTREACH_JOB_LOCK_MS'] || 30_000);
  return {
    // A job whose worker died is taken up again once its lock lapses; shorter locks mean faster recovery, more renewals.
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: Number(env['OUTREACH_JOB_MAX_STALLS'] || 25),
  };
}

/**
 * Whether a failed job is finished for good (no retry left, or failed as unrecoverable, which is
 * what too many stalls give) rather than waiting for another attempt.
 */
export const failedForGood = (job: Job, error: Error) =>
  Boolean(job.finishedOn) || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);

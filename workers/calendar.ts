import { DelayedError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { performCalendarEffect, type CalendarDeps, type CalendarEffectData } from '../src/app/effects/calendar/run.ts';
import type { EffectData } from '../src/app/effects/effect.ts';
import { onceInAWhile, type Log } from '../src/app/log.ts';
import { QUEUES } from '../src/infra/queue/names.ts';
import { classifyGoogleAttempt } from '../src/infra/google/errors.ts';
import { dropVanished, hasVanished } from '../src/infra/queue/vanished-job.ts';
import { withRetryBudget, type RetryBudget } from '../src/infra/queue/retry-budget.ts';
import { failedForGood } from '../src/infra/queue/worker-options.ts';
import { POLL_JOB, pollJob, type CalendarPollerDeps } from './calendar-poller.ts';
import { backfillCalendar } from '../src/app/effects/calendar/backfill.ts';
import { BACKFILL_JOB } from '../src/infra/queue/scheduler.ts';

export type CalendarWorkerDeps = {
  calendar: CalendarDeps;
  poller: CalendarPollerDeps;
  connection: Redis;
  prefix: string;
  options: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
  log: Log;
  /** Which failures spend an attempt (src/infra/queue/retry-budget.ts). */
  retry: RetryBudget;
  concurrency?: number | undefined;
};

type PollData = { workspaceId: string };
type BackfillData = { workspaceId: string; sourceEventId: string };

async function runJob(job: Job<EffectData | PollData | BackfillData>, token: string | undefined, deps: CalendarWorkerDeps) {
  if (hasVanished(job)) {
    deps.log.warn({ job: job.id, reason: 'its keys were deleted from Redis; a replay derives it again' }, 'vanished');
    return dropVanished(job, deps.connection);
  }
  if (job.name === POLL_JOB) return pollJob((job.data as PollData).workspaceId, deps.poller);
  const backfill = job.name === BACKFILL_JOB;
  const data = job.data as CalendarEffectData;
  const key = backfill ? `${BACKFILL_JOB}:${(job.data as BackfillData).sourceEventId}` : data.key;
  const onWait = (w: { attempt: number; until: string; reason: string }) =>
    deps.log.info({ effect: key, waited: w.attempt, until: w.until, reason: w.reason }, 'retrying');
  // Only a call Google answered spends an attempt; one that never reached it waits, up to the window.
  const result = await withRetryBudget(job, token, { budget: deps.retry, classify: classifyGoogleAttempt, onWait }, () =>
    backfill ? backfillCalendar(job.data as BackfillData, deps.calendar) : performCalendarEffect(data, deps.calendar),
  );
  if (result.outcome === 'deferred') {
    deps.log.info({ effect: key, until: result.until, reason: result.reason }, 'deferred');
    // Counted on the job, so that each wait after another refusal is longer (exponential backoff).
    await job.updateData({ ...job.data, deferrals: ((job.data as EffectData).deferrals ?? 0) + 1 });
    await job.moveToDelayed(Date.parse(result.until), token);
    throw new DelayedError();
  }
  deps.log.info(
    { effect: key, ...('reason' in result ? { reason: result.reason } : { detail: result.detail }) },
    result.outcome === 'done' ? 'synced' : result.outcome,
  );
  return result;
}

/**
 * Wires the calendar queue: effect jobs go to the calendar effect (src/app/effects/calendar/),
 * and each workspace's `calendar-poll` job (from the reactor's job scheduler) to the poller.
 */
export function startCalendarWorker(deps: CalendarWorkerDeps): Worker {
  const worker = new Worker<EffectData | PollData | BackfillData>(QUEUES.calendar, (job, token) => runJob(job, token, deps), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency ?? 10,
    ...deps.options,
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const fields = { job: job.id, attempt: job.attemptsMade, reason: error.message };
    if (failedForGood(job, error)) deps.log.warn(fields, 'failed');
    else deps.log.info(fields, 'retrying');
  });
  const error = onceInAWhile(deps.log);
  worker.on('error', (e) => error(e.message));
  return worker;
}

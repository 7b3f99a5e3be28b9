import { DelayedError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { ERASE_EFFECT, SEND_DRAFT, type EffectData } from '../src/app/effects/effect.ts';
import { sendApprovedDraft } from '../src/app/effects/email/approved.ts';
import { eraseContactCopies, type EraseDeps } from '../src/app/effects/erase/run.ts';
import { performEmailEffect, recordEmailFailed, type EmailDeps, type EmailEffectData } from '../src/app/effects/email/run.ts';
import { onceInAWhile, type Log } from '../src/app/log.ts';
import { classifySendAttempt, withoutAddresses } from '../src/infra/mail/errors.ts';
import { QUEUES } from '../src/infra/queue/names.ts';
import { dropVanished, hasVanished } from '../src/infra/queue/vanished-job.ts';
import { withRetryBudget, type RetryBudget } from '../src/infra/queue/retry-budget.ts';
import { failedForGood } from '../src/infra/queue/worker-options.ts';

export type EmailWorkerDeps = {
  email: EmailDeps;
  erase: EraseDeps;
  connection: Redis;
  prefix: string;
  /** Locks and stalls (src/infra/queue/worker-options.ts). */
  options: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
  log: Log;
  /** Which failures spend an attempt (src/infra/queue/retry-budget.ts). */
  retry: RetryBudget;
  concurrency?: number | undefined;
  /** Messages per second allowed through this worker's transport (a BullMQ rate limiter). */
  ratePerSecond?: number | undefined;
};

/** Runs one email-queue job: an email effect, or the erasure of a forgotten contact's copies. */
async function runJob(job: Job<EffectData>, token: string | undefined, deps: EmailWorkerDeps) {
  if (hasVanished(job)) {
    deps.log.warn({ job: job.id, reason: 'its keys were deleted from Redis; a replay derives it again' }, 'vanished');
    return dropVanished(job, deps.connection);
  }
  if (job.data.kind === ERASE_EFFECT) {
    const erased = await eraseContactCopies(job.data, deps.erase);
    deps.log.info({ effect: job.data.key, ...(erased.outcome === 'erased' ? { files: erased.files } : { reason: erased.reason }) }, erased.outcome);
    return erased;
  }
  const perform = job.data.kind === SEND_DRAFT ? sendApprovedDraft(job.data, deps.email) : performEmailEffect(job.data as EmailEffectData, deps.email);
  const onWait = (w: { attempt: number; until: string; reason: string }) =>
    deps.log.info({ effect: job.data.key, waited: w.attempt, until: w.until, reason: w.reason }, 'retrying');
  // Only a refusal spends an attempt; a send that never reached the server, or a 4xx, waits, up to the window.
  const result = await withRetryBudget(job, token, { budget: deps.retry, classify: classifySendAttempt, onWait }, () =>
    perform.catch((e: unknown) => {
      // The error becomes the job's failedReason in Redis and a log line: no address in either.
      throw e instanceof Error ? Object.assign(e, { message: withoutAddresses(e.message) }) : e;
    }),
  );
  if (result.outcome === 'deferred') {
    deps.log.info({ effect: job.data.key, until: result.until, reason: result.reason }, 'deferred');
    await job.moveToDelayed(Date.parse(result.until), token);
    throw new DelayedError();
  }
  const detail =
    result.outcome === 'skipped' || result.outcome === 'bounced' ? { reason: result.reason } : result.outcome === 'drafted' ? { draft: result.draftId } : {};
  deps.log.info({ effect: job.data.key, ...detail }, result.outcome);
  return result;
}

/** Wires the email queue to the email effect (src/app/effects/email/); the rules live there. */
export function startEmailWorker(deps: EmailWorkerDeps): Worker<EffectData> {
  const worker = new Worker<EffectData>(QUEUES.email, (job, token) => runJob(job, token, deps), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency ?? 10,
    ...deps.options,
    ...(deps.ratePerSecond ? { limiter: { max: deps.ratePerSecond, duration: 1000 } } : {}),
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (!failedForGood(job, error)) {
      deps.log.info({ effect: job.data.key, attempt: job.attemptsMade, of: attempts, reason: error.message }, 'retrying');
      return;
    }
    deps.log.warn({ effect: job.data.key, attempts: job.attemptsMade, reason: error.message }, 'failed');
    // An erasure that kept failing is no email: nothing to record on the contact (a replay retries it).
    if (job.data.kind === ERASE_EFFECT) return;
    recordEmailFailed(job.data, deps.email, job.attemptsMade, error.message).catch((e: unknown) =>
      deps.log.error({ effect: job.data.key, reason: String(e) }, 'error'),
    );
  });
  const error = onceInAWhile(deps.log);
  worker.on('error', (e) => error(e.message));
  return worker;
}

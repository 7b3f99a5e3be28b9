import { DelayedError, Worker, type Job } from 'bullmq';
import type { Runtime } from '../src/infra/runtime.ts';
import { join } from 'node:path';
import { ERASE_EFFECT, type EffectData } from '../src/app/effects/effect.ts';
import { eraseContactCopies, type EraseDeps } from '../src/app/effects/erase-effect.ts';
import { withoutAddresses } from '../src/infra/mail/errors.ts';
import { performEmailEffect, recordEmailFailed, type EmailDeps, type EmailEffectData } from '../src/app/effects/email-effect.ts';
import { QUEUES } from '../src/infra/queue/names.ts';
import { effectWorkerOptions, failedForGood } from '../src/infra/queue/worker-options.ts';
import { onceInAWhile, type WorkerLog } from '../src/app/worker-log.ts';

export type EmailWorkerOptions = {
  deps: Omit<EmailDeps, 'store' | 'clock' | 'counter'>;
  concurrency?: number;
  /** Messages per second allowed through this worker's transport (a BullMQ rate limiter). */
  ratePerSecond?: number;
  log: WorkerLog;
};

/** Wires the email queue to performEmailEffect; the rules live there. */
export function startEmailWorker(rt: Runtime, opts: EmailWorkerOptions): Worker<EffectData> {
  const deps: EmailDeps = { ...opts.deps, store: rt.store, clock: rt.clock, counter: rt.counter };
  const erase: EraseDeps = {
    store: rt.store, calendarDir: join(rt.config.dataDir, 'calendar'),
    ...(opts.deps.transport.folder ? { outboxDir: opts.deps.transport.folder } : {}),
  };
  const worker = new Worker<EffectData>(
    QUEUES.email,
    async (job: Job<EffectData>, token?: string) => {
      if (job.data.kind === ERASE_EFFECT) {
        const erased = await eraseContactCopies(job.data, erase);
        opts.log(erased.outcome, { effect: job.data.key, ...(erased.outcome === 'erased' ? { files: erased.files } : { reason: erased.reason }) });
        return erased;
      }
      const result = await performEmailEffect(job.data as EmailEffectData, deps).catch((e: unknown) => {
        // The error becomes the job's failedReason in Redis and a log line: no address in either.
        throw e instanceof Error ? Object.assign(e, { message: withoutAddresses(e.message) }) : e;
      });
      if (result.outcome === 'deferred') {
        opts.log('deferred', { effect: job.data.key, until: result.until, reason: result.reason });
        await job.moveToDelayed(Date.parse(result.until), token);
        throw new DelayedError();
      }
      opts.log(result.outcome, { effect: job.data.key, ...(result.outcome === 'skipped' || result.outcome === 'bounced' ? { reason: result.reason } : {}) });
      return result;
    },
    {
      connection: rt.workerConnection(),
      prefix: rt.prefix,
      concurrency: opts.concurrency ?? 10,
      ...effectWorkerOptions(rt.env),
      ...(opts.ratePerSecond ? { limiter: { max: opts.ratePerSecond, duration: 1000 } } : {}),
    },
  );
  worker.on('failed', (job, error) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (!failedForGood(job, error)) {
      opts.log('retrying', { effect: job.data.key, attempt: job.attemptsMade, of: attempts, reason: error.message });
      return;
    }
    opts.log('failed', { effect: job.data.key, attempts: job.attemptsMade, reason: error.message });
    // An erasure that kept failing is no email: nothing to record on the contact (a replay retries it).
    if (job.data.kind === ERASE_EFFECT) return;
    recordEmailFailed(job.data, deps, job.attemptsMade, error.message).catch((e: unknown) => opts.log('error', { effect: job.data.key, reason: String(e) }));
  });
  const error = onceInAWhile(opts.log);
  worker.on('error', (e) => error(e.message));
  return worker;
}

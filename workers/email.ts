import { DelayedError, Worker, type Job } from 'bullmq';
import type { Runtime } from '../src/infra/runtime.ts';
import type { EffectData } from '../src/app/effects/effect.ts';
import { performEmailEffect, recordEmailFailed, type EmailDeps, type EmailEffectData } from '../src/app/effects/email-effect.ts';
import { QUEUES } from '../src/infra/queue/names.ts';
import { effectWorkerOptions, failedForGood } from '../src/infra/queue/worker-options.ts';
import type { WorkerLog } from '../src/app/worker-log.ts';

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
  const worker = new Worker<EffectData>(
    QUEUES.email,
    async (job: Job<EffectData>, token?: string) => {
      const result = await performEmailEffect(job.data as EmailEffectData, deps);
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
    recordEmailFailed(job.data, deps, job.attemptsMade, error.message).catch((e: unknown) => opts.log('error', { effect: job.data.key, reason: String(e) }));
  });
  worker.on('error', (e) => opts.log('error', { reason: e.message }));
  return worker;
}

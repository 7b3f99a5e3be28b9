import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../../app/clock.ts';
import type { Cancellation, EffectJob, EffectScheduler, PollChange } from '../../app/effects/effect.ts';
import { effectKeyOf, jobIdFor, QUEUES, type QueueName } from './names.ts';

const PENDING = new Set(['delayed', 'waiting', 'prioritized', 'waiting-children']);

/** Finished jobs are trimmed so Redis does not grow without bound; the log keeps the history. */
export const jobRetention: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
};

/** Transient failures retry with exponential backoff and jitter, a bounded number of times. */
export const retryPolicy = (attempts: number, baseDelayMs: number): Pick<JobsOptions, 'attempts' | 'backoff'> => ({
  attempts,
  backoff: { type: 'exponential', delay: baseDelayMs, jitter: 0.5 },
});

export type Queues = Record<QueueName, Queue>;

export function createQueues(connection: Redis, prefix: string): Queues {
  return {
    email: new Queue(QUEUES.email, { connection, prefix }),
    calendar: new Queue(QUEUES.calendar, { connection, prefix }),
  };
}

/**
 * The reactor's scheduler on BullMQ: deterministic job ids make re-adding a no-op, and a set per
 * contact and per meeting remembers which jobs to withdraw when the person opts out or the meeting moves.
 */
export const pollSchedulerId = (workspaceId: string) => `calendar-poll.${workspaceId}`;

export function createBullScheduler(opts: { connection: Redis; prefix: string; queues: Queues; clock: Clock; attempts?: number; retryBaseMs?: number; pollEveryMs?: number }): EffectScheduler {
  const scopeKey = (scope: string) => `${opts.prefix}:scope:${scope}`;
  return {
    async schedule(jobs: EffectJob[]) {
      const now = Date.parse(opts.clock());
      for (const job of jobs) {
        const jobId = jobIdFor(job.data.key);
        await opts.queues[job.queue].add(job.data.kind, job.data, {
          jobId,
          delay: Math.max(0, Date.parse(job.dueAt) - now),
          priority: job.priority,
          ...retryPolicy(opts.attempts ?? 6, opts.retryBaseMs ?? 2000),
          ...jobRetention,
        });
        const member = `${job.queue}|${jobId}`;
        const multi = opts.connection.multi().sadd(scopeKey(`contact:${job.data.contactId}`), member);
        if (job.data.meetingId) multi.sadd(scopeKey(`meeting:${job.data.meetingId}`), member);
        await multi.exec();
      }
    },
    async cancel(cancellations: Cancellation[]) {
      let removed = 0;
      for (const c of cancellations) {
        const members = await opts.connection.smembers(scopeKey(c.scope));
        for (const member of members) {
          const [queue, jobId] = member.split('|') as [QueueName, string];
          const kind = effectKeyOf(jobId).split(':')[0];
          if (c.kinds !== 'all' && !(c.kinds as readonly string[]).includes(kind!)) continue;
          const state = await opts.queues[queue].getJobState(jobId);
          if (PENDING.has(state)) {
            removed += await opts.queues[queue].remove(jobId);
          }
          if (state !== 'active') await opts.connection.srem(scopeKey(c.scope), member);
        }
      }
      return removed;
    },
    async poll(changes: PollChange[]) {
      for (const c of changes) {
        if (c.on) {
          await opts.queues.calendar.upsertJobScheduler(pollSchedulerId(c.workspaceId), { every: opts.pollEveryMs ?? 300_000 }, {
            name: 'calendar-poll', data: { workspaceId: c.workspaceId }, opts: { ...jobRetention, removeOnComplete: { count: 10 } },
          });
        } else {
          await opts.queues.calendar.removeJobScheduler(pollSchedulerId(c.workspaceId));
        }
      }
    },
  };
}

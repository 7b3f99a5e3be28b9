import { createHash } from 'node:crypto';
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
  const queues = {
    email: new Queue(QUEUES.email, { connection, prefix }),
    calendar: new Queue(QUEUES.calendar, { connection, prefix }),
  };
  // A Redis outage reaches the callers as failed commands (which they retry); without a listener
  // BullMQ would also print every reconnection error as a raw object.
  for (const q of Object.values(queues)) q.on('error', () => undefined);
  return queues;
}

/**
 * Adds members to several sets in one step (atomic, as a MULTI of SADDs is) and one command: ARGV
 * holds, for each key in turn, how many members it gets, then all the members in key order.
 */
const SCOPE_ADD = `
local at = #KEYS + 1
for k = 1, #KEYS do
  local n = tonumber(ARGV[k])
  redis.call('SADD', KEYS[k], unpack(ARGV, at, at + n - 1))
  at = at + n
end
return #KEYS`;
const SCOPE_ADD_SHA = createHash('sha1').update(SCOPE_ADD).digest('hex');
/** Above this many arguments the sets are filled by a MULTI instead (Lua's unpack has a stack limit). */
const SCOPE_ADD_MAX_ARGS = 4000;

const isNoScript = (e: unknown) => e instanceof Error && e.message.startsWith('NOSCRIPT');

/**
 * The reactor's scheduler on BullMQ: deterministic job ids make re-adding a no-op, and a set per
 * contact and per meeting remembers which jobs to withdraw when the person opts out or the meeting moves.
 */
export const pollSchedulerId = (workspaceId: string) => `calendar-poll.${workspaceId}`;
/**
 * BullMQ keeps a job scheduler's interval in Redis from when it was made: every workspace's poll is
 * set again to the configured interval when a calendar worker starts, so a new
 * OUTREACH_CALENDAR_POLL_MS takes effect at the next start. How many were changed.
 */
export async function refreshPollSchedules(queue: Queue, everyMs: number): Promise<number> {
  let changed = 0;
  for (const s of await queue.getJobSchedulers(0, -1)) {
    if (!s.key.startsWith('calendar-poll.') || Number(s.every) === everyMs) continue;
    await queue.upsertJobScheduler(
      s.key,
      { every: everyMs },
      { name: 'calendar-poll', data: { workspaceId: s.key.slice('calendar-poll.'.length) }, opts: { ...jobRetention, removeOnComplete: { count: 10 } } },
    );
    changed += 1;
  }
  return changed;
}

/** The job that brings a newly connected workspace's live meetings into its calendar. */
export const BACKFILL_JOB = 'calendar-backfill';

export function createBullScheduler(opts: {
  connection: Redis;
  prefix: string;
  queues: Queues;
  clock: Clock;
  attempts?: number;
  retryBaseMs?: number;
  pollEveryMs?: number;
}): EffectScheduler {
  const scopeKey = (scope: string) => `${opts.prefix}:scope:${scope}`;
  const retry = retryPolicy(opts.attempts ?? 6, opts.retryBaseMs ?? 2000);
  /** Every scope membership of the jobs, in one command. */
  const joinScopes = async (members: Map<string, string[]>) => {
    if (members.size === 1) {
      const [[key, list]] = [...members] as [[string, string[]]];
      await opts.connection.sadd(key, ...list);
      return;
    }
    const keys = [...members.keys()];
    const lists = [...members.values()];
    const args = [...lists.map((l) => String(l.length)), ...lists.flat()];
    if (args.length > SCOPE_ADD_MAX_ARGS) {
      const multi = opts.connection.multi();
      for (const [key, list] of members) multi.sadd(key, ...list);
      await multi.exec();
      return;
    }
    try {
      await opts.connection.evalsha(SCOPE_ADD_SHA, keys.length, ...keys, ...args);
    } catch (e) {
      if (!isNoScript(e)) throw e;
      await opts.connection.eval(SCOPE_ADD, keys.length, ...keys, ...args);
    }
  };
  return {
    /** Every queue's failed jobs back in line, counted (EffectScheduler.retryFailed says why). */
    async retryFailed() {
      let count = 0;
      for (const queue of Object.values(opts.queues)) {
        const failed = await queue.getFailedCount();
        if (failed === 0) continue;
        await queue.retryJobs({ state: 'failed', count: 1000 });
        count += failed;
      }
      return count;
    },
    /**
     * The jobs of each queue in one call (addBulk: one pipeline of BullMQ's add scripts, which leave
     * a job id already there as it is, as add does; add itself for a single job, which needs no
     * pipeline), then every scope membership in one atomic step.
     */
    async schedule(jobs: EffectJob[]) {
      if (jobs.length === 0) return;
      const now = Date.parse(opts.clock());
      const byQueue = new Map<QueueName, EffectJob[]>();
      for (const job of jobs) {
        const list = byQueue.get(job.queue);
        if (list) list.push(job);
        else byQueue.set(job.queue, [job]);
      }
      const bulk = (job: EffectJob) => ({
        name: job.data.kind,
        data: job.data,
        opts: {
          jobId: jobIdFor(job.data.key),
          delay: Math.max(0, Date.parse(job.dueAt) - now),
          priority: job.priority,
          ...retry,
          ...jobRetention,
        } satisfies JobsOptions,
      });
      await Promise.all(
        [...byQueue].map(async ([queue, list]) => {
          if (list.length > 1) return opts.queues[queue].addBulk(list.map(bulk));
          const { name, data, opts: jobOpts } = bulk(list[0]!);
          return opts.queues[queue].add(name, data, jobOpts);
        }),
      );
      const members = new Map<string, string[]>();
      const join = (scope: string, member: string) => {
        const key = scopeKey(scope);
        const list = members.get(key);
        if (list) list.push(member);
        else members.set(key, [member]);
      };
      for (const job of jobs) {
        const member = `${job.queue}|${jobIdFor(job.data.key)}`;
        join(`contact:${job.data.contactId}`, member);
        if (job.data.meetingId) join(`meeting:${job.data.meetingId}`, member);
      }
      await joinScopes(members);
    },
    /**
     * The scopes' members read at once; the state of each job of a withdrawn kind, and the removal
     * of those still pending, asked all at once; the scope sets tidied at once. A job running now
     * stays in its scope (it may fail and come back); others leave it.
     */
    async cancel(cancellations: Cancellation[]) {
      if (cancellations.length === 0) return 0;
      let sets: string[][];
      if (cancellations.length === 1) {
        sets = [await opts.connection.smembers(scopeKey(cancellations[0]!.scope))];
      } else {
        const read = opts.connection.pipeline();
        for (const c of cancellations) read.smembers(scopeKey(c.scope));
        sets = ((await read.exec()) ?? []).map(([error, members]) => {
          if (error) throw error;
          return members as string[];
        });
      }
      const jobs = new Map<string, { queue: QueueName; jobId: string; scopes: Set<string> }>();
      cancellations.forEach((c, i) => {
        for (const member of sets[i] ?? []) {
          const [queue, jobId] = member.split('|') as [QueueName, string];
          const kind = effectKeyOf(jobId).split(':')[0];
          if (c.kinds !== 'all' && !(c.kinds as readonly string[]).includes(kind!)) continue;
          const job = jobs.get(member);
          if (job) job.scopes.add(c.scope);
          else jobs.set(member, { queue, jobId, scopes: new Set([c.scope]) });
        }
      });
      if (jobs.size === 0) return 0;
      const states = await Promise.all([...jobs.values()].map((j) => opts.queues[j.queue].getJobState(j.jobId)));
      const removals = await Promise.all([...jobs.values()].map((j, i) => (PENDING.has(states[i]!) ? opts.queues[j.queue].remove(j.jobId) : 0)));
      const leaving: [string, string][] = [];
      [...jobs].forEach(([member, j], i) => {
        if (states[i] !== 'active') for (const scope of j.scopes) leaving.push([scopeKey(scope), member]);
      });
      if (leaving.length === 1) {
        await opts.connection.srem(leaving[0]![0], leaving[0]![1]);
      } else if (leaving.length > 1) {
        const tidy = opts.connection.pipeline();
        for (const [key, member] of leaving) tidy.srem(key, member);
        for (const [error] of (await tidy.exec()) ?? []) if (error) throw error;
      }
      return removals.reduce<number>((n, r) => n + r, 0);
    },
    async poll(changes: PollChange[]) {
      for (const c of changes) {
        if (c.on) {
          await opts.queues.calendar.upsertJobScheduler(
            pollSchedulerId(c.workspaceId),
            { every: opts.pollEveryMs ?? 300_000 },
            {
              name: 'calendar-poll',
              data: { workspaceId: c.workspaceId },
              opts: { ...jobRetention, removeOnComplete: { count: 10 } },
            },
          );
          if (c.backfillFrom) {
            await opts.queues.calendar.add(
              BACKFILL_JOB,
              { workspaceId: c.workspaceId, sourceEventId: c.backfillFrom },
              { jobId: `calendar-backfill.${c.backfillFrom}`, priority: 2, ...retry, ...jobRetention },
            );
          }
        } else {
          await opts.queues.calendar.removeJobScheduler(pollSchedulerId(c.workspaceId));
        }
      }
    },
  };
}

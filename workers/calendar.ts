import { DelayedError, Worker, type Job } from 'bullmq';
import type { Runtime } from '../src/infra/runtime.ts';
import type { EffectData } from '../src/app/effects/effect.ts';
import { performCalendarEffect, type CalendarDeps, type CalendarEffectData } from '../src/app/effects/calendar-effect.ts';
import { pollCalendar } from '../src/app/calendar-sync.ts';
import { load } from '../src/app/handle.ts';
import { workspaceAggregate } from '../src/app/aggregates.ts';
import { QUEUES } from '../src/infra/queue/names.ts';
import { pollSchedulerId } from '../src/infra/queue/scheduler.ts';
import { effectWorkerOptions, failedForGood } from '../src/infra/queue/worker-options.ts';
import { redisSyncTokens } from '../src/infra/calendar-deps.ts';
import { onceInAWhile, type WorkerLog } from '../src/app/worker-log.ts';

type PollData = { workspaceId: string };

/**
 * Wires the calendar queue: effect jobs go to performCalendarEffect, and the per-workspace
 * `calendar-poll` job (from the reactor's job scheduler) to pollCalendar.
 */
export function startCalendarWorker(rt: Runtime, opts: { deps: Omit<CalendarDeps, 'store' | 'clock'>; log: WorkerLog; concurrency?: number }): Worker {
  const deps: CalendarDeps = { ...opts.deps, store: rt.store, clock: rt.clock };
  const tokens = redisSyncTokens(rt.producer, rt.prefix);
  const worker = new Worker<EffectData | PollData>(
    QUEUES.calendar,
    async (job: Job<EffectData | PollData>, token?: string) => {
      if (job.name === 'calendar-poll') return poll(job.data as PollData);
      const data = job.data as CalendarEffectData;
      const result = await performCalendarEffect(data, deps);
      if (result.outcome === 'deferred') {
        opts.log('deferred', { effect: data.key, until: result.until, reason: result.reason });
        await job.moveToDelayed(Date.parse(result.until), token);
        throw new DelayedError();
      }
      opts.log(result.outcome === 'done' ? 'synced' : result.outcome, { effect: data.key, ...('reason' in result ? { reason: result.reason } : { detail: result.detail }) });
      return result;
    },
    {
      connection: rt.workerConnection(),
      prefix: rt.prefix,
      concurrency: opts.concurrency ?? 10,
      ...effectWorkerOptions(rt.env),
    },
  );

  async function poll({ workspaceId }: PollData) {
    const ctx = { store: rt.store, clock: rt.clock, workspaceId, actor: 'worker:calendar-poller' };
    const connected = (await load(ctx, workspaceAggregate, workspaceId)).state.calendar.connected;
    const client = connected && deps.google ? await deps.google.clientFor(workspaceId) : null;
    if (!client || !deps.google) {
      // Disconnected since the scheduler was made: stop polling until a new CalendarConnected.
      await rt.queues.calendar.removeJobScheduler(pollSchedulerId(workspaceId));
      opts.log('poll-stopped', { workspace: workspaceId, reason: 'no calendar connected' });
      return { stopped: true };
    }
    const r = await pollCalendar({ store: rt.store, clock: rt.clock, workspaceId, client, calendarId: deps.google.calendarId, tokens, classify: deps.google.classify });
    opts.log('polled', { workspace: workspaceId, seen: r.seen, changes: r.changes.length, fullSync: r.fullSync });
    return r;
  }

  worker.on('failed', (job, error) => {
    if (!job) return;
    opts.log(failedForGood(job, error) ? 'failed' : 'retrying', { job: job.id, attempt: job.attemptsMade, reason: error.message });
  });
  const error = onceInAWhile(opts.log);
  worker.on('error', (e) => error(e.message));
  return worker;
}

import type { Clock } from '../app/clock.ts';
import { performCalendarEffect, type CalendarDeps, type CalendarEffectData } from '../app/effects/calendar/run.ts';
import { contactScope, meetingScope, SEND_DRAFT, type Cancellation, type EffectJob, type EffectScheduler } from '../app/effects/effect.ts';
import { sendApprovedDraft } from '../app/effects/email/approved.ts';
import { performEmailEffect, type EmailDeps, type EmailEffectData } from '../app/effects/email/run.ts';
import type { SendCounter } from '../app/effects/email/send-counter.ts';
import { replayReactor } from '../app/reactor/runner.ts';
import type { AppContext } from '../app/handle.ts';

/** A clock the demo moves forward by hand: a month of outreach in a few seconds, every event at its moment. */
export function simulatedClock(start: string) {
  let now = new Date(start).toISOString();
  return {
    clock: (() => now) as Clock,
    now: () => now,
    /** Moves to `at`, never back: what happened stays in order. */
    advanceTo(at: string) {
      const iso = new Date(at).toISOString();
      if (iso > now) now = iso;
    },
  };
}

export type SimulatedClock = ReturnType<typeof simulatedClock>;

/** The effect jobs in memory, in the order they come due: the queue the simulated month runs on. */
export function memoryScheduler(): EffectScheduler & { next(until: string): EffectJob | undefined; put(job: EffectJob): void; size(): number } {
  const jobs = new Map<string, EffectJob>();
  const inScope = (job: EffectJob, scope: string) =>
    scope === contactScope(job.data.contactId) || (job.data.meetingId !== undefined && scope === meetingScope(job.data.meetingId));
  return {
    async schedule(list) {
      // A job already queued under its key keeps its place, as BullMQ keeps a job id it already holds.
      for (const job of list) if (!jobs.has(job.data.key)) jobs.set(job.data.key, job);
    },
    async cancel(cancellations: Cancellation[]) {
      let n = 0;
      for (const [key, job] of jobs) {
        if (cancellations.some((c) => inScope(job, c.scope) && (c.kinds === 'all' || c.kinds.includes(job.data.kind)))) {
          jobs.delete(key);
          n++;
        }
      }
      return n;
    },
    // No Google Calendar in the demo: nothing to poll.
    async poll() {},
    put(job) {
      jobs.set(job.data.key, job);
    },
    next(until) {
      let first: EffectJob | undefined;
      for (const job of jobs.values()) {
        if (job.dueAt > until) continue;
        if (!first || job.dueAt < first.dueAt || (job.dueAt === first.dueAt && job.priority < first.priority)) first = job;
      }
      if (first) jobs.delete(first.data.key);
      return first;
    },
    size: () => jobs.size,
  };
}

/** The daily limit's counter in memory: the simulated days are not Redis's days. */
export function memoryCounter(): SendCounter {
  const counts = new Map<string, Set<string>>();
  return {
    async reserve(workspaceId, day, limit, effect) {
      const key = `${workspaceId}|${day}`;
      const held = counts.get(key) ?? new Set<string>();
      counts.set(key, held);
      if (effect !== undefined && held.has(effect)) return true;
      if (held.size >= limit) return false;
      held.add(effect ?? `${held.size}`);
      return true;
    },
  };
}

export type EffectsDeps = {
  store: AppContext['store'];
  sim: SimulatedClock;
  email: Omit<EmailDeps, 'store' | 'clock' | 'counter'>;
  calendar: Omit<CalendarDeps, 'store' | 'clock'>;
};

/**
 * Runs the effects the way the workers would, on the simulated clock: the reactor turns new events
 * into jobs, and each job runs at its due moment (the clock moved there first), so a thank-you is
 * sent two hours after its meeting, in the recipient's business hours, and says so in its event.
 */
export function simulatedEffects(deps: EffectsDeps) {
  const scheduler = memoryScheduler();
  const clock = deps.sim.clock;
  const email: EmailDeps = { ...deps.email, store: deps.store, clock, counter: memoryCounter() };
  const calendar: CalendarDeps = { ...deps.calendar, store: deps.store, clock };
  const tally: Record<string, number> = {};
  let position = 0n;
  const react = async () => {
    const head = (await deps.store.headPosition()) ?? 0n;
    if (head <= position) return;
    await replayReactor({ store: deps.store, clock, scheduler, from: position, consumer: 'demo-simulation' });
    position = head;
  };
  const perform = async (job: EffectJob) => {
    if (job.queue === 'calendar') return performCalendarEffect(job.data as CalendarEffectData, calendar);
    if (job.data.kind === SEND_DRAFT) return sendApprovedDraft(job.data, email);
    return performEmailEffect(job.data as EmailEffectData, email);
  };
  return {
    tally,
    /** Every job due up to `until`, each at its moment; then the clock stands at `until`. */
    async runUntil(until: string) {
      for (;;) {
        await react();
        const job = scheduler.next(until);
        if (!job) break;
        deps.sim.advanceTo(job.dueAt);
        const result = await perform(job);
        const name = ['sent', 'drafted', 'done'].includes(result.outcome) ? `${job.data.kind} ${result.outcome}` : result.outcome;
        tally[name] = (tally[name] ?? 0) + 1;
        if (result.outcome === 'deferred') scheduler.put({ ...job, dueAt: new Date(result.until).toISOString() });
      }
      deps.sim.advanceTo(until);
    },
    pending: () => scheduler.size(),
  };
}

export type SimulatedEffects = ReturnType<typeof simulatedEffects>;

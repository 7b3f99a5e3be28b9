import type { EventStore, StoredEvent } from '../../eventstore/port.ts';
import type { Clock } from '../clock.ts';
import { contactScope, meetingScope, type Cancellation, type EffectJob, type EffectScheduler, type PollChange, type Reaction } from '../effects/effect.ts';
import { eventBatches, throttledCheckpoint } from './batches.ts';
import { react } from './facts.ts';

export const REACTOR_CONSUMER = 'reactor';

type Deps = { store: EventStore; clock: Clock; scheduler: EffectScheduler; consumer?: string };

/** Runs a step, retrying it as the caller's policy says (the live reactor retries; a replay does not). */
type Attempt = <T>(step: () => Promise<T>) => Promise<T>;
const once: Attempt = (step) => step();

/** Events handled together at most: one addBulk and one MULTI for their jobs, a bounded wait for the first. */
const BATCH = 200;

/** Consecutive events' withdrawals, jobs and poll changes, carried out together. */
type Run = { cancel: Cancellation[]; schedule: EffectJob[]; polls: PollChange[] };

/**
 * Groups reactions, in order, into runs whose cancellations can all go first and jobs all after:
 * within one event that is the order itself (a reschedule withdraws the old time's jobs, then
 * schedules the new one's); across events it gives the same result as long as no cancellation
 * withdraws a scope in which an earlier event of the run scheduled a job. A cancellation that does
 * starts a new run, so that job is in Redis (and in its scope) before the cancellation looks.
 * Poll changes touch no effect job or scope: they keep their own order, after the run's jobs.
 */
export function planRuns(reactions: readonly Reaction[]): Run[] {
  const runs: Run[] = [];
  let run: Run = { cancel: [], schedule: [], polls: [] };
  let scheduledIn = new Set<string>();
  for (const r of reactions) {
    if (r.cancel.some((c) => scheduledIn.has(c.scope))) {
      runs.push(run);
      run = { cancel: [], schedule: [], polls: [] };
      scheduledIn = new Set();
    }
    run.cancel.push(...r.cancel);
    run.schedule.push(...r.schedule);
    if (r.polls) run.polls.push(...r.polls);
    for (const job of r.schedule) {
      scheduledIn.add(contactScope(job.data.contactId));
      if (job.data.meetingId) scheduledIn.add(meetingScope(job.data.meetingId));
    }
  }
  if (run.cancel.length + run.schedule.length + run.polls.length > 0) runs.push(run);
  return runs;
}

/** The reactions of consecutive events, carried out; returns how many jobs were scheduled. */
async function handleBatch(events: readonly StoredEvent[], deps: Deps, attempt: Attempt): Promise<number> {
  const reactions: Reaction[] = [];
  for (const event of events) reactions.push(await attempt(() => react(event, deps)));
  for (const run of planRuns(reactions)) {
    // A failed run is tried again as a whole: cancelling and re-adding are both idempotent.
    await attempt(async () => {
      if (run.cancel.length > 0) await deps.scheduler.cancel(run.cancel);
      if (run.schedule.length > 0) await deps.scheduler.schedule(run.schedule);
      if (run.polls.length > 0) await deps.scheduler.poll(run.polls);
    });
  }
  return reactions.reduce((n, r) => n + r.schedule.length, 0);
}

/** A failed step (Redis restarting) is retried with backoff until stopping: the reactor keeps its place instead of dying. */
function retrying(stopping: () => boolean, onError?: (e: unknown) => void): Attempt {
  return async (step) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (e) {
        if (stopping()) throw e;
        onError?.(e);
        await new Promise((r) => setTimeout(r, Math.min(5000, 50 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random())));
      }
    }
  };
}

/**
 * Follows the log from the reactor's checkpoint. Scheduling is idempotent (job ids derive from the
 * event), so the checkpoint may lag behind what was scheduled: a restart re-derives, never loses.
 *
 * Events are handled in batches: those the subscription delivers together (catch-up hands over
 * hundreds at a time, a live append usually one) are gathered until the next turn of the event
 * loop; while a batch is being handled (or once BATCH are waiting) the subscription waits, so what
 * is appended meanwhile makes the next batch. The checkpoint moves only past a batch whose jobs
 * are all added.
 */
export async function startReactor(deps: Deps & { onError?: (e: unknown) => void }) {
  const consumer = deps.consumer ?? REACTOR_CONSUMER;
  let stopping = false;
  const withRetry = retrying(() => stopping, deps.onError);
  const checkpoint = throttledCheckpoint((p) => deps.store.saveCheckpoint(consumer, p), await deps.store.getCheckpoint(consumer));
  let rejectFailed!: (e: unknown) => void;
  const failed = new Promise<never>((_, reject) => {
    rejectFailed = reject;
  });
  failed.catch(() => undefined);
  const batches = eventBatches({
    size: BATCH,
    async handle(batch) {
      await handleBatch(batch, deps, withRetry);
      checkpoint.advance(batch.at(-1)!.position);
      await checkpoint.save();
    },
    // Every step is retried until stopping; a failure (or a checkpoint that cannot be saved) ends the subscription, as a handler's error does.
    onFailure(e) {
      rejectFailed(e);
      void subscription.stop();
    },
  });
  let onCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => {
    onCaughtUp = () =>
      void batches
        .drained()
        .then(() => checkpoint.save(true))
        .then(resolve, resolve);
  });
  const subscription = deps.store.subscribeAll({
    after: checkpoint.position(),
    onEvent: async (event) => batches.push(event),
    onCaughtUp: () => onCaughtUp(),
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
  const done = Promise.race([subscription.done, failed]);
  done.catch(() => undefined);
  return {
    caughtUp,
    done,
    position: () => checkpoint.position(),
    async stop() {
      stopping = true;
      await subscription.stop();
      // What was delivered is still handled (a failure now is not retried: the checkpoint stays before it).
      await batches.drained().catch(() => undefined);
      await checkpoint.save(true);
    },
  };
}

/**
 * Derive every job again from a position (0 after Redis was wiped). Jobs whose effect already
 * happened are created too; the worker finds their result event and skips them.
 */
export async function replayReactor(deps: Deps & { from: bigint; onProgress?: (done: number, total: number) => void }) {
  const consumer = deps.consumer ?? REACTOR_CONSUMER;
  const head = (await deps.store.headPosition()) ?? 0n;
  const total = Number(head - deps.from);
  let after: bigint | null = deps.from;
  let events = 0;
  let scheduled = 0;
  for (;;) {
    const batch = await deps.store.readAll({ after, maxCount: 1000 });
    if (batch.length === 0) break;
    for (let i = 0; i < batch.length; i += BATCH) {
      const part = batch.slice(i, i + BATCH);
      scheduled += await handleBatch(part, deps, once);
      events += part.length;
      after = part.at(-1)!.position;
    }
    deps.onProgress?.(Number(after! - deps.from), total);
  }
  const current = await deps.store.getCheckpoint(consumer);
  if (after !== null && (current === null || after > current)) await deps.store.saveCheckpoint(consumer, after);
  const retried = (await deps.scheduler.retryFailed?.()) ?? 0;
  return { events, scheduled, retried };
}

import type { EventStore, StoredEvent } from '../../eventstore/port.ts';
import type { Clock } from '../clock.ts';
import { contactScope, meetingScope, type Cancellation, type EffectJob, type EffectScheduler, type PollChange, type Reaction } from '../effects/effect.ts';
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
  // A failed step (Redis restarting) is retried with backoff: the reactor keeps its place instead of dying.
  const withRetry: Attempt = async (step) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (e) {
        if (stopping) throw e;
        deps.onError?.(e);
        await new Promise((r) => setTimeout(r, Math.min(5000, 50 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random())));
      }
    }
  };
  let last = await deps.store.getCheckpoint(consumer);
  let saved = last;
  let lastSaveAt = 0;
  let resolveCaughtUp!: () => void;
  const caughtUp = new Promise<void>((r) => {
    resolveCaughtUp = r;
  });
  const save = async (force = false) => {
    if (last === null || last === saved || (!force && Date.now() - lastSaveAt < 200)) return;
    await deps.store.saveCheckpoint(consumer, last);
    saved = last;
    lastSaveAt = Date.now();
  };

  /** Delivered, not yet handled, in log order. */
  let pending: StoredEvent[] = [];
  let flushing: Promise<void> | null = null;
  let flushQueued = false;
  let failure: { error: unknown } | undefined;
  let rejectFailed!: (e: unknown) => void;
  const failed = new Promise<never>((_, reject) => {
    rejectFailed = reject;
  });
  failed.catch(() => undefined);
  /** Handles what is pending, batch by batch; one flush at a time, which takes what arrives meanwhile too. */
  const flush = (): Promise<void> => {
    if (flushing) return flushing;
    // With nothing pending the body below would finish synchronously, clearing `flushing` before it
    // is assigned and leaving a settled promise in it for good: return early instead.
    if (pending.length === 0) return Promise.resolve();
    flushing = (async () => {
      try {
        while (pending.length > 0) {
          const batch = pending.length <= BATCH ? pending : pending.slice(0, BATCH);
          pending = pending.length <= BATCH ? [] : pending.slice(BATCH);
          await handleBatch(batch, deps, withRetry);
          last = batch.at(-1)!.position;
          await save();
        }
      } finally {
        flushing = null;
      }
    })();
    return flushing;
  };
  /** Everything delivered so far handled (or its handling given up, when stopping). */
  const drained = async () => {
    while (flushing || pending.length > 0) await flush();
  };

  const subscription = deps.store.subscribeAll({
    after: last,
    onEvent: async (event) => {
      if (failure) throw failure.error;
      pending.push(event);
      // While a batch is being handled, or once enough are waiting, the subscription waits for them:
      // what is held in memory stays bounded, and the events appended meanwhile are read together.
      if (flushing || pending.length >= BATCH) return flush();
      if (!flushQueued) {
        flushQueued = true;
        setImmediate(() => {
          flushQueued = false;
          // Every step is retried until stopping; a failure (or a checkpoint that cannot be saved) ends the subscription, as a handler's error does.
          flush().catch((e: unknown) => {
            failure ??= { error: e };
            rejectFailed(e);
            void subscription.stop();
          });
        });
      }
    },
    onCaughtUp: () => {
      void drained()
        .then(() => save(true))
        .then(resolveCaughtUp, resolveCaughtUp);
    },
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
  const done = Promise.race([subscription.done, failed]);
  done.catch(() => undefined);
  return {
    caughtUp,
    done,
    position: () => last,
    async stop() {
      stopping = true;
      await subscription.stop();
      // What was delivered is still handled (a failure now is not retried: the checkpoint stays before it).
      await drained().catch(() => undefined);
      await save(true);
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

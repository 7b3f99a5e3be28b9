import type { EventStore, StoredEvent } from '../eventstore/port.ts';
import type { Clock } from './clock.ts';
import type { EffectScheduler } from './effects/effect.ts';
import { react } from './reactor.ts';

export const REACTOR_CONSUMER = 'reactor';

type Deps = { store: EventStore; clock: Clock; scheduler: EffectScheduler; consumer?: string };

async function handle(event: StoredEvent, deps: Deps) {
  const reaction = await react(event, deps);
  // Withdraw first: a reschedule cancels the old time's jobs, then schedules the new one's.
  if (reaction.cancel.length > 0) await deps.scheduler.cancel(reaction.cancel);
  if (reaction.schedule.length > 0) await deps.scheduler.schedule(reaction.schedule);
  if (reaction.polls?.length) await deps.scheduler.poll(reaction.polls);
  return reaction.schedule.length;
}

/**
 * Follows the log from the reactor's checkpoint. Scheduling is idempotent (job ids derive from the
 * event), so the checkpoint may lag behind what was scheduled: a restart re-derives, never loses.
 */
export async function startReactor(deps: Deps & { onError?: (e: unknown) => void }) {
  const consumer = deps.consumer ?? REACTOR_CONSUMER;
  let stopping = false;
  // A failed schedule (Redis restarting) is retried with backoff: the reactor keeps its place instead of dying.
  const handleWithRetry = async (event: StoredEvent) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await handle(event, deps);
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
  const caughtUp = new Promise<void>((r) => { resolveCaughtUp = r; });
  const save = async (force = false) => {
    if (last === null || last === saved || (!force && Date.now() - lastSaveAt < 200)) return;
    await deps.store.saveCheckpoint(consumer, last);
    saved = last;
    lastSaveAt = Date.now();
  };
  const subscription = deps.store.subscribeAll({
    after: last,
    onEvent: async (event) => {
      await handleWithRetry(event);
      last = event.position;
      await save();
    },
    onCaughtUp: () => { void save(true).then(resolveCaughtUp, resolveCaughtUp); },
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
  return {
    caughtUp,
    done: subscription.done,
    position: () => last,
    async stop() {
      stopping = true;
      await subscription.stop();
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
    for (const event of batch) {
      scheduled += await handle(event, deps);
      events += 1;
      after = event.position;
    }
    deps.onProgress?.(Number(after! - deps.from), total);
  }
  const current = await deps.store.getCheckpoint(consumer);
  if (after !== null && (current === null || after > current)) await deps.store.saveCheckpoint(consumer, after);
  return { events, scheduled };
}

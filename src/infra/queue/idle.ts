import type { Queue } from 'bullmq';

export type QueueSnapshot = {
  queue: string;
  counts: Record<string, number>;
  /** The next delayed jobs, soonest first, with when they are due. */
  next: { id: string; name: string; dueAt: string }[];
};

export async function snapshot(queue: Queue, nextCount = 5): Promise<QueueSnapshot> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
  const delayed = await queue.getDelayed(0, 200);
  const next = delayed
    .map((j) => ({ id: j.id ?? '', name: j.name, dueAt: new Date(j.timestamp + (j.delay ?? 0)).toISOString() }))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
    .slice(0, nextCount);
  return { queue: queue.name, counts, next };
}

/** Nothing to do now: nothing waiting or running, and every delayed job is due later. */
export async function isIdle(queues: Queue[], now: number): Promise<boolean> {
  for (const q of queues) {
    const c = await q.getJobCounts('waiting', 'prioritized', 'active');
    if ((c['waiting'] ?? 0) + (c['prioritized'] ?? 0) + (c['active'] ?? 0) > 0) return false;
    const soonest = await q.getDelayed(0, 0);
    // getDelayed is ordered by due time; one due now means the worker is about to take it.
    const first = soonest[0];
    if (first && first.timestamp + (first.delay ?? 0) <= now + 50) return false;
  }
  return true;
}

import { DateTime } from 'luxon';
import { dayKey, nextBusinessMoment, type Window } from '../../domain/scheduling.ts';

/** Counts sends per workspace and day; `reserve` takes a slot only while the day has room. */
export interface SendCounter {
  reserve(workspaceId: string, day: string, limit: number): Promise<boolean>;
}

export function memoryCounter(): SendCounter & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    async reserve(workspaceId, day, limit) {
      const key = `${workspaceId}|${day}`;
      const n = counts.get(key) ?? 0;
      if (n >= limit) return false;
      counts.set(key, n + 1);
      return true;
    },
  };
}

/**
 * A send on a full day waits for the next business window of the seeker's week, where it is
 * checked again: deferred as often as needed, never dropped.
 */
export async function takeSendSlot(counter: SendCounter, input: { workspaceId: string; now: string; limit: number } & Window) {
  const day = dayKey(input.now, input.zone);
  if (await counter.reserve(input.workspaceId, day, input.limit)) return { ok: true as const };
  const tomorrow = DateTime.fromISO(input.now).setZone(input.zone).plus({ days: 1 }).startOf('day').toUTC().toISO()!;
  return { ok: false as const, until: nextBusinessMoment(tomorrow, input), day };
}

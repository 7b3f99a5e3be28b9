import { DateTime } from 'luxon';
import { dayKey, nextBusinessMoment, type Window } from '../../domain/scheduling.ts';

/**
 * Counts sends per workspace and day; `reserve` takes a slot only while the day has room. A slot
 * belongs to an effect: the same effect asking again that day (a retry after a 421, a connection
 * cut, a worker that died) gets the slot it already holds, so failed attempts do not use up the
 * day's limit and defer other mail that is due.
 */
export interface SendCounter {
  reserve(workspaceId: string, day: string, limit: number, effect?: string): Promise<boolean>;
}

export function memoryCounter(): SendCounter & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const holders = new Map<string, Set<string>>();
  return {
    counts,
    async reserve(workspaceId, day, limit, effect) {
      const key = `${workspaceId}|${day}`;
      const held = holders.get(key) ?? new Set<string>();
      if (effect !== undefined && held.has(effect)) return true;
      const n = counts.get(key) ?? 0;
      if (n >= limit) return false;
      counts.set(key, n + 1);
      if (effect !== undefined) holders.set(key, held.add(effect));
      return true;
    },
  };
}

/**
 * A send on a full day waits for the next business window of the seeker's week, where it is
 * checked again: deferred as often as needed, never dropped.
 */
export async function takeSendSlot(counter: SendCounter, input: { workspaceId: string; now: string; limit: number; effect?: string } & Window) {
  const day = dayKey(input.now, input.zone);
  if (await counter.reserve(input.workspaceId, day, input.limit, input.effect)) return { ok: true as const };
  const tomorrow = DateTime.fromISO(input.now).setZone(input.zone).plus({ days: 1 }).startOf('day').toUTC().toISO()!;
  return { ok: false as const, until: nextBusinessMoment(tomorrow, input), day };
}

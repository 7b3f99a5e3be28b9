import { dayKey, nextBusinessDay, type Window } from '../../../domain/scheduling.ts';

/**
 * Counts sends per workspace and day; `reserve` takes a slot only while the day has room. A slot
 * belongs to an effect: the same effect asking again that day (a retry after a 421, a connection
 * cut, a worker that died) gets the slot it already holds, so failed attempts do not use up the
 * day's limit and defer other mail that is due.
 */
export interface SendCounter {
  reserve(workspaceId: string, day: string, limit: number, effect?: string): Promise<boolean>;
}

/** The limit an email to a contact counts against: the seeker's, per day of the seeker's week. */
export type DailyLimit = { workspaceId: string; limit: number; window: Window; recipientZone: string };

/** A slot for this effect today, or the moment to try again (the next day's business hours). */
export async function takeSendSlot(counter: SendCounter, limit: DailyLimit, now: string, effect: string) {
  const day = dayKey(now, limit.window.zone);
  if (await counter.reserve(limit.workspaceId, day, limit.limit, effect)) return { ok: true as const };
  return {
    ok: false as const,
    until: nextBusinessDay(now, limit.window),
    reason: `the daily limit of ${limit.limit} emails for ${day} is reached (recipient zone ${limit.recipientZone})`,
  };
}

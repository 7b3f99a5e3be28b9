import type { AppContext } from '../../handle.ts';
import { cancelMeeting, rescheduleMeeting } from '../../meeting-commands.ts';
import type { CalendarEvent } from './api.ts';
import { readCalendarChange } from './changes.ts';
import type { CalendarFacts } from './facts.ts';
import type { CalendarCallOutcome, CalendarExecutor, CalendarIntent } from './intent.ts';

/**
 * An event read from Google that we did not write, taken as the poller would take it: deleted
 * there → the meeting is cancelled (source calendar); moved there later than the seeker's own
 * change not yet pushed → its time (MeetingRescheduled, source calendar). What was done, or null.
 */
export async function takeCalendarEdit(ctx: AppContext, meetingId: string, current: CalendarEvent, facts: CalendarFacts): Promise<string | null> {
  const changes = readCalendarChange(current, facts.meeting, facts.contact);
  const move = changes.find((c) => c.type === 'reschedule');
  if (changes.some((c) => c.type === 'cancel')) {
    await cancelMeeting(ctx, { meeting: meetingId, by: 'seeker', reason: 'deleted in the calendar' }, 'calendar');
    return 'was deleted in the calendar meanwhile: the meeting is cancelled';
  }
  if (move?.type !== 'reschedule') return null;
  await rescheduleMeeting(ctx, { meeting: meetingId, at: move.at, minutes: move.minutes, timezone: move.timezone }, 'calendar', move.version);
  return `was moved in the calendar after the seeker's change: the calendar's time (${move.at}) is kept`;
}

/** What became of a push that met a newer version of its event (412). */
export type Settled = { settled: 'calendar'; detail: string } | { settled: 'pushed'; result: CalendarCallOutcome };

/**
 * A patch refused with 412: the event changed in the calendar since the version we knew. Read as the
 * poller would read it, against the meeting: deleted there → the meeting is cancelled (source
 * calendar); moved there later than the seeker's own change → the calendar's time is recorded
 * (MeetingRescheduled, source calendar) and nothing is pushed; otherwise (an earlier move, or a
 * change that is not the time, like the contact's answer) the seeker's time is pushed again on the
 * version just read. A second 412 is left to the queue's retry.
 */
export async function settleStale(
  ctx: AppContext,
  meetingId: string,
  intent: Extract<CalendarIntent, { kind: 'google' }>,
  current: CalendarEvent,
  facts: CalendarFacts,
  executor: CalendarExecutor,
): Promise<Settled> {
  const taken = await takeCalendarEdit(ctx, meetingId, current, facts);
  if (taken) return { settled: 'calendar', detail: `${intent.eventId} ${taken}` };
  const result = await executor.run({ ...intent, ifMatch: current.etag ?? undefined });
  if (result.outcome === 'stale') throw new Error(`Google event ${intent.eventId} changed again while it was being updated; trying again`);
  return { settled: 'pushed', result };
}

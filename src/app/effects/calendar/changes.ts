import type { ContactState } from '../../../domain/contact.ts';
import { isOpen, type CalendarEditNeedingDecision, type CalendarVersion, type MeetingState } from '../../../domain/meeting.ts';
import type { CalendarEvent } from './api.ts';

type Response = 'accepted' | 'declined' | 'tentative' | 'needsAction';
const RESPONSES = new Set<string>(['accepted', 'declined', 'tentative', 'needsAction']);

/** What an event changed in the calendar asks of its meeting, in the order to apply it. */
export type CalendarChange =
  | { type: 'cancel' }
  | { type: 'reschedule'; at: string; minutes: number; timezone: string; version?: CalendarVersion | undefined }
  | { type: 'respond'; response: Response }
  | { type: 'needs-decision'; edit: CalendarEditNeedingDecision };

type Time = { start: string; minutes: number };
const sameTime = (a: Time, b: Time) => Date.parse(a.start) === Date.parse(b.start) && a.minutes === b.minutes;
const after = (a: string | null | undefined, b: string | undefined) => !!a && (!b || Date.parse(a) > Date.parse(b));

/** The time an event holds, when it is one a meeting can take (a timed event of 5–240 minutes). */
function timeOf(item: CalendarEvent): Time | null {
  const start = item.start?.dateTime;
  const end = item.end?.dateTime;
  if (!start || !end) return null;
  const minutes = Math.round((Date.parse(end) - Date.parse(start)) / 60_000);
  return minutes >= 5 && minutes <= 240 ? { start, minutes } : null;
}

/** An event's time that no meeting can take: all-day, or a length outside 5–240 minutes. */
function unmappable(item: CalendarEvent): Omit<CalendarEditNeedingDecision, 'calendarVersion'> | null {
  if (item.start?.date) return { reason: 'all-day', date: item.start.date };
  const start = item.start?.dateTime;
  const end = item.end?.dateTime;
  if (!start || !end) return null;
  return { reason: 'length', start, minutes: Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 60_000)) };
}

/** The version of an event Google answered or listed, as the log records it. */
export function versionOf(item: CalendarEvent): CalendarVersion | undefined {
  if (!item.etag) return undefined;
  const time =
    item.start?.dateTime && item.end?.dateTime
      ? { start: item.start.dateTime, minutes: Math.round((Date.parse(item.end.dateTime) - Date.parse(item.start.dateTime)) / 60_000) }
      : null;
  return {
    etag: item.etag,
    ...(item.updated ? { updated: item.updated } : {}),
    ...(typeof item.sequence === 'number' ? { sequence: item.sequence } : {}),
    ...(time && time.minutes >= 1 ? time : {}),
  };
}

/**
 * Whether the time an event holds is an edit made in the calendar that the meeting should take.
 * A version we wrote (or already read) is not an edit. The calendar moved the event when its time
 * differs from the last time we know it held (the booking, while we know of no write). A time the
 * seeker set that is not yet in Google wins, unless the calendar's edit was made later than it: the
 * later change by time wins.
 */
function timeChange(item: CalendarEvent, meeting: MeetingState): CalendarChange | null {
  const booking = meeting.booking!;
  const known = meeting.google;
  if (known?.etag && item.etag === known.etag) return null;
  const listed = timeOf(item);
  const odd = listed ? null : unmappable(item);
  if ((!listed && !odd) || (listed && (sameTime(listed, booking) || sameTime(listed, known ?? booking)))) return null;
  const seekerPending = !known || !sameTime(known, booking);
  if (seekerPending && !after(item.updated, meeting.seekerChangedAt)) return null;
  if (odd) return { type: 'needs-decision', edit: { ...odd, calendarVersion: versionOf(item) } };
  if (!listed) return null;
  return { type: 'reschedule', at: listed.start, minutes: listed.minutes, timezone: item.start?.timeZone ?? booking.timezone, version: versionOf(item) };
}

/**
 * The poller's reading of one event the product owns, as Google lists it now, against the meeting
 * it belongs to: deleted → cancel (a deleted event is listed by its id alone); moved in the
 * calendar → reschedule (timeChange says when), or to a time no meeting can take → the seeker's
 * decision is asked; the contact's answer changed → record it. Nothing,
 * when the meeting has no booking to change.
 */
export function readCalendarChange(item: CalendarEvent, meeting: MeetingState, contact: ContactState): CalendarChange[] {
  if (!meeting.booking) return [];
  if (item.status === 'cancelled') return isOpen(meeting) ? [{ type: 'cancel' }] : [];
  if (meeting.status !== 'booked') return [];
  const changes: CalendarChange[] = [];
  const time = timeChange(item, meeting);
  if (time) changes.push(time);
  const email = contact.details?.email;
  const response = item.attendees?.find((a) => a.email?.toLowerCase() === email)?.responseStatus;
  if (email && response && RESPONSES.has(response) && response !== (meeting.attendeeResponse ?? 'needsAction'))
    changes.push({ type: 'respond', response: response as Response });
  return changes;
}

import type { ContactState } from '../../../domain/contact.ts';
import { isOpen, type MeetingState } from '../../../domain/meeting.ts';
import type { CalendarEvent } from './api.ts';

type Response = 'accepted' | 'declined' | 'tentative' | 'needsAction';
const RESPONSES = new Set<string>(['accepted', 'declined', 'tentative', 'needsAction']);

/** What an event changed in the calendar asks of its meeting, in the order to apply it. */
export type CalendarChange =
  | { type: 'cancel' }
  | { type: 'reschedule'; at: string; minutes: number; timezone: string }
  | { type: 'respond'; response: Response };

/**
 * The poller's reading of one event the product owns, as Google lists it now, against the meeting
 * it belongs to: deleted → cancel; moved or resized within 5–240 minutes → reschedule; the
 * contact's response changed → record it. Nothing, when the meeting has no booking to change.
 */
export function readCalendarChange(item: CalendarEvent, meeting: MeetingState, contact: ContactState): CalendarChange[] {
  if (!meeting.booking) return [];
  if (item.status === 'cancelled') return isOpen(meeting) ? [{ type: 'cancel' }] : [];
  if (meeting.status !== 'booked') return [];
  const changes: CalendarChange[] = [];
  const startIso = item.start?.dateTime;
  const endIso = item.end?.dateTime;
  if (startIso && endIso) {
    const minutes = Math.round((Date.parse(endIso) - Date.parse(startIso)) / 60_000);
    const moved = Date.parse(startIso) !== Date.parse(meeting.booking.start) || minutes !== meeting.booking.minutes;
    if (moved && minutes >= 5 && minutes <= 240)
      changes.push({ type: 'reschedule', at: startIso, minutes, timezone: item.start?.timeZone ?? meeting.booking.timezone });
  }
  const email = contact.details?.email;
  const response = item.attendees?.find((a) => a.email?.toLowerCase() === email)?.responseStatus;
  if (email && response && RESPONSES.has(response) && response !== meeting.attendeeResponse) changes.push({ type: 'respond', response: response as Response });
  return changes;
}

import type { ContactState } from '../../domain/contact.ts';
import type { MeetingState } from '../../domain/meeting.ts';
import type { WorkspaceConfig } from '../../domain/workspace.ts';
import { buildIcs } from '../../infra/mail/ics.ts';

/** The calendar event's UID is the meeting's: every later invitation updates or cancels the same event. */
export const icsUid = (meetingId: string, domain: string) => `${meetingId}@${domain}`;

/**
 * The invitation for a meeting's current state: REQUEST with the booking's SEQUENCE (raised by each
 * reschedule), or CANCEL once cancelled. The same text goes in the email and the calendar folder.
 */
export function meetingIcs(input: {
  meetingId: string; meeting: MeetingState; contact: ContactState; ws: WorkspaceConfig; domain: string;
  summary: string; description: string; now: string;
}): { method: 'REQUEST' | 'CANCEL'; content: string } | null {
  const booking = input.meeting.booking;
  if (!booking) return null;
  const cancelled = input.meeting.status === 'cancelled';
  const method = cancelled ? 'CANCEL' as const : 'REQUEST' as const;
  return {
    method,
    content: buildIcs({
      uid: icsUid(input.meetingId, input.domain),
      sequence: cancelled ? input.meeting.sequence + 1 : input.meeting.sequence,
      method,
      start: booking.start, minutes: booking.minutes, timezone: booking.timezone,
      summary: input.summary, description: input.description,
      organizer: { name: input.ws.ownerName, email: input.ws.ownerEmail },
      attendee: { name: input.contact.details?.name ?? 'Contact', email: input.contact.details?.email ?? input.ws.ownerEmail },
      location: booking.location, url: booking.videoUrl, now: input.now,
    }),
  };
}

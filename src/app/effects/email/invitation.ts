import type { ContactState } from '../../../domain/contact.ts';
import type { MeetingState } from '../../../domain/meeting.ts';
import type { WorkspaceConfig } from '../../../domain/workspace.ts';

export type Person = { name: string; email: string };

/**
 * A calendar invitation as data: the executor writes it as an .ics (RFC 5545), with the summary
 * and description of the rendered email or calendar text.
 */
export type Invitation = {
  uid: string;
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  /** ISO 8601 with an offset: the instant the meeting starts. */
  start: string;
  minutes: number;
  /** IANA zone the times are written in. */
  timezone: string;
  organizer: Person;
  attendee: Person;
  location?: string | undefined;
  url?: string | undefined;
  /** ISO instant for DTSTAMP: passed in, so the same input gives the same bytes. */
  now: string;
};

/** The calendar event's UID is the meeting's: every later invitation updates or cancels the same event. */
export const icsUid = (meetingId: string, domain: string) => `${meetingId}@${domain}`;

/**
 * The invitation for a meeting's current state: REQUEST with the booking's SEQUENCE (raised by each
 * reschedule), or CANCEL once cancelled. The same text goes in the email and the calendar folder.
 */
export function meetingInvitation(input: {
  meetingId: string;
  meeting: MeetingState;
  contact: ContactState;
  ws: WorkspaceConfig;
  domain: string;
  now: string;
}): Invitation | null {
  const booking = input.meeting.booking;
  if (!booking) return null;
  const cancelled = input.meeting.status === 'cancelled';
  return {
    uid: icsUid(input.meetingId, input.domain),
    sequence: cancelled ? input.meeting.sequence + 1 : input.meeting.sequence,
    method: cancelled ? 'CANCEL' : 'REQUEST',
    start: booking.start,
    minutes: booking.minutes,
    timezone: booking.timezone,
    organizer: { name: input.ws.ownerName, email: input.ws.ownerEmail },
    attendee: { name: input.contact.details?.name ?? 'Contact', email: input.contact.details?.email ?? input.ws.ownerEmail },
    location: booking.location,
    url: booking.videoUrl,
    now: input.now,
  };
}

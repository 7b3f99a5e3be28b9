import type { ContactEvent, EventOf, MeetingEvent, WorkspaceEvent } from '../../src/domain/events.ts';
import { evolveContact, initialContact, type ContactState } from '../../src/domain/contact.ts';

export const NOW = '2026-11-30T12:00:00.000Z';
export const CONTACT_ID = '01a22886-c6a0-70f9-ab35-52ff5a5432b4';
export const MEETING_ID = '01a22886-cd0e-72c7-98fb-c8b5ea28f5ff';
export const OTHER_ID = '01a22886-cd0e-72c7-98fb-c8b5ea28f600';

export const configured = (over: Partial<EventOf<'WorkspaceConfigured'>['data']> = {}): WorkspaceEvent => ({
  type: 'WorkspaceConfigured',
  data: {
    ownerName: 'Sam Seeker',
    ownerEmail: 'sam@example.com',
    objective: 'Learn how data teams hire',
    timezone: 'Europe/London',
    businessHours: { start: '09:00', end: '17:30', days: [1, 2, 3, 4, 5] },
    thankYouDelay: 'PT2H',
    thankYouDeadline: 'PT24H',
    keepInTouchCadence: 'P6W',
    nudgeAfter: 'P5D',
    dailySendLimit: 50,
    configuredAt: NOW,
    ...over,
  },
});

export const contactAdded = (over: Partial<EventOf<'ContactAdded'>['data']> = {}): ContactEvent => ({
  type: 'ContactAdded',
  data: { contactId: CONTACT_ID, name: 'Ada Lovelace', email: 'ada@example.org', tags: [], source: 'friend', addedAt: NOW, ...over },
});

export const contactWith = (...events: ContactEvent[]): ContactState => events.reduce(evolveContact, initialContact());

export const requested = (over: Partial<EventOf<'MeetingRequested'>['data']> = {}): MeetingEvent => ({
  type: 'MeetingRequested',
  data: { meetingId: MEETING_ID, contactId: CONTACT_ID, channel: 'email', via: 'direct', minutes: 20, requestedAt: '2026-11-20T10:00:00Z', ...over },
});
export const outreachSent: MeetingEvent = { type: 'OutreachEmailSent', data: { messageId: '<m1@outreach>', sentAt: '2026-11-20T10:01:00Z' } };
export const booked = (start = '2026-11-25T10:00:00-05:00'): MeetingEvent => ({
  type: 'MeetingBooked',
  data: { start, minutes: 20, timezone: 'America/New_York', bookedAt: '2026-11-21T09:00:00Z' },
});
export const held = (heldAt = '2026-11-25T10:25:00-05:00'): MeetingEvent => ({
  type: 'MeetingHeld',
  data: { heldAt, actualMinutes: 25, referralsAsked: 2, businessCards: 1 },
});

import { DateTime } from 'luxon';
import { defer, perform, skip, type Decision, type Defer } from '../decision.ts';
import { emailVariables } from '../email/content.ts';
import { meetingInvitation } from '../email/invitation.ts';
import type { CalendarEvent, SendUpdates } from './api.ts';
import { googleEventIdFor } from './event-id.ts';
import type { CalendarEffectData, CalendarFacts } from './facts.ts';
import type { CalendarCallOutcome, CalendarIntent } from './intent.ts';

export type CalendarDecisionContext = {
  now: string;
  messageDomain?: string | undefined;
  /** Google Calendar as configured (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET), or absent. */
  google?: { calendarId: string; sendUpdates: SendUpdates } | undefined;
};

/** The Google event of a meeting's current booking, without the words the template gives it. */
function eventOf(data: CalendarEffectData, facts: CalendarFacts, eventId: string): CalendarEvent {
  const booking = facts.meeting.booking!;
  const details = facts.contact.details;
  const start = DateTime.fromISO(booking.start, { setZone: true });
  return {
    id: eventId,
    status: 'confirmed',
    location: booking.location ?? booking.videoUrl ?? null,
    start: { dateTime: start.toISO(), timeZone: booking.timezone },
    end: { dateTime: start.plus({ minutes: booking.minutes }).toISO(), timeZone: booking.timezone },
    attendees: details?.email ? [{ email: details.email, displayName: details.name }] : [],
    reminders: {
      useDefault: false,
      overrides: [
        { method: 'popup', minutes: 30 },
        { method: 'email', minutes: 24 * 60 },
      ],
    },
    extendedProperties: { private: { meetingId: data.meetingId!, workspaceId: data.workspaceId, source: 'outreach' } },
  };
}

/**
 * Whether a calendar effect is still due, and if so the write: the `.ics` file always mirrors the
 * meeting's current state (writing it again is harmless); a Google call only while a calendar is
 * connected, once (its result event), and only in the state it is for.
 */
export function decideCalendar(data: CalendarEffectData, facts: CalendarFacts, ctx: CalendarDecisionContext): Decision<CalendarIntent> {
  const ws = facts.workspace.config;
  const { meeting, contact } = facts;
  if (!ws || !data.meetingId) return skip('the workspace is not configured');
  if (!meeting.booking) return skip('the meeting was never booked');
  const variables = emailVariables('calendar-event', { ws, contact, meeting, facts: facts.content });
  if (data.kind === 'calendar-file') {
    const domain = ctx.messageDomain ?? ws.ownerEmail.split('@')[1]!;
    const invitation = meetingInvitation({ meetingId: data.meetingId, meeting, contact, ws, domain, now: meeting.bookedAt ?? ctx.now })!;
    return perform({ kind: 'write-file', meetingId: data.meetingId, invitation, variables });
  }
  if (!facts.workspace.calendar.connected) return skip('no calendar is connected');
  if (!ctx.google) return skip('Google Calendar is not configured (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET)');
  if (facts.done) return skip('already done: its result event is stored');
  if (data.kind === 'google-delete' && meeting.status !== 'cancelled') return skip(`the meeting is ${meeting.status}, not cancelled`);
  if (data.kind !== 'google-delete' && meeting.status !== 'booked') return skip(`the meeting is ${meeting.status.replace('_', ' ')}`);
  const eventId = googleEventIdFor(data.meetingId);
  // A new time for a meeting we never made an event for (booked before connecting) makes one.
  const known = meeting.google;
  const call =
    data.kind === 'google-create' || (data.kind === 'google-update' && !known)
      ? ('insert' as const)
      : data.kind === 'google-update'
        ? ('patch' as const)
        : ('delete' as const);
  return perform({
    kind: 'google',
    call,
    workspaceId: data.workspaceId,
    calendarId: ctx.google.calendarId,
    eventId,
    sendUpdates: ctx.google.sendUpdates,
    event: eventOf(data, facts, eventId),
    change: call === 'insert' ? 'created' : call === 'patch' ? 'updated' : 'deleted',
    ...(call === 'patch' && known?.etag ? { ifMatch: known.etag } : {}),
    variables,
  });
}

/** How backing off after a rate limit goes: the first wait, how many waits came before, and a random number in [0, 1) for the jitter. */
export type Backoff = { baseMs: number; deferrals: number; random: number };
const MAX_BACKOFF_MS = 64_000;

/**
 * How long to wait after Google asked us to: its Retry-After when it sent one; else Google's
 * exponential backoff — the base doubled for each wait before, plus up to one base of random jitter
 * (so that many jobs refused together do not come back together), at most 64 s; an hour for quota
 * (it resets over hours).
 */
export function waitAfterRefusal(outcome: CalendarCallOutcome, now: string, backoff: Backoff): Defer | null {
  const at = (ms: number) => new Date(Date.parse(now) + ms).toISOString();
  if (outcome.outcome === 'rate-limited') {
    const exponential = Math.min(MAX_BACKOFF_MS, backoff.baseMs * 2 ** Math.min(backoff.deferrals, 16) + Math.floor(backoff.random * backoff.baseMs));
    return defer(at(outcome.retryAfterMs ?? exponential), outcome.message);
  }
  // Invitation and usage limits reset over hours: wait, never drop.
  if (outcome.outcome === 'quota-exceeded') return defer(at(3_600_000), outcome.message);
  return null;
}

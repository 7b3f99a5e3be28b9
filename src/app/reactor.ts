import type { StoredEvent } from '../eventstore/port.ts';
import type { EventOf } from '../domain/events.ts';
import { keepInTouchDue, nextBusinessMoment, nudgeDue, prepBriefDue, thankYouDue, type Window } from '../domain/scheduling.ts';
import { contactAggregate, meetingAggregate, workspaceAggregate } from './aggregates.ts';
import { load, type AppContext } from './handle.ts';
import {
  contactScope, effectKey, ERASE_EFFECT, isCalendarEffect, meetingScope, PRIORITY, type EffectKind, type EffectJob, type Reaction,
} from './effects/effect.ts';

type Deps = Pick<AppContext, 'store' | 'clock'>;
const none: Reaction = { schedule: [], cancel: [] };
const contactIdOfStream = (stream: string) => stream.slice('contact-'.length);
const meetingIdOfStream = (stream: string) => stream.slice('meeting-'.length);

/**
 * What an event asks of the outside world: effects to schedule (with their due times from the
 * scheduling rules) and pending ones to withdraw. Reads the streams it needs; writes nothing.
 */
export async function react(event: StoredEvent, deps: Deps): Promise<Reaction> {
  const workspaceId = event.metadata['workspaceId'];
  if (typeof workspaceId !== 'string') return none;
  const ctx: AppContext = { ...deps, workspaceId, actor: 'reactor' };
  const data = event.data as never;

  // Each stream is loaded once per event, however many questions are asked of it.
  let workspaceLoaded: ReturnType<typeof loadWorkspace> | undefined;
  const loadWorkspace = () => load(ctx, workspaceAggregate, workspaceId);
  const workspaceState = async () => (await (workspaceLoaded ??= loadWorkspace())).state;
  const workspace = async () => (await workspaceState()).config;
  const calendarConnected = async () => (await workspaceState()).calendar.connected;
  const contact = async (id: string) => (await load(ctx, contactAggregate, id)).state;
  const meeting = async (id: string) => (await load(ctx, meetingAggregate, id)).state;
  const windowFor = async (contactId: string | null): Promise<Window | null> => {
    const ws = await workspace();
    if (!ws) return null;
    const zone = contactId ? (await contact(contactId)).details?.timezone ?? ws.timezone : ws.timezone;
    return { zone, hours: ws.businessHours };
  };
  const job = (kind: EffectKind, dueAt: string, ids: { contactId: string; meetingId?: string }): EffectJob => ({
    queue: isCalendarEffect(kind) ? 'calendar' : 'email',
    dueAt,
    priority: PRIORITY[kind],
    data: { key: effectKey(kind, event.id), kind, sourceEventId: event.id, workspaceId, ...ids },
  });

  switch (event.type) {
    case 'MeetingRequested': {
      const d = data as EventOf<'MeetingRequested'>['data'];
      if (d.channel !== 'email') return none;
      const w = await windowFor(d.contactId);
      if (!w) return none;
      return { schedule: [job('request-email', nextBusinessMoment(d.requestedAt, w), { contactId: d.contactId, meetingId: d.meetingId })], cancel: [] };
    }
    case 'OutreachEmailSent': {
      const meetingId = meetingIdOfStream(event.stream);
      const m = await meeting(meetingId);
      const ws = await workspace();
      const w = await windowFor(m.request!.contactId);
      if (!ws || !w) return none;
      const d = data as EventOf<'OutreachEmailSent'>['data'];
      return { schedule: [job('nudge', nudgeDue({ requestSentAt: d.sentAt, after: ws.nudgeAfter, ...w }), { contactId: m.request!.contactId, meetingId })], cancel: [] };
    }
    case 'MeetingBooked':
    case 'MeetingRescheduled': {
      const meetingId = meetingIdOfStream(event.stream);
      const m = await meeting(meetingId);
      const contactId = m.request!.contactId;
      const seeker = await windowFor(null);
      if (!seeker) return none;
      const d = data as { start: string };
      const at = event.type === 'MeetingBooked' ? (data as EventOf<'MeetingBooked'>['data']).bookedAt : (data as EventOf<'MeetingRescheduled'>['data']).rescheduledAt;
      const fromCalendar = event.type === 'MeetingRescheduled' && (data as EventOf<'MeetingRescheduled'>['data']).source === 'calendar';
      const google = await calendarConnected();
      // A booking ends the nudging; a new time replaces the confirmation and brief made for the old one.
      // A time moved in the calendar itself is not pushed back to it.
      return {
        schedule: [
          job('booking-confirmation', at, { contactId, meetingId }),
          job('prep-brief', prepBriefDue({ meetingStart: d.start, now: at, ...seeker }), { contactId, meetingId }),
          job('calendar-file', at, { contactId, meetingId }),
          ...(google && !fromCalendar ? [job(event.type === 'MeetingBooked' ? 'google-create' : 'google-update', at, { contactId, meetingId })] : []),
        ],
        cancel: [{ scope: meetingScope(meetingId), kinds: ['nudge', 'request-email', 'booking-confirmation', 'prep-brief'], because: event.type }],
      };
    }
    case 'MeetingCancelled': {
      const meetingId = meetingIdOfStream(event.stream);
      const m = await meeting(meetingId);
      const contactId = m.request!.contactId;
      const d = data as EventOf<'MeetingCancelled'>['data'];
      // The contact is sent a calendar cancellation only when there was a booking to cancel.
      const google = m.booking && d.source !== 'calendar' && (await calendarConnected());
      return {
        schedule: m.booking
          ? [
              job('calendar-cancel', d.cancelledAt, { contactId, meetingId }),
              job('calendar-file', d.cancelledAt, { contactId, meetingId }),
              ...(google ? [job('google-delete', d.cancelledAt, { contactId, meetingId })] : []),
            ]
          : [],
        cancel: [{ scope: meetingScope(meetingId), kinds: ['nudge', 'request-email', 'booking-confirmation', 'prep-brief'], because: 'MeetingCancelled' }],
      };
    }
    case 'MeetingHeld': {
      const meetingId = meetingIdOfStream(event.stream);
      const m = await meeting(meetingId);
      const contactId = m.request!.contactId;
      const ws = await workspace();
      const w = await windowFor(contactId);
      if (!ws || !w) return none;
      const d = data as EventOf<'MeetingHeld'>['data'];
      return {
        schedule: [job('thank-you', thankYouDue({ heldAt: d.heldAt, delay: ws.thankYouDelay, deadline: ws.thankYouDeadline, ...w }), { contactId, meetingId })],
        cancel: [{ scope: meetingScope(meetingId), kinds: ['prep-brief', 'nudge'], because: 'MeetingHeld' }],
      };
    }
    case 'ThankYouSent': {
      const meetingId = meetingIdOfStream(event.stream);
      const contactId = (await meeting(meetingId)).request!.contactId;
      return keepInTouchAfter((data as EventOf<'ThankYouSent'>['data']).sentAt, contactId);
    }
    case 'KeepInTouchSent':
      return keepInTouchAfter((data as EventOf<'KeepInTouchSent'>['data']).sentAt, contactIdOfStream(event.stream));
    case 'CalendarConnected':
      return { schedule: [], cancel: [], polls: [{ workspaceId, on: true }] };
    case 'CalendarDisconnected':
      return { schedule: [], cancel: [], polls: [{ workspaceId, on: false }] };
    case 'ReplyReceived':
      return { schedule: [], cancel: [{ scope: contactScope(contactIdOfStream(event.stream)), kinds: ['nudge', 'keep-in-touch'], because: 'ReplyReceived' }] };
    case 'ContactForgotten': {
      const contactId = contactIdOfStream(event.stream);
      // Withdrawn first (cancellations run before jobs), so the erasure itself is not withdrawn.
      return {
        schedule: [job(ERASE_EFFECT, (data as EventOf<'ContactForgotten'>['data']).forgottenAt, { contactId })],
        cancel: [{ scope: contactScope(contactId), kinds: 'all', because: event.type }],
      };
    }
    case 'ContactOptedOut':
    case 'EmailBounced':
      return { schedule: [], cancel: [{ scope: contactScope(contactIdOfStream(event.stream)), kinds: 'all', because: event.type }] };
    default:
      return none;
  }

  async function keepInTouchAfter(lastTouchAt: string, contactId: string): Promise<Reaction> {
    const ws = await workspace();
    const w = await windowFor(contactId);
    if (!ws || !w) return none;
    // Each note schedules the next; the chain ends when a send is refused (reply, opt-out, forget).
    return { schedule: [job('keep-in-touch', keepInTouchDue({ lastTouchAt, cadence: ws.keepInTouchCadence, ...w }), { contactId })], cancel: [] };
  }
}

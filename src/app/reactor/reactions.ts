import { DateTime } from 'luxon';
import type { ContactState } from '../../domain/contact.ts';
import type { EventOf, EventType } from '../../domain/events.ts';
import type { MeetingState } from '../../domain/meeting.ts';
import { keepInTouchDue, nextBusinessMoment, nudgeDue, prepBriefDue, thankYouDue, type Window } from '../../domain/scheduling.ts';
import type { WorkspaceState } from '../../domain/workspace.ts';
import type { StoredEvent } from '../../eventstore/port.ts';
import {
  contactScope,
  effectKey,
  ERASE_EFFECT,
  SEND_DRAFT,
  isCalendarEffect,
  meetingScope,
  PRIORITY,
  type EffectJob,
  type EmailEffect,
  type EffectKind,
  type Reaction,
} from '../effects/effect.ts';
import { needsReview } from '../effects/email/kinds.ts';

/** What a reaction looks at besides its event: the workspace, and the meeting and contact the event is about. */
export type ReactionFacts = { workspace: WorkspaceState; meeting?: MeetingState | undefined; contact?: ContactState | undefined };

/** One row of the table: the facts to read for an event of this type, and what it asks of the outside world. */
export type ReactionRule = {
  needs: readonly ('workspace' | 'meeting' | 'contact')[];
  react: (event: StoredEvent, facts: ReactionFacts) => Reaction;
};

export const NO_REACTION: Reaction = { schedule: [], cancel: [] };
const idOfStream = (stream: string) => stream.slice(stream.indexOf('-') + 1);
const workspaceOf = (event: StoredEvent) => event.metadata['workspaceId'] as string;
const dataOf = <T extends EventType>(event: StoredEvent) => event.data as EventOf<T>['data'];

/** The business hours that apply to a contact (their zone, else the seeker's), or the seeker's. */
function windowFor(facts: ReactionFacts, forContact: boolean): Window | null {
  const ws = facts.workspace.config;
  if (!ws) return null;
  const zone = forContact ? (facts.contact?.details?.timezone ?? ws.timezone) : ws.timezone;
  return { zone, hours: ws.businessHours };
}

function job(event: StoredEvent, kind: EffectKind, dueAt: string, ids: { contactId: string; meetingId?: string }): EffectJob {
  return {
    queue: isCalendarEffect(kind) ? 'calendar' : 'email',
    dueAt,
    priority: PRIORITY[kind],
    data: { key: effectKey(kind, event.id), kind, sourceEventId: event.id, workspaceId: workspaceOf(event), ...ids },
  };
}

/**
 * A first request held for review is drafted at once, so that the seeker can read it now (a request
 * made on a Saturday is not drafted on Monday morning); its approval sends it in business hours.
 * One that goes unreviewed waits for the recipient's business hours.
 */
function firstRequestDue(kind: EffectKind, at: string, w: Window, facts: ReactionFacts): string {
  return needsReview(kind as EmailEffect, facts.workspace.config?.review) ? at : nextBusinessMoment(at, w);
}

const BOOKING_FOLLOW_UPS: EffectKind[] = ['nudge', 'request-email', 'gatekeeper-request', 'gatekeeper-nudge', 'booking-confirmation', 'prep-brief'];

/** Each note schedules the next; the chain ends when a send is refused (reply, opt-out, forget). */
function keepInTouchAfter(event: StoredEvent, facts: ReactionFacts, lastTouchAt: string, contactId: string): Reaction {
  const ws = facts.workspace.config;
  const w = windowFor(facts, true);
  if (!ws || !w) return NO_REACTION;
  return { schedule: [job(event, 'keep-in-touch', keepInTouchDue({ lastTouchAt, cadence: ws.keepInTouchCadence, ...w }), { contactId })], cancel: [] };
}

/** A booking ends the nudging; a new time replaces the confirmation and brief made for the old one. */
function afterBooking(event: StoredEvent, facts: ReactionFacts): Reaction {
  const meetingId = idOfStream(event.stream);
  const contactId = facts.meeting!.request!.contactId;
  const seeker = windowFor(facts, false);
  if (!seeker) return NO_REACTION;
  const booked = event.type === 'MeetingBooked';
  const d = booked ? dataOf<'MeetingBooked'>(event) : dataOf<'MeetingRescheduled'>(event);
  const at = booked ? dataOf<'MeetingBooked'>(event).bookedAt : dataOf<'MeetingRescheduled'>(event).rescheduledAt;
  // A time moved in the calendar itself is not pushed back to it.
  const fromCalendar = !booked && dataOf<'MeetingRescheduled'>(event).source === 'calendar';
  const google = facts.workspace.calendar.connected && !fromCalendar;
  const ids = { contactId, meetingId };
  return {
    schedule: [
      job(event, 'booking-confirmation', at, ids),
      job(event, 'prep-brief', prepBriefDue({ meetingStart: d.start, now: at, ...seeker }), ids),
      job(event, 'calendar-file', at, ids),
      ...(google ? [job(event, booked ? 'google-create' : 'google-update', at, ids)] : []),
    ],
    cancel: [{ scope: meetingScope(meetingId), kinds: BOOKING_FOLLOW_UPS, because: event.type }],
  };
}

/** The contact is sent a calendar cancellation only when there was a booking to cancel. */
function afterCancel(event: StoredEvent, facts: ReactionFacts): Reaction {
  const meetingId = idOfStream(event.stream);
  const m = facts.meeting!;
  const ids = { contactId: m.request!.contactId, meetingId };
  const d = dataOf<'MeetingCancelled'>(event);
  const google = m.booking && d.source !== 'calendar' && facts.workspace.calendar.connected;
  return {
    schedule: m.booking
      ? [
          job(event, 'calendar-cancel', d.cancelledAt, ids),
          job(event, 'calendar-file', d.cancelledAt, ids),
          ...(google ? [job(event, 'google-delete', d.cancelledAt, ids)] : []),
        ]
      : [],
    cancel: [{ scope: meetingScope(meetingId), kinds: BOOKING_FOLLOW_UPS, because: 'MeetingCancelled' }],
  };
}

/**
 * An out-of-office answer moves the meeting's pending nudge: to the business day after the person
 * is back when the answer says when, else by the nudge delay from the answer; never earlier than it
 * was due. The job of the answer replaces the one of the request (its own key, the same one-nudge rule).
 */
function nudgeAfterAutoReply(event: StoredEvent, facts: ReactionFacts): Reaction {
  const ws = facts.workspace.config;
  const w = windowFor(facts, true);
  const m = facts.meeting;
  const d = dataOf<'AutoReplyReceived'>(event);
  if (!ws || !w || !m?.request || !d.meetingId || m.status !== 'requested') return NO_REACTION;
  const contactId = idOfStream(event.stream);
  const toGatekeeper = m.request.via === 'gatekeeper' && m.request.gatekeeperContactId === contactId && !m.introducedAt;
  const sent = toGatekeeper ? m.gatekeeperEmail : m.outreach;
  if (!sent || (toGatekeeper ? m.gatekeeperNudge : m.nudge)) return NO_REACTION;
  const kind: EffectKind = toGatekeeper ? 'gatekeeper-nudge' : 'nudge';
  const wasDue = nudgeDue({ requestSentAt: sent.sentAt, after: ws.nudgeAfter, ...w });
  const moved = d.returnsOn
    ? nextBusinessMoment(DateTime.fromISO(d.returnsOn, { zone: w.zone }).plus({ days: 1 }).toUTC().toISO()!, w)
    : nudgeDue({ requestSentAt: d.receivedAt, after: ws.nudgeAfter, ...w });
  const due = Date.parse(moved) > Date.parse(wasDue) ? moved : wasDue;
  return {
    schedule: [job(event, kind, due, { contactId: m.request.contactId, meetingId: d.meetingId })],
    cancel: [{ scope: meetingScope(d.meetingId), kinds: [kind], because: event.type }],
  };
}

const withdrawAll = (event: StoredEvent): Reaction => ({
  schedule: [],
  cancel: [{ scope: contactScope(idOfStream(event.stream)), kinds: 'all', because: event.type }],
});

/**
 * The reactor's table: per event type, the effects it asks for (with their due times from the
 * scheduling rules) and the pending ones it withdraws. Pure: the facts are read by the runner.
 */
export const REACTIONS: Partial<Record<EventType, ReactionRule>> = {
  MeetingRequested: {
    needs: ['workspace', 'contact'],
    react(event, facts) {
      const d = dataOf<'MeetingRequested'>(event);
      const w = windowFor(facts, true);
      if (d.channel !== 'email' || !w) return NO_REACTION;
      // Through a gatekeeper, the first email asks them for an introduction; the person sought hears nothing yet.
      const kind = d.via === 'gatekeeper' ? 'gatekeeper-request' : 'request-email';
      return { schedule: [job(event, kind, firstRequestDue(kind, d.requestedAt, w, facts), { contactId: d.contactId, meetingId: d.meetingId })], cancel: [] };
    },
  },
  GatekeeperEmailSent: {
    needs: ['workspace', 'meeting', 'contact'],
    react(event, facts) {
      const ws = facts.workspace.config;
      const w = windowFor(facts, true);
      if (!ws || !w) return NO_REACTION;
      const ids = { contactId: facts.meeting!.request!.contactId, meetingId: idOfStream(event.stream) };
      const due = nudgeDue({ requestSentAt: dataOf<'GatekeeperEmailSent'>(event).sentAt, after: ws.nudgeAfter, ...w });
      return { schedule: [job(event, 'gatekeeper-nudge', due, ids)], cancel: [] };
    },
  },
  GatekeeperIntroduced: {
    needs: ['workspace', 'meeting', 'contact'],
    react(event, facts) {
      const w = windowFor(facts, true);
      const request = facts.meeting?.request;
      if (!w || !request) return NO_REACTION;
      const meetingId = idOfStream(event.stream);
      const withdraw = [{ scope: meetingScope(meetingId), kinds: ['gatekeeper-nudge'] as EffectKind[], because: event.type }];
      // By telephone, the next call is the seeker's to make; by email, the request now goes to the person sought.
      if (request.channel !== 'email') return { schedule: [], cancel: withdraw };
      const due = firstRequestDue('request-email', dataOf<'GatekeeperIntroduced'>(event).introducedAt, w, facts);
      return { schedule: [job(event, 'request-email', due, { contactId: request.contactId, meetingId })], cancel: withdraw };
    },
  },
  DraftApproved: {
    needs: ['workspace', 'contact'],
    react(event, facts) {
      const draft = facts.contact?.drafts[dataOf<'DraftApproved'>(event).draftId];
      const w = windowFor(facts, true);
      if (!draft || !w) return NO_REACTION;
      const ids = { contactId: idOfStream(event.stream), ...(draft.meetingId ? { meetingId: draft.meetingId } : {}) };
      // Approved late at night, it still arrives in the recipient's working day.
      return { schedule: [job(event, SEND_DRAFT, nextBusinessMoment(dataOf<'DraftApproved'>(event).approvedAt, w), ids)], cancel: [] };
    },
  },
  OutreachEmailSent: {
    needs: ['workspace', 'meeting', 'contact'],
    react(event, facts) {
      const ws = facts.workspace.config;
      const w = windowFor(facts, true);
      if (!ws || !w) return NO_REACTION;
      const ids = { contactId: facts.meeting!.request!.contactId, meetingId: idOfStream(event.stream) };
      return {
        schedule: [job(event, 'nudge', nudgeDue({ requestSentAt: dataOf<'OutreachEmailSent'>(event).sentAt, after: ws.nudgeAfter, ...w }), ids)],
        cancel: [],
      };
    },
  },
  MeetingBooked: { needs: ['workspace', 'meeting'], react: afterBooking },
  MeetingRescheduled: { needs: ['workspace', 'meeting'], react: afterBooking },
  MeetingCancelled: { needs: ['workspace', 'meeting'], react: afterCancel },
  MeetingHeld: {
    needs: ['workspace', 'meeting', 'contact'],
    react(event, facts) {
      const ws = facts.workspace.config;
      const w = windowFor(facts, true);
      if (!ws || !w) return NO_REACTION;
      const meetingId = idOfStream(event.stream);
      const due = thankYouDue({ heldAt: dataOf<'MeetingHeld'>(event).heldAt, delay: ws.thankYouDelay, deadline: ws.thankYouDeadline, ...w });
      return {
        schedule: [job(event, 'thank-you', due, { contactId: facts.meeting!.request!.contactId, meetingId })],
        cancel: [{ scope: meetingScope(meetingId), kinds: ['prep-brief', 'nudge'], because: 'MeetingHeld' }],
      };
    },
  },
  ThankYouSent: {
    needs: ['workspace', 'meeting', 'contact'],
    react: (event, facts) => keepInTouchAfter(event, facts, dataOf<'ThankYouSent'>(event).sentAt, facts.meeting!.request!.contactId),
  },
  KeepInTouchSent: {
    needs: ['workspace', 'contact'],
    react: (event, facts) => keepInTouchAfter(event, facts, dataOf<'KeepInTouchSent'>(event).sentAt, idOfStream(event.stream)),
  },
  CalendarConnected: {
    needs: [],
    react: (event) => ({ schedule: [], cancel: [], polls: [{ workspaceId: workspaceOf(event), on: true, backfillFrom: event.id }] }),
  },
  CalendarDisconnected: { needs: [], react: (event) => ({ schedule: [], cancel: [], polls: [{ workspaceId: workspaceOf(event), on: false }] }) },
  ReplyReceived: {
    needs: [],
    react: (event) => {
      const meetingId = dataOf<'ReplyReceived'>(event).meetingId;
      // A gatekeeper's reply names the meeting it answers: its nudge is queued under the person sought.
      const gatekeeper = meetingId ? [{ scope: meetingScope(meetingId), kinds: ['gatekeeper-nudge'] as EffectKind[], because: 'ReplyReceived' }] : [];
      return {
        schedule: [],
        cancel: [{ scope: contactScope(idOfStream(event.stream)), kinds: ['nudge', 'keep-in-touch'], because: 'ReplyReceived' }, ...gatekeeper],
      };
    },
  },
  AutoReplyReceived: { needs: ['workspace', 'meeting', 'contact'], react: nudgeAfterAutoReply },
  ContactForgotten: {
    needs: [],
    // Withdrawn first (cancellations run before jobs), so the erasure itself is not withdrawn.
    react: (event) => ({
      schedule: [job(event, ERASE_EFFECT, dataOf<'ContactForgotten'>(event).forgottenAt, { contactId: idOfStream(event.stream) })],
      cancel: withdrawAll(event).cancel,
    }),
  },
  ContactOptedOut: { needs: [], react: withdrawAll },
  EmailBounced: { needs: [], react: withdrawAll },
};

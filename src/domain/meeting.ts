import type { Decider } from './decider.ts';
import type { EventOf, MeetingEvent } from './events.ts';
import { illegal } from './errors.ts';
import { emailBlocker, type ContactState } from './contact.ts';
import { evolveCalls, type CallState, type LogCall } from './calls.ts';
import { callEvents, checkGatekeeperRequest, gatekeeperEmailSent, gatekeeperNudgeBlocker, introduction } from './gatekeeper.ts';

type Requested = EventOf<'MeetingRequested'>['data'];
type Booked = EventOf<'MeetingBooked'>['data'];
type Held = EventOf<'MeetingHeld'>['data'];
export type CalendarVersion = NonNullable<EventOf<'CalendarEventCreated'>['data']['version']>;
export type CalendarEditNeedingDecision = Omit<EventOf<'CalendarEditNeedsDecision'>['data'], 'seenAt'>;
/** The Google event as last known: the etag of the version we wrote or read, and the time it holds. */
export type KnownGoogleEvent = { etag?: string | undefined; updated?: string | undefined; start: string; minutes: number };

export type MeetingStatus = 'none' | 'requested' | 'booked' | 'held' | 'cancelled' | 'no_show';
export type Booking = { start: string; minutes: number; timezone: string; location?: string; videoUrl?: string };

export type MeetingState = {
  status: MeetingStatus;
  request?: Requested;
  /** The request to the person sought, with its subject (follow-ups answer it). */
  outreach?: { messageId: string; sentAt: string; subject?: string | undefined };
  nudge?: { messageId: string; sentAt: string };
  /** The request to the gatekeeper, and the one nudge it may have. */
  gatekeeperEmail?: { messageId: string; sentAt: string; subject?: string | undefined };
  gatekeeperNudge?: { messageId: string; sentAt: string };
  /** When the gatekeeper put the seeker in touch with the person sought. */
  introducedAt?: string;
  calls: CallState;
  /** The people the contact referred at this meeting, added as contacts. */
  referralsGiven: string[];
  booking?: Booking;
  bookedAt?: string;
  sequence: number;
  attendeeResponse?: string;
  calendarEventId?: string;
  /** The Google event as we last wrote or read it; absent while we have no record of one. */
  google?: KnownGoogleEvent;
  /** When the seeker last set the time (booked or rescheduled it themselves). */
  seekerChangedAt?: string;
  /** An edit in the calendar no meeting can take, waiting for the seeker's decision (a new time or a cancellation ends it). */
  calendarDecision?: CalendarEditNeedingDecision | undefined;
  prepBriefFor?: string;
  held?: Held;
  thankYou?: { messageId: string; sentAt: string };
  cancelled?: { by: string; source: string; at: string };
};

export const initialMeeting = (): MeetingState => ({ status: 'none', sequence: 0, calls: { attempts: 0 }, referralsGiven: [] });

/** A request stays open until the meeting is held, cancelled or missed. */
export const isOpen = (m: MeetingState) => m.status === 'requested' || m.status === 'booked';

const bookingOf = (b: Pick<Booked, 'start' | 'minutes' | 'timezone'> & Partial<Booked>): Booking => ({
  start: b.start,
  minutes: b.minutes,
  timezone: b.timezone,
  ...(b.location ? { location: b.location } : {}),
  ...(b.videoUrl ? { videoUrl: b.videoUrl } : {}),
});

export function evolveMeeting(state: MeetingState, event: MeetingEvent): MeetingState {
  switch (event.type) {
    case 'MeetingRequested':
      return { ...state, status: 'requested', request: event.data };
    case 'OutreachEmailSent':
      return { ...state, outreach: event.data };
    case 'NudgeSent':
      return event.data.to === 'gatekeeper' ? { ...state, gatekeeperNudge: event.data } : { ...state, nudge: event.data };
    case 'GatekeeperEmailSent':
      return { ...state, gatekeeperEmail: event.data };
    case 'GatekeeperIntroduced':
      return { ...state, introducedAt: event.data.introducedAt };
    case 'CallLogged':
      return { ...state, calls: evolveCalls(state.calls, event.data) };
    case 'ReferralGiven':
      return state.referralsGiven.includes(event.data.contactId) ? state : { ...state, referralsGiven: [...state.referralsGiven, event.data.contactId] };
    case 'MeetingBooked':
      return { ...state, status: 'booked', booking: bookingOf(event.data), bookedAt: event.data.bookedAt, seekerChangedAt: event.data.bookedAt };
    case 'MeetingRescheduled':
      return {
        ...state,
        booking: { ...state.booking, ...bookingOf(event.data) },
        sequence: state.sequence + 1,
        calendarDecision: undefined,
        ...afterReschedule(state, event.data),
      };
    case 'MeetingCancelled':
      return {
        ...state,
        status: 'cancelled',
        cancelled: { by: event.data.by, source: event.data.source, at: event.data.cancelledAt },
        calendarDecision: undefined,
      };
    case 'CalendarEditNeedsDecision': {
      const { seenAt: _seen, ...edit } = event.data;
      return { ...state, calendarDecision: edit };
    }
    case 'AttendeeResponded':
      return { ...state, attendeeResponse: event.data.response };
    case 'CalendarEventCreated':
    case 'CalendarEventUpdated':
      return {
        ...state,
        calendarEventId: event.data.calendarEventId,
        ...(event.data.provider === 'google' ? { google: knownAfterWrite(state, event.data.version) } : {}),
      };
    case 'CalendarEventDeleted':
      return { ...state, calendarEventId: undefined, ...(event.data.provider === 'google' ? { google: undefined } : {}) };
    case 'PrepBriefSent':
      return { ...state, prepBriefFor: state.booking?.start };
    case 'MeetingHeld':
      return { ...state, status: 'held', held: event.data };
    case 'MeetingNoShow':
      return { ...state, status: 'no_show' };
    case 'ThankYouSent':
      return { ...state, thankYou: event.data };
  }
}

/** A time the seeker set waits to be pushed; one moved in the calendar is what the calendar holds now. */
function afterReschedule(state: MeetingState, d: EventOf<'MeetingRescheduled'>['data']): Partial<MeetingState> {
  if (d.source === 'seeker') return { seekerChangedAt: d.rescheduledAt };
  return { google: { etag: d.calendarVersion?.etag, updated: d.calendarVersion?.updated, start: d.start, minutes: d.minutes } };
}

/** What Google holds after our write: the version it answered, else (older logs) the booking as it was then. */
function knownAfterWrite(state: MeetingState, v: CalendarVersion | undefined): KnownGoogleEvent | undefined {
  const start = v?.start ?? state.booking?.start;
  const minutes = v?.minutes ?? state.booking?.minutes;
  if (!start || !minutes) return undefined;
  return { etag: v?.etag, updated: v?.updated, start, minutes };
}

type Sent = { messageId: string; now: string };
export type MeetingCommand =
  | { type: 'RequestMeeting'; request: Requested; now: string }
  | ({ type: 'RecordOutreachEmailSent'; subject?: string } & Sent)
  | ({ type: 'RecordGatekeeperEmailSent'; subject?: string } & Sent)
  | ({ type: 'RecordNudgeSent'; to?: 'contact' | 'gatekeeper' } & Sent)
  | { type: 'RecordIntroduction'; now: string }
  | (LogCall & { booking?: Booking | undefined })
  | { type: 'RecordReferral'; contactId: string; now: string }
  | { type: 'BookMeeting'; booking: Booking; now: string }
  | { type: 'RescheduleMeeting'; booking: Booking; source: 'seeker' | 'calendar'; calendarVersion?: CalendarVersion | undefined; now: string }
  | { type: 'CancelMeeting'; by: 'seeker' | 'contact'; source: 'seeker' | 'calendar'; reason?: string; now: string }
  | { type: 'RecordAttendeeResponse'; response: EventOf<'AttendeeResponded'>['data']['response']; now: string }
  | {
      type: 'RecordCalendarEvent';
      change: 'created' | 'updated' | 'deleted';
      provider: 'google' | 'ics';
      calendarEventId: string;
      /** What Google answered for our write. */
      version?: CalendarVersion | undefined;
      now: string;
    }
  | { type: 'RecordCalendarEditNeedingDecision'; edit: CalendarEditNeedingDecision; now: string }
  | ({ type: 'RecordPrepBriefSent' } & Sent)
  | { type: 'HoldMeeting'; held: Held; now: string }
  | { type: 'RecordNoShow'; now: string }
  | ({ type: 'RecordThankYouSent' } & Sent);

/** What a meeting decision may look at besides the meeting: its contact, the gatekeeper asked to introduce them, and the contact's other open request. */
export type MeetingContext = { contact: ContactState; gatekeeper?: ContactState | undefined; openMeetingId?: string | undefined };

const mustBe = (state: MeetingState, allowed: MeetingStatus[], doing: string) => {
  if (!allowed.includes(state.status)) {
    const why = state.status === 'none' ? 'the meeting was never requested' : `the meeting is ${state.status.replace('_', ' ')}`;
    throw illegal(`cannot ${doing}: ${why}`);
  }
};

const mayEmail = (ctx: MeetingContext, what: string) => {
  const blocker = emailBlocker(ctx.contact);
  if (blocker) throw illegal(`no ${what}: ${blocker}`);
};

/** Nudges stop on a reply, a booking, a cancellation or an opt-out. */
export function nudgeBlocker(state: MeetingState, ctx: MeetingContext, to: 'contact' | 'gatekeeper' = 'contact'): string | null {
  if (state.status !== 'requested') return `the meeting is ${state.status.replace('_', ' ')}`;
  if (to === 'gatekeeper') return gatekeeperNudgeBlocker(state, ctx);
  if (!state.outreach) return 'the request email was never sent';
  if (state.nudge) return 'the one nudge was already sent';
  if (ctx.contact.lastReplyAt && ctx.contact.lastReplyAt >= (state.request?.requestedAt ?? '')) return 'the contact replied';
  return emailBlocker(ctx.contact);
}

export function decideMeeting(command: MeetingCommand, state: MeetingState, ctx: MeetingContext): MeetingEvent[] {
  const now = command.now;
  switch (command.type) {
    case 'RequestMeeting': {
      if (state.status !== 'none') throw illegal('the meeting was already requested');
      if (ctx.contact.status === 'none') throw illegal('cannot request a meeting: the contact does not exist');
      if (ctx.contact.status === 'forgotten') throw illegal('cannot request a meeting: the contact was forgotten');
      checkGatekeeperRequest(command.request, ctx);
      if (command.request.channel === 'email' && command.request.via === 'direct') mayEmail(ctx, 'meeting request by email');
      if (ctx.openMeetingId) throw illegal(`the contact already has an open request (meeting ${ctx.openMeetingId})`);
      return [{ type: 'MeetingRequested', data: command.request }];
    }
    case 'RecordOutreachEmailSent':
      mustBe(state, ['requested'], 'send the request email');
      if (state.outreach) throw illegal('the request email was already sent');
      if (state.request?.via === 'gatekeeper' && !state.introducedAt) throw illegal('no request email: it waits for the gatekeeper to introduce you');
      mayEmail(ctx, 'request email');
      return [{ type: 'OutreachEmailSent', data: { messageId: command.messageId, sentAt: now, ...(command.subject ? { subject: command.subject } : {}) } }];
    case 'RecordGatekeeperEmailSent':
      mustBe(state, ['requested'], 'write to the gatekeeper');
      return gatekeeperEmailSent(command, state, ctx);
    case 'RecordIntroduction':
      mustBe(state, ['requested'], 'record an introduction');
      return introduction(state, now, ctx);
    case 'LogCall':
      mustBe(state, ['requested'], 'log a call');
      return callEvents(command, state, ctx);
    case 'RecordReferral':
      mustBe(state, ['held'], 'credit a referral to this meeting');
      return state.referralsGiven.includes(command.contactId) ? [] : [{ type: 'ReferralGiven', data: { contactId: command.contactId, recordedAt: now } }];
    case 'RecordNudgeSent': {
      const to = command.to ?? 'contact';
      const blocker = nudgeBlocker(state, ctx, to);
      if (blocker) throw illegal(`no nudge: ${blocker}`);
      return [{ type: 'NudgeSent', data: { messageId: command.messageId, sentAt: now, ...(to === 'gatekeeper' ? { to } : {}) } }];
    }
    case 'BookMeeting':
      mustBe(state, ['requested'], 'book');
      if (ctx.contact.status === 'forgotten') throw illegal('cannot book: the contact was forgotten');
      return [{ type: 'MeetingBooked', data: { ...command.booking, bookedAt: now } }];
    case 'RescheduleMeeting': {
      mustBe(state, ['booked'], 'reschedule');
      const b = state.booking!;
      // The calendar poller reports what it sees; seeing the time we already have is not a change.
      if (b.start === command.booking.start && b.minutes === command.booking.minutes && b.timezone === command.booking.timezone) return [];
      const { location: _l, videoUrl: _v, ...time } = command.booking;
      const version = command.source === 'calendar' && command.calendarVersion ? { calendarVersion: command.calendarVersion } : {};
      return [{ type: 'MeetingRescheduled', data: { ...time, source: command.source, rescheduledAt: now, ...version } }];
    }
    case 'CancelMeeting':
      if (state.status === 'cancelled') return [];
      mustBe(state, ['requested', 'booked'], 'cancel');
      return [
        {
          type: 'MeetingCancelled',
          data: { by: command.by, source: command.source, ...(command.reason ? { reason: command.reason } : {}), cancelledAt: now },
        },
      ];
    case 'RecordAttendeeResponse':
      mustBe(state, ['booked'], 'record a response');
      // Every invitation starts unanswered: seeing needsAction first is not a response.
      if ((state.attendeeResponse ?? 'needsAction') === command.response) return [];
      return [{ type: 'AttendeeResponded', data: { response: command.response, respondedAt: now } }];
    case 'RecordCalendarEvent': {
      if (state.status === 'none') throw illegal('cannot sync a calendar event: the meeting was never requested');
      const base = { provider: command.provider, calendarEventId: command.calendarEventId, at: now };
      const version = command.version ? { version: command.version } : {};
      if (command.change === 'created') return [{ type: 'CalendarEventCreated', data: { ...base, ...version } }];
      if (command.change === 'updated') return [{ type: 'CalendarEventUpdated', data: { ...base, sequence: state.sequence, ...version } }];
      return [{ type: 'CalendarEventDeleted', data: base }];
    }
    case 'RecordCalendarEditNeedingDecision': {
      if (state.status !== 'booked') return [];
      // The same version read again (a full sync) is the same question, asked once.
      const etag = command.edit.calendarVersion?.etag;
      if (etag && state.calendarDecision?.calendarVersion?.etag === etag) return [];
      return [{ type: 'CalendarEditNeedsDecision', data: { ...command.edit, seenAt: now } }];
    }
    case 'RecordPrepBriefSent':
      mustBe(state, ['booked'], 'send the prep brief');
      if (state.prepBriefFor === state.booking?.start) throw illegal('the prep brief for this time was already sent');
      return [{ type: 'PrepBriefSent', data: { messageId: command.messageId, sentAt: now } }];
    case 'HoldMeeting':
      mustBe(state, ['booked'], 'record the meeting as held');
      if (Date.parse(command.held.heldAt) > Date.parse(now)) {
        throw illegal('cannot record a meeting as held in the future');
      }
      if (Date.parse(command.held.heldAt) < Date.parse(state.booking!.start)) {
        throw illegal(`cannot record the meeting as held before its booked start (${state.booking!.start})`);
      }
      return [{ type: 'MeetingHeld', data: command.held }];
    case 'RecordNoShow':
      mustBe(state, ['booked'], 'record a no-show');
      return [{ type: 'MeetingNoShow', data: { recordedAt: now } }];
    case 'RecordThankYouSent':
      mustBe(state, ['held'], 'send a thank-you');
      if (state.thankYou) throw illegal('the thank-you for this meeting was already sent');
      mayEmail(ctx, 'thank-you');
      return [{ type: 'ThankYouSent', data: { messageId: command.messageId, sentAt: now } }];
  }
}

export const meetingDecider: Decider<MeetingState, MeetingCommand, MeetingEvent, MeetingContext> = {
  initialState: initialMeeting,
  evolve: evolveMeeting,
  decide: decideMeeting,
};

import { loggedCall, type LogCall } from './calls.ts';
import { emailBlocker } from './contact.ts';
import { illegal, invalid } from './errors.ts';
import type { EventOf, MeetingEvent } from './events.ts';
import type { Booking, MeetingContext, MeetingState } from './meeting.ts';

/*
 * The method's second way in: through a gatekeeper (a receptionist, an assistant, a colleague) who
 * introduces the seeker to the person sought, by email or by telephone, and the calls themselves.
 * These rules belong to the meeting; they live here to keep meeting.ts readable.
 */

/** A request through a gatekeeper names them (a contact like any other), unless it is a call to a switchboard. */
export function checkGatekeeperRequest(request: EventOf<'MeetingRequested'>['data'], ctx: MeetingContext) {
  const gatekeeper = request.gatekeeperContactId;
  if (request.via === 'direct') {
    if (gatekeeper) throw invalid('gatekeeper', 'only a request through a gatekeeper (--via gatekeeper) names one');
    return;
  }
  if (!gatekeeper) {
    if (request.channel === 'phone') return;
    throw invalid(
      'gatekeeper',
      'a request through a gatekeeper needs the gatekeeper as a contact (--gatekeeper <contact>), or --channel phone to ask the switchboard',
    );
  }
  if (gatekeeper === request.contactId) throw invalid('gatekeeper', 'the gatekeeper is the person who introduces you, not the person sought');
  const g = ctx.gatekeeper;
  if (!g || g.status === 'none') throw illegal(`cannot request a meeting: the gatekeeper ${gatekeeper} does not exist`);
  if (g.status === 'forgotten') throw illegal('cannot request a meeting: the gatekeeper was forgotten');
  if (request.channel === 'email') {
    const blocker = emailBlocker(g);
    if (blocker) throw illegal(`no meeting request by email through the gatekeeper: ${blocker.replace('the contact', 'the gatekeeper')}`);
  }
}

export function gatekeeperEmailSent(command: { messageId: string; subject?: string; now: string }, state: MeetingState, ctx: MeetingContext): MeetingEvent[] {
  if (state.request?.via !== 'gatekeeper' || !state.request.gatekeeperContactId) throw illegal('no email to a gatekeeper: the request names none');
  if (state.introducedAt) throw illegal('no email to the gatekeeper: they already introduced you');
  if (state.gatekeeperEmail) throw illegal('the email to the gatekeeper was already sent');
  const blocker = ctx.gatekeeper ? emailBlocker(ctx.gatekeeper) : 'the gatekeeper does not exist';
  if (blocker) throw illegal(`no email to the gatekeeper: ${blocker.replace('the contact', 'the gatekeeper')}`);
  return [
    { type: 'GatekeeperEmailSent', data: { messageId: command.messageId, sentAt: command.now, ...(command.subject ? { subject: command.subject } : {}) } },
  ];
}

/** The one nudge to a gatekeeper stops once they reply or introduce the seeker. */
export function gatekeeperNudgeBlocker(state: MeetingState, ctx: MeetingContext): string | null {
  if (state.introducedAt) return 'the gatekeeper already introduced you';
  if (!state.gatekeeperEmail) return 'the email to the gatekeeper was never sent';
  if (state.gatekeeperNudge) return 'the one nudge to the gatekeeper was already sent';
  const g = ctx.gatekeeper;
  if (!g) return 'the gatekeeper does not exist';
  if (g.lastReplyAt && g.lastReplyAt >= state.gatekeeperEmail.sentAt) return 'the gatekeeper replied';
  return emailBlocker(g);
}

export function introduction(state: MeetingState, now: string, ctx: MeetingContext): MeetingEvent[] {
  if (state.request?.via !== 'gatekeeper') throw illegal('cannot record an introduction: the request did not go through a gatekeeper');
  if (state.introducedAt) return [];
  // By email, the introduction sends the request to the person at once: without their address it would go nowhere, silently.
  if (state.request.channel === 'email' && !ctx.contact.details?.email) {
    const who = ctx.contact.details?.name ?? 'the person';
    throw illegal(`cannot record the introduction yet: the request goes by email and ${who} has no email address; add theirs to the contact first`);
  }
  return [{ type: 'GatekeeperIntroduced', data: { introducedAt: now } }];
}

/**
 * A logged call, and what it settles: booked (the time agreed), declined (the request ends), or the
 * switchboard giving the name or direct line (the same as an introduction).
 */
export function callEvents(command: LogCall & { booking?: Booking | undefined }, state: MeetingState, ctx: MeetingContext): MeetingEvent[] {
  const call: MeetingEvent = { type: 'CallLogged', data: loggedCall(command, state.calls) };
  switch (command.outcome) {
    case 'booked': {
      if (!command.booking) throw invalid('at', 'a call that booked the meeting needs the time agreed (--at)');
      if (ctx.contact.status === 'forgotten') throw illegal('cannot book: the contact was forgotten');
      return [call, { type: 'MeetingBooked', data: { ...command.booking, bookedAt: command.now } }];
    }
    case 'declined':
      return [call, { type: 'MeetingCancelled', data: { by: 'contact', source: 'seeker', reason: 'declined on the telephone', cancelledAt: command.now } }];
    case 'gave-name':
      return state.request?.via === 'gatekeeper' && !state.introducedAt
        ? [call, { type: 'GatekeeperIntroduced', data: { introducedAt: command.now } }]
        : [call];
    default:
      return [call];
  }
}

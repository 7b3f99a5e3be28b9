import { decideContact, emailBlocker } from '../../../domain/contact.ts';
import { isOutreachError } from '../../../domain/errors.ts';
import { decideMeeting } from '../../../domain/meeting.ts';
import { derivedId } from '../../ids.ts';
import { defer, draft, perform, skip, type Decision } from '../decision.ts';
import { nextBusinessMoment } from '../../../domain/scheduling.ts';
import { toContact } from '../effect.ts';
import { emailVariables } from './content.ts';
import type { EmailEffectData, EmailFacts } from './facts.ts';
import type { EmailIntent, ResultRecord } from './intent.ts';
import { icsUid, meetingInvitation } from './invitation.ts';
import { isFirstRequest, needsReview, recipientOf, templateOf } from './kinds.ts';
import { messageIdFor } from './message-id.ts';

export type EmailDecisionContext = {
  now: string;
  /** Domain of Message-IDs and calendar UIDs; the seeker's email domain when not set. */
  messageDomain?: string | undefined;
  /** The job of a DraftApproved: the approved draft goes now. */
  approved?: boolean | undefined;
  /** Google Calendar is wired with updates sent to attendees: a connected calendar sends the invitation. */
  calendarSendsInvites?: boolean | undefined;
};

/** Google's own invitation (sendUpdates) already reaches the contact: a second, our .ics, would invite them twice. */
const CALENDAR_SENDS = 'The invitation comes from my calendar, in a separate email.';

/** The one command an effect's result is recorded with; the decider refusing it is how "no longer due" is decided. */
function resultRecord(data: EmailEffectData, facts: EmailFacts, messageId: string, uid: string, now: string): ResultRecord {
  const onMeeting = (command: ResultRecord['command']) => ({ on: 'meeting', meetingId: data.meetingId!, command }) as ResultRecord;
  switch (data.kind) {
    case 'request-email':
      return onMeeting({ type: 'RecordOutreachEmailSent', messageId, now });
    case 'gatekeeper-request':
      return onMeeting({ type: 'RecordGatekeeperEmailSent', messageId, now });
    case 'nudge':
      return onMeeting({ type: 'RecordNudgeSent', messageId, now });
    case 'gatekeeper-nudge':
      return onMeeting({ type: 'RecordNudgeSent', to: 'gatekeeper', messageId, now });
    case 'prep-brief':
      return onMeeting({ type: 'RecordPrepBriefSent', messageId, now });
    case 'thank-you':
      return onMeeting({ type: 'RecordThankYouSent', messageId, now });
    case 'booking-confirmation':
      return onMeeting({
        type: 'RecordCalendarEvent',
        change: facts.meeting.sequence === 0 ? 'created' : 'updated',
        provider: 'ics',
        calendarEventId: uid,
        now,
      });
    case 'calendar-cancel':
      return onMeeting({ type: 'RecordCalendarEvent', change: 'deleted', provider: 'ics', calendarEventId: uid, now });
    case 'keep-in-touch':
      return { on: 'contact', contactId: data.contactId, command: { type: 'RecordKeepInTouchSent', messageId, now } };
  }
}

/** Why the result could not be recorded now, or null: the same rules that will record it. */
function refusal(record: ResultRecord, facts: EmailFacts): string | null {
  try {
    if (record.on === 'meeting') decideMeeting(record.command, facts.meeting, { contact: facts.contact, gatekeeper: facts.content.gatekeeper });
    else decideContact(record.command, facts.contact);
    return null;
  } catch (e) {
    if (isOutreachError(e, 'illegal_state')) return e.message;
    throw e;
  }
}

/** Rules beyond the result's own: stale confirmations and briefs, cancelled addresses, superseded keep-in-touch notes, drafts answered. */
function staleness(data: EmailEffectData, facts: EmailFacts, now: string): string | null {
  const { meeting } = facts;
  if (data.kind === 'booking-confirmation' || data.kind === 'prep-brief') {
    if (facts.latestBookingEventId !== data.sourceEventId) return 'superseded by a later booking time';
    // A confirmation or brief for a meeting already under way (or over) helps nobody.
    if (meeting.status !== 'booked') return `the meeting is ${meeting.status.replace('_', ' ')}`;
    if (Date.parse(meeting.booking!.start) <= Date.parse(now)) return 'the meeting has already started';
  }
  if (data.kind === 'calendar-cancel' || data.kind === 'booking-confirmation') {
    const blocker = emailBlocker(facts.contact);
    if (blocker) return blocker;
  }
  if (
    data.kind === 'keep-in-touch' &&
    facts.sourceTouchAt &&
    facts.contact.lastTouchAt &&
    Date.parse(facts.contact.lastTouchAt) > Date.parse(facts.sourceTouchAt)
  ) {
    return 'a later touch started its own keep-in-touch';
  }
  const draftedAt = facts.draft?.draftedAt;
  if (draftedAt && facts.contact.lastReplyAt && facts.contact.lastReplyAt >= draftedAt) return 'its draft was withdrawn: the contact replied';
  return null;
}

/** What review asks of an email that is due: send it, hold it as a draft, or leave it to its draft's fate. */
function review(data: EmailEffectData, facts: EmailFacts, ctx: EmailDecisionContext): 'send' | 'draft' | { skip: string } {
  const d = facts.draft;
  if (d?.status === 'waiting') return { skip: `drafted: waiting for the seeker's review (draft ${d.draftId})` };
  if (d?.status === 'discarded') return { skip: 'the seeker discarded its draft' };
  // An approved draft goes by its approval's own job, so that a replay of this one cannot send it a second time.
  if (d?.status === 'approved') return ctx.approved ? 'send' : { skip: 'its draft was approved: it goes by the approval' };
  return needsReview(data.kind, facts.ws?.review) ? 'draft' : 'send';
}

/**
 * Whether an email effect is still due, and if so the email: who it goes to, with which template
 * and variables, its Message-ID and thread, its invitation, and the command that records it; or,
 * when the workspace asks to review it first, the same email held as a draft.
 */
export function decideEmail(data: EmailEffectData, facts: EmailFacts, ctx: EmailDecisionContext): Decision<EmailIntent> {
  const { ws } = facts;
  if (!ws) return skip('the workspace is not configured');
  if (!facts.contactExists) return skip('the contact does not exist');
  if (facts.done) return skip('already done: its result event is stored');
  const waiting = waitingForUpdate(data, facts, ctx.now);
  if (waiting) return waiting;
  const domain = ctx.messageDomain ?? ws.ownerEmail.split('@')[1]!;
  const messageId = messageIdFor(data.key, domain, derivedId(data.key));
  const record = resultRecord(data, facts, messageId, data.meetingId ? icsUid(data.meetingId, domain) : '', ctx.now);
  const why = refusal(record, facts) ?? staleness(data, facts, ctx.now);
  if (why) return skip(why);
  const reviewed = review(data, facts, ctx);
  if (typeof reviewed === 'object') return skip(reviewed.skip);
  // A first request is drafted at once for review, but goes only in the recipient's business hours.
  if (reviewed === 'send' && isFirstRequest(data.kind)) {
    const opens = nextBusinessMoment(ctx.now, { zone: facts.contact.details?.timezone ?? ws.timezone, hours: ws.businessHours });
    if (Date.parse(opens) > Date.parse(ctx.now)) return defer(opens, "outside the recipient's business hours");
  }
  const intent = emailIntent(data, facts, ctx, { messageId, record, domain });
  return reviewed === 'draft'
    ? draft(intent, `the workspace reviews ${isFirstRequest(data.kind) ? 'first requests' : 'every email'} before they go`)
    : perform(intent);
}

function emailIntent(
  data: EmailEffectData,
  facts: EmailFacts,
  ctx: EmailDecisionContext,
  made: { messageId: string; record: ResultRecord; domain: string },
): EmailIntent {
  const { ws, contact, meeting } = facts;
  const seeker = { name: ws!.ownerName, email: ws!.ownerEmail };
  const recipient = recipientOf(data.kind);
  const gatekeeper = facts.content.gatekeeper;
  const to = recipient === 'seeker' ? seeker : recipient === 'gatekeeper' ? gatekeeper!.details! : contact.details!;
  const thread = threadOf(data, facts);
  const fromCalendar = Boolean(ctx.calendarSendsInvites && facts.calendarConnected);
  const invitation =
    (data.kind === 'booking-confirmation' || data.kind === 'calendar-cancel') && !fromCalendar
      ? meetingInvitation({ meetingId: data.meetingId!, meeting, contact, ws: ws!, domain: made.domain, now: ctx.now })
      : null;
  const template = templateOf(data.kind);
  const approved = ctx.approved && facts.draft?.status === 'approved' ? facts.draft : undefined;
  return {
    effect: data.key,
    template,
    variables: {
      ...emailVariables(template, { ws: ws!, contact, meeting, facts: facts.content }),
      ...(fromCalendar && data.kind === 'booking-confirmation' ? { invitationFrom: CALENDAR_SENDS } : {}),
    },
    from: seeker,
    to: { name: to.name, email: to.email ?? '' },
    ...(recipient === 'seeker' ? {} : { toContactId: recipient === 'gatekeeper' ? meeting.request!.gatekeeperContactId! : data.contactId }),
    ...(approved ? { content: { subject: approved.subject, text: approved.text } } : {}),
    messageId: made.messageId,
    date: ctx.now,
    ...(thread ? { thread: { inReplyTo: thread, references: [thread] } } : {}),
    ...(recipient === 'seeker'
      ? {}
      : { unsubscribe: { workspaceId: data.workspaceId, contactId: recipient === 'gatekeeper' ? meeting.request!.gatekeeperContactId! : data.contactId } }),
    ...(invitation ? { invitation } : {}),
    about: data.contactId,
    ...(toContact(data.kind)
      ? {
          dailyLimit: {
            workspaceId: data.workspaceId,
            limit: ws!.dailySendLimit,
            window: { zone: ws!.timezone, hours: ws!.businessHours },
            recipientZone: contact.details?.timezone ?? ws!.timezone,
          },
        }
      : {}),
    record: made.record,
    bounce: {
      contactId: recipient === 'gatekeeper' ? meeting.request!.gatekeeperContactId! : data.contactId,
      ...(data.meetingId ? { meetingId: data.meetingId } : {}),
    },
  };
}

/**
 * A keep-in-touch note says what the seeker has been doing: without an update from them it is not
 * sent, and waits (looked at again every few business hours) while the dashboard asks for one.
 */
function waitingForUpdate(data: EmailEffectData, facts: EmailFacts, now: string) {
  if (data.kind !== 'keep-in-touch' || facts.contact.pendingUpdate || emailBlocker(facts.contact)) return null;
  const window = { zone: facts.contact.details?.timezone ?? facts.ws!.timezone, hours: facts.ws!.businessHours };
  const later = nextBusinessMoment(new Date(Date.parse(now) + UPDATE_RECHECK_MS).toISOString(), window);
  return defer(later, `waiting for the seeker's update (outreach contact update ${data.contactId} --text "…")`);
}

/** How often a keep-in-touch note waiting for an update looks again: soon enough that a written update goes the same day. */
const UPDATE_RECHECK_MS = 4 * 3_600_000;

/** Follow-ups answer the first email of their thread: the request (or, to a gatekeeper, the gatekeeper's request). */
function threadOf(data: EmailEffectData, facts: EmailFacts): string | undefined {
  if (data.kind === 'nudge' || data.kind === 'thank-you') return facts.meeting.outreach?.messageId;
  if (data.kind === 'gatekeeper-nudge') return facts.meeting.gatekeeperEmail?.messageId;
  return undefined;
}

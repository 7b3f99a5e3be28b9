import { decideContact, emailBlocker } from '../../../domain/contact.ts';
import { isOutreachError } from '../../../domain/errors.ts';
import { decideMeeting } from '../../../domain/meeting.ts';
import { derivedId } from '../../ids.ts';
import { perform, skip, type Decision } from '../decision.ts';
import { toContact } from '../effect.ts';
import { emailVariables } from './content.ts';
import type { EmailEffectData, EmailFacts } from './facts.ts';
import type { EmailIntent, ResultRecord } from './intent.ts';
import { icsUid, meetingInvitation } from './invitation.ts';
import { templateOf } from './kinds.ts';
import { messageIdFor } from './message-id.ts';

export type EmailDecisionContext = {
  now: string;
  /** Domain of Message-IDs and calendar UIDs; the seeker's email domain when not set. */
  messageDomain?: string | undefined;
};

/** The one command an effect's result is recorded with; the decider refusing it is how "no longer due" is decided. */
function resultRecord(data: EmailEffectData, facts: EmailFacts, messageId: string, uid: string, now: string): ResultRecord {
  const onMeeting = (command: ResultRecord['command']) => ({ on: 'meeting', meetingId: data.meetingId!, command }) as ResultRecord;
  switch (data.kind) {
    case 'request-email':
      return onMeeting({ type: 'RecordOutreachEmailSent', messageId, now });
    case 'nudge':
      return onMeeting({ type: 'RecordNudgeSent', messageId, now });
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
    if (record.on === 'meeting') decideMeeting(record.command, facts.meeting, { contact: facts.contact });
    else decideContact(record.command, facts.contact);
    return null;
  } catch (e) {
    if (isOutreachError(e, 'illegal_state')) return e.message;
    throw e;
  }
}

/** Rules beyond the result's own: stale confirmations and briefs, cancelled addresses, superseded keep-in-touch notes. */
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
  return null;
}

/**
 * Whether an email effect is still due, and if so the email: who it goes to, with which template
 * and variables, its Message-ID and thread, its invitation, and the command that records it.
 */
export function decideEmail(data: EmailEffectData, facts: EmailFacts, ctx: EmailDecisionContext): Decision<EmailIntent> {
  const { ws, contact, meeting } = facts;
  if (!ws) return skip('the workspace is not configured');
  if (!facts.contactExists) return skip('the contact does not exist');
  if (facts.done) return skip('already done: its result event is stored');
  const domain = ctx.messageDomain ?? ws.ownerEmail.split('@')[1]!;
  const messageId = messageIdFor(data.key, domain, derivedId(data.key));
  const uid = data.meetingId ? icsUid(data.meetingId, domain) : '';
  const record = resultRecord(data, facts, messageId, uid, ctx.now);
  const why = refusal(record, facts) ?? staleness(data, facts, ctx.now);
  if (why) return skip(why);

  const template = templateOf(data.kind, meeting);
  const seeker = { name: ws.ownerName, email: ws.ownerEmail };
  const toSeeker = data.kind === 'prep-brief';
  const threaded = (data.kind === 'nudge' || data.kind === 'thank-you') && meeting.outreach ? meeting.outreach.messageId : undefined;
  const invitation =
    data.kind === 'booking-confirmation' || data.kind === 'calendar-cancel'
      ? (meetingInvitation({ meetingId: data.meetingId!, meeting, contact, ws, domain, now: ctx.now }) ?? undefined)
      : undefined;
  return perform({
    effect: data.key,
    template,
    variables: emailVariables(template, { ws, contact, meeting, facts: facts.content }),
    from: seeker,
    to: toSeeker ? seeker : { name: contact.details!.name, email: contact.details!.email ?? '' },
    messageId,
    ...(threaded ? { thread: { inReplyTo: threaded, references: [threaded] } } : {}),
    ...(toSeeker ? {} : { unsubscribe: { workspaceId: data.workspaceId, contactId: data.contactId } }),
    ...(invitation ? { invitation } : {}),
    about: data.contactId,
    ...(toContact(data.kind)
      ? {
          dailyLimit: {
            workspaceId: data.workspaceId,
            limit: ws.dailySendLimit,
            window: { zone: ws.timezone, hours: ws.businessHours },
            recipientZone: contact.details?.timezone ?? ws.timezone,
          },
        }
      : {}),
    record,
    bounce: { contactId: data.contactId, ...(data.meetingId ? { meetingId: data.meetingId } : {}) },
  });
}

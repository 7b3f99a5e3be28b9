import { decideContact, emailBlocker } from '../../domain/contact.ts';
import { decideMeeting, initialMeeting, type MeetingCommand, type MeetingState } from '../../domain/meeting.ts';
import { isOutreachError } from '../../domain/errors.ts';
import type { EventStore, StoredEvent } from '../../eventstore/port.ts';
import type { Templates, EmailKind } from '../../infra/mail/templates.ts';
import type { MailTransport } from '../../infra/mail/transport.ts';
import { buildMail, messageIdFor } from '../../infra/mail/message.ts';
import { classifySendError } from '../../infra/mail/errors.ts';
import { signUnsubscribeToken, unsubscribeUrl } from '../../infra/crypto/unsubscribe-token.ts';
import { contactAggregate, meetingAggregate, workspaceAggregate, type Aggregate } from '../aggregates.ts';
import type { Clock } from '../clock.ts';
import { execute, load, type AppContext } from '../handle.ts';
import { derivedId } from '../ids.ts';
import { takeSendSlot, type SendCounter } from './daily-limit.ts';
import { toContact, type EffectData, type EmailEffect } from './effect.ts';
import { templateVariables } from './email-content.ts';
import { icsUid, meetingIcs } from './meeting-ics.ts';

export type EmailDeps = {
  store: EventStore;
  clock: Clock;
  templates: Templates;
  transport: MailTransport;
  counter: SendCounter;
  unsubscribe: { publicUrl: string; secret: Uint8Array };
  /** Domain of Message-IDs and calendar UIDs; the seeker's email domain when not set. */
  messageDomain?: string;
};

export type EmailOutcome =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'deferred'; until: string; reason: string }
  | { outcome: 'bounced'; code: number; reason: string };

const skipped = (reason: string): EmailOutcome => ({ outcome: 'skipped', reason });

/** The bounce is a consequence of this effect, so its event id derives from the effect key too. */
const bounceEventId = (key: string) => derivedId(`${key}:bounced`);

/** The one result command an effect ends in; the decider refusing it is how "no longer due" is decided. */
function resultCommand(data: EmailEffectData, meeting: MeetingState, messageId: string, now: string, uid: string): MeetingCommand | null {
  switch (data.kind) {
    case 'request-email': return { type: 'RecordOutreachEmailSent', messageId, now };
    case 'nudge': return { type: 'RecordNudgeSent', messageId, now };
    case 'prep-brief': return { type: 'RecordPrepBriefSent', messageId, now };
    case 'thank-you': return { type: 'RecordThankYouSent', messageId, now };
    case 'booking-confirmation':
      return { type: 'RecordCalendarEvent', change: meeting.sequence === 0 ? 'created' : 'updated', provider: 'ics', calendarEventId: uid, now };
    case 'calendar-cancel': return { type: 'RecordCalendarEvent', change: 'deleted', provider: 'ics', calendarEventId: uid, now };
    case 'keep-in-touch': return null;
  }
}

/**
 * A stream's state folded from its events as load() folds them; a stream written by another
 * workspace reads as missing (the initial state), as it does there.
 */
function folded<S, E extends { type: string }>(agg: Aggregate<S, E>, events: readonly StoredEvent[], workspaceId: string): S {
  if (events.length > 0 && events[0]!.metadata['workspaceId'] !== workspaceId) return agg.initial();
  let state = agg.initial();
  for (const e of events) if (agg.owns(e.type)) state = agg.evolve(state, { type: e.type, data: e.data } as unknown as E);
  return state;
}

/**
 * One email effect, by the protocol: re-read the streams, decide whether it is still due, send with
 * a Message-ID derived from the effect key, then append the result event with an id derived from
 * the same key. A transient send failure is thrown (the queue retries); a permanent one is recorded.
 */
export type EmailEffectData = EffectData & { kind: EmailEffect };

export async function performEmailEffect(data: EmailEffectData, deps: EmailDeps): Promise<EmailOutcome> {
  const ctx: AppContext = {
    store: deps.store, clock: deps.clock, workspaceId: data.workspaceId, actor: 'worker:email', causationId: data.sourceEventId,
  };
  const now = deps.clock();
  const ws = (await load(ctx, workspaceAggregate, data.workspaceId)).state.config;
  if (!ws) return skipped('the workspace is not configured');
  const { state: contact, exists } = await load(ctx, contactAggregate, data.contactId);
  if (!exists) return skipped('the contact does not exist');
  const resultStream = data.kind === 'keep-in-touch' ? `contact-${data.contactId}` : `meeting-${data.meetingId}`;
  const stream = await deps.store.readStream(resultStream);
  // The meeting's stream is the one just read (for every kind but keep-in-touch): its state is folded from it, not read again.
  const meeting = !data.meetingId
    ? initialMeeting()
    : resultStream === meetingAggregate.stream(data.meetingId)
      ? folded(meetingAggregate, stream, data.workspaceId)
      : (await load(ctx, meetingAggregate, data.meetingId)).state;

  const resultId = derivedId(data.key);
  if (stream.some((e) => e.id === resultId)) return skipped('already done: its result event is stored');

  const domain = deps.messageDomain ?? ws.ownerEmail.split('@')[1]!;
  const messageId = messageIdFor(data.key, domain, resultId);
  const uid = data.meetingId ? icsUid(data.meetingId, domain) : '';

  // Still due? The decider that will record the result says so; and an effect made for an older booking is stale.
  const command = resultCommand(data, meeting, messageId, now, uid);
  try {
    if (command) decideMeeting(command, meeting, { contact });
    else decideContact({ type: 'RecordKeepInTouchSent', messageId, now }, contact);
  } catch (e) {
    if (isOutreachError(e, 'illegal_state')) return skipped(e.message);
    throw e;
  }
  if (data.kind === 'booking-confirmation' || data.kind === 'prep-brief') {
    const lastBooking = stream.filter((e) => e.type === 'MeetingBooked' || e.type === 'MeetingRescheduled').at(-1);
    if (lastBooking?.id !== data.sourceEventId) return skipped('superseded by a later booking time');
    // A confirmation or brief for a meeting already under way (or over) helps nobody.
    if (meeting.status !== 'booked') return skipped(`the meeting is ${meeting.status.replace('_', ' ')}`);
    if (Date.parse(meeting.booking!.start) <= Date.parse(now)) return skipped('the meeting has already started');
  }
  if (data.kind === 'calendar-cancel' || data.kind === 'booking-confirmation') {
    const blocker = emailBlocker(contact);
    if (blocker) return skipped(blocker);
  }
  if (data.kind === 'keep-in-touch') {
    // The result stream of a keep-in-touch is the contact's stream, read above: its source is there.
    const source = stream.find((e) => e.id === data.sourceEventId);
    const touchedAt = (source?.data as { sentAt?: string } | undefined)?.sentAt;
    if (touchedAt && contact.lastTouchAt && Date.parse(contact.lastTouchAt) > Date.parse(touchedAt)) {
      return skipped('a later touch started its own keep-in-touch');
    }
  }

  if (toContact(data.kind)) {
    const contactZone = contact.details?.timezone ?? ws.timezone;
    // The slot is this effect's: its retries (a 421, a cut connection, a worker that died) do not take another.
    const slot = await takeSendSlot(deps.counter, { workspaceId: data.workspaceId, now, limit: ws.dailySendLimit, zone: ws.timezone, hours: ws.businessHours, effect: data.key });
    if (!slot.ok) return { outcome: 'deferred', until: slot.until, reason: `the daily limit of ${ws.dailySendLimit} emails for ${slot.day} is reached (recipient zone ${contactZone})` };
  }

  const token = signUnsubscribeToken({ workspaceId: data.workspaceId, contactId: data.contactId }, deps.unsubscribe.secret);
  const unsubscribe = unsubscribeUrl(deps.unsubscribe.publicUrl, token);
  const kind: EmailKind = data.kind === 'request-email'
    ? (meeting.request?.via === 'gatekeeper' ? 'meeting-request-gatekeeper' : 'meeting-request-direct')
    : data.kind === 'calendar-cancel' ? 'meeting-cancelled' : data.kind;
  const vars = await templateVariables(ctx, { ws, contactId: data.contactId, contact, meeting, unsubscribeUrl: unsubscribe, kind });
  const content = deps.templates.render(kind, vars as never);
  const seeker = { name: ws.ownerName, email: ws.ownerEmail };
  const person = { name: contact.details!.name, email: contact.details!.email ?? '' };
  const to = data.kind === 'prep-brief' ? seeker : person;
  const threaded = (data.kind === 'nudge' || data.kind === 'thank-you') && meeting.outreach ? meeting.outreach.messageId : undefined;
  const ics = data.kind === 'booking-confirmation' || data.kind === 'calendar-cancel'
    ? meetingIcs({ meetingId: data.meetingId!, meeting, contact, ws, domain, summary: content.subject, description: content.text, now }) ?? undefined
    : undefined;

  const mail = buildMail({
    from: seeker, to, subject: content.subject, text: content.text, html: content.html, messageId,
    ...(threaded ? { inReplyTo: threaded, references: [threaded] } : {}),
    ...(to === person ? { unsubscribeUrl: unsubscribe } : {}),
    ...(ics ? { ics } : {}),
  });
  try {
    await deps.transport.send(mail, { about: data.contactId });
  } catch (error) {
    const failure = classifySendError(error);
    if (failure.kind !== 'permanent') throw error;
    await execute(ctx, contactAggregate, data.contactId, ({ state }) => decideContact({
      type: 'RecordEmailBounced', effect: data.key, code: failure.code ?? 550, reason: failure.reason.slice(0, 1000),
      ...(data.meetingId ? { meetingId: data.meetingId } : {}), now: deps.clock(),
    }, state), { eventIds: () => bounceEventId(data.key) });
    return { outcome: 'bounced', code: failure.code ?? 550, reason: failure.reason };
  }

  // The one window: the mail is accepted but the process may die before this append; a retry then sends again.
  const sentAt = deps.clock();
  try {
    if (command) {
      await execute(ctx, meetingAggregate, data.meetingId!, ({ state }) => decideMeeting({ ...command, now: sentAt }, state, { contact }), { eventIds: () => resultId });
    } else {
      await execute(ctx, contactAggregate, data.contactId, ({ state }) => decideContact({ type: 'RecordKeepInTouchSent', messageId, now: sentAt }, state), { eventIds: () => resultId });
    }
  } catch (e) {
    // Refused now means something changed while the mail was in flight (an opt-out): the mail went, and the log says why no result followed.
    if (!isOutreachError(e, 'illegal_state')) throw e;
  }
  // No address in the outcome: it is kept with the finished job in Redis, which forget cannot reach.
  return { outcome: 'sent', messageId };
}

/** After the last retry: the failure becomes part of the contact's history. */
export async function recordEmailFailed(data: EffectData, deps: Pick<EmailDeps, 'store' | 'clock'>, attempts: number, reason: string) {
  const ctx: AppContext = { store: deps.store, clock: deps.clock, workspaceId: data.workspaceId, actor: 'worker:email', causationId: data.sourceEventId };
  await execute(ctx, contactAggregate, data.contactId, ({ state }) => decideContact({
    type: 'RecordEmailFailed', effect: data.key, reason: reason.slice(0, 1000), attempts,
    ...(data.meetingId ? { meetingId: data.meetingId } : {}), now: deps.clock(),
  }, state), { eventIds: () => derivedId(`${data.key}:failed`) });
}

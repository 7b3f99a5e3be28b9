import { z } from 'zod';
import { calendarEditNeedsDecision, calendarVersion } from './calendar-version.ts';
import {
  bodyText,
  businessHours,
  changeSource,
  channel,
  contactSource,
  emailAddress,
  headerText,
  id,
  instant,
  isoDuration,
  level,
  meetingMinutes,
  careerTarget,
  personal,
  phoneNumber,
  sentiment,
  tag,
  timezone,
  url,
  via,
} from './values.ts';

const at = instant;
const messageSent = z.object({ messageId: z.string().min(3).max(300), sentAt: at });
/** A first email of a thread keeps its subject, so that every follow-up answers it as "Re: …". */
const threadStarted = messageSent.extend({ subject: personal(headerText(300)).optional() });
const emailEffects = z.enum([
  'request-email',
  'gatekeeper-request',
  'nudge',
  'gatekeeper-nudge',
  'booking-confirmation',
  'prep-brief',
  'thank-you',
  'keep-in-touch',
  'calendar-cancel',
]);
/** How a call ended, as the seeker logs it. */
export const callOutcomes = ['booked', 'call-back', 'voicemail', 'no-answer', 'declined', 'gave-name'] as const;
const provider = z.enum(['google', 'ics']);
const calendarEventId = z.string().min(1).max(1024);
const meetingTime = {
  start: instant,
  minutes: z.number().int().min(5).max(240),
  timezone,
};

export const workspaceEvents = {
  WorkspaceConfigured: z.object({
    ownerName: personal(headerText(120)),
    ownerEmail: personal(emailAddress),
    objective: personal(headerText(500)),
    timezone,
    businessHours,
    thankYouDelay: isoDuration,
    thankYouDeadline: isoDuration,
    keepInTouchCadence: isoDuration,
    nudgeAfter: isoDuration,
    dailySendLimit: z.number().int().min(1).max(10_000),
    /** Which emails wait for the seeker's approval: all, requests to people not yet met (the default), or none. */
    review: z.enum(['all', 'first-touch', 'none']).optional(),
    configuredAt: at,
  }),
  CalendarConnected: z.object({
    provider: z.literal('google'),
    // Often the owner's address: sealed like the rest of the seeker's own words.
    calendarId: personal(headerText(300)),
    accountEmail: personal(emailAddress).optional(),
    connectedAt: at,
  }),
  CalendarDisconnected: z.object({
    provider: z.literal('google'),
    reason: z.enum(['user', 'revoked', 'invalid_grant']),
    disconnectedAt: at,
  }),
  /** A career the seeker is exploring: several interviews per career before deciding (the method's objectivity). */
  CareerTargetAdded: z.object({ target: careerTarget, addedAt: at }),
  CareerTargetRemoved: z.object({ target: careerTarget, removedAt: at }),
  /** The seeker's mailbox was read again after it was disconnected (or for the first time). */
  MailboxConnected: z.object({ provider: z.enum(['imap', 'gmail']), connectedAt: at }),
  /** The mailbox refused the credentials (a changed password, a revoked grant): reading stops until they are fixed. */
  MailboxDisconnected: z.object({ provider: z.enum(['imap', 'gmail']), reason: z.enum(['auth-failed', 'revoked']), disconnectedAt: at }),
};

export const contactFields = {
  name: personal(headerText(120)),
  email: personal(emailAddress).optional(),
  phone: personal(phoneNumber).optional(),
  // Where someone works and as what (with the level and a referral link) is often enough to tell who
  // they are: sealed, as every free text is. The level (an enum) and the time zone stay in clear.
  organisation: personal(headerText(200)).optional(),
  role: personal(headerText(200)).optional(),
  level: level.optional(),
  industry: personal(headerText(100)).optional(),
  timezone: timezone.optional(),
  linkedinUrl: personal(url).optional(),
  tags: z.array(personal(tag)).max(30),
  /** The career target this person can tell the seeker about: the seeker's own label, kept in clear like the level. */
  target: careerTarget.optional(),
};

export const contactEvents = {
  ContactAdded: z.object({
    contactId: id,
    ...contactFields,
    source: contactSource,
    referredBy: z.object({ contactId: id, meetingId: id.optional() }).optional(),
    addedAt: at,
  }),
  ContactDetailsChanged: z.object({
    changes: z
      .object(contactFields)
      .partial()
      .refine((c) => Object.keys(c).length > 0, 'nothing to change'),
    changedAt: at,
  }),
  ResearchNoteAdded: z.object({ note: personal(bodyText()), addedAt: at }),
  QuestionsPrepared: z.object({
    questions: z
      .array(personal(bodyText(1000)))
      .min(1)
      .max(50),
    preparedAt: at,
  }),
  ReplyReceived: z.object({
    summary: personal(bodyText(5000)).optional(),
    /** Read in the seeker's mailbox (the excerpt is the summary), rather than typed by the seeker. */
    source: z.enum(['seeker', 'mailbox']).optional(),
    /** The meeting whose thread it answered, when it answered one. */
    meetingId: id.optional(),
    receivedAt: at,
  }),
  /**
   * An automatic answer (out of office, vacation): never a reply. It moves the meeting's nudge past
   * the day the person is back (`returnsOn`, an ISO date in the seeker's zone) or by the nudge delay.
   */
  AutoReplyReceived: z.object({
    meetingId: id.optional(),
    returnsOn: z.iso.date().optional(),
    /** What marked it as automatic: a header (Auto-Submitted: auto-replied) or its subject. */
    signal: z.string().min(1).max(200),
    receivedAt: at,
  }),
  /** A delivery report said the mail is delayed (a 4.x.x): noted, nothing suppressed. */
  EmailDelayed: z.object({ email: personal(emailAddress), status: z.string().max(20), meetingId: id.optional(), notedAt: at }),
  ContactOptedOut: z.object({ source: z.enum(['seeker', 'unsubscribe-link', 'reply']), optedOutAt: at }),
  KeepInTouchSent: messageSent,
  JobLeadReported: z.object({
    description: personal(bodyText(2000)),
    // Often the contact's own employer ("an opening on her team").
    organisation: personal(headerText(200)).optional(),
    meetingId: id.optional(),
    reportedAt: at,
  }),
  ContactForgotten: z.object({ forgottenAt: at }),
  /**
   * A permanent SMTP refusal. Recorded on the contact, not the meeting, because it is a fact about the
   * address: every later email to that address is suppressed until the address changes.
   */
  EmailBounced: z.object({
    effect: z.string().min(1).max(200),
    email: personal(emailAddress),
    code: z.number().int().min(400).max(599),
    // A server's answer often quotes the address it refused.
    reason: personal(z.string().max(1000)),
    meetingId: id.optional(),
    bouncedAt: at,
  }),
  /** An email that kept failing for temporary reasons until its retries ran out; it can be sent again by replaying. */
  EmailFailed: z.object({
    effect: z.string().min(1).max(200),
    reason: personal(z.string().max(1000)),
    attempts: z.number().int().min(1),
    meetingId: id.optional(),
    failedAt: at,
  }),
  /** An update the seeker wrote for their next keep-in-touch note: without one, no note goes. */
  ContactUpdateWritten: z.object({ text: personal(bodyText(2000)), writtenAt: at }),
  /**
   * An email held for the seeker's review instead of being sent (the workspace's review setting). It
   * lives on the stream of the contact it is about, its text sealed under their key.
   */
  EmailDrafted: z.object({
    draftId: id,
    /** The effect that would have sent it; approving sends it by that effect's rules. */
    effect: z.string().min(1).max(200),
    kind: emailEffects,
    meetingId: id.optional(),
    /** Who it goes to: the contact, or the gatekeeper asked to introduce them. */
    toContactId: id,
    subject: personal(headerText(300)),
    text: personal(bodyText(20_000)),
    draftedAt: at,
  }),
  DraftEdited: z.object({ draftId: id, subject: personal(headerText(300)), text: personal(bodyText(20_000)), editedAt: at }),
  DraftApproved: z.object({ draftId: id, approvedAt: at }),
  DraftDiscarded: z.object({ draftId: id, discardedAt: at }),
  /** Written on the contact's stream before its meeting stream starts, so that "one open request per contact" is decided on one stream. */
  MeetingLinked: z.object({ meetingId: id, linkedAt: at }),
};

export const meetingEvents = {
  MeetingRequested: z.object({
    meetingId: id,
    contactId: id,
    channel,
    via,
    referralContactId: id.optional(),
    /** Through a gatekeeper: the contact asked to introduce the seeker (a receptionist, an assistant, a colleague). */
    gatekeeperContactId: id.optional(),
    /** The career target the conversation is about (by default the contact's). */
    target: careerTarget.optional(),
    minutes: meetingMinutes,
    requestedAt: at,
  }),
  /** The request to the person sought (directly, or after a gatekeeper's introduction). */
  OutreachEmailSent: threadStarted,
  /** The request to the gatekeeper, asking for an introduction or the right time to call. */
  GatekeeperEmailSent: threadStarted,
  /** The gatekeeper put the seeker in touch (or gave the name or direct line): the person sought can now be asked. */
  GatekeeperIntroduced: z.object({ introducedAt: at }),
  NudgeSent: messageSent.extend({ to: z.enum(['contact', 'gatekeeper']).optional() }),
  /** A telephone call the seeker made, and what came of it; a next try is due at `nextCallAt` when there is one. */
  CallLogged: z.object({
    outcome: z.enum(callOutcomes),
    attempt: z.number().int().min(1).max(100),
    nextCallAt: at.optional(),
    notes: personal(bodyText(2000)).optional(),
    calledAt: at,
  }),
  /** A person the contact referred at this meeting was added (their id only: their details are theirs). */
  ReferralGiven: z.object({ contactId: id, recordedAt: at }),
  MeetingBooked: z.object({
    ...meetingTime,
    location: personal(headerText(300)).optional(),
    // A personal meeting room's link often carries a name.
    videoUrl: personal(url).optional(),
    bookedAt: at,
  }),
  MeetingRescheduled: z.object({ ...meetingTime, source: changeSource, rescheduledAt: at, calendarVersion: calendarVersion.optional() }),
  MeetingCancelled: z.object({
    by: z.enum(['seeker', 'contact']),
    source: changeSource,
    reason: personal(bodyText(1000)).optional(),
    cancelledAt: at,
  }),
  AttendeeResponded: z.object({ response: z.enum(['accepted', 'declined', 'tentative', 'needsAction']), respondedAt: at }),
  CalendarEventCreated: z.object({ provider, calendarEventId, at, version: calendarVersion.optional() }),
  CalendarEventUpdated: z.object({ provider, calendarEventId, sequence: z.number().int().min(0), at, version: calendarVersion.optional() }),
  CalendarEventDeleted: z.object({ provider, calendarEventId, at }),
  CalendarEditNeedsDecision: calendarEditNeedsDecision,
  PrepBriefSent: messageSent,
  MeetingHeld: z.object({
    heldAt: at,
    actualMinutes: z.number().int().min(1).max(600),
    notes: personal(bodyText()).optional(),
    insights: personal(bodyText()).optional(),
    referralsAsked: z.number().int().min(0).max(50),
    businessCards: z.number().int().min(0).max(50),
    sentiment: sentiment.optional(),
  }),
  MeetingNoShow: z.object({ recordedAt: at }),
  ThankYouSent: messageSent,
};

export const eventSchemas = { ...workspaceEvents, ...contactEvents, ...meetingEvents };
export type EventSchemas = typeof eventSchemas;
export type EventType = keyof EventSchemas;
export type EventOf<K extends EventType> = { type: K; data: z.infer<EventSchemas[K]> };
export type DomainEvent = { [K in EventType]: EventOf<K> }[EventType];
export type WorkspaceEvent = { [K in keyof typeof workspaceEvents]: EventOf<K> }[keyof typeof workspaceEvents];
export type ContactEvent = { [K in keyof typeof contactEvents]: EventOf<K> }[keyof typeof contactEvents];
export type MeetingEvent = { [K in keyof typeof meetingEvents]: EventOf<K> }[keyof typeof meetingEvents];

export const SCHEMA_VERSION = 1;

export const isEventType = (type: string): type is EventType => Object.hasOwn(eventSchemas, type);

export const streams = {
  workspace: (workspaceId: string) => `workspace-${workspaceId}`,
  contact: (contactId: string) => `contact-${contactId}`,
  meeting: (meetingId: string) => `meeting-${meetingId}`,
};

/** Metadata every stored event carries. */
export const eventMetadata = z.object({
  workspaceId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  actor: z.string().min(1).max(200),
  schemaVersion: z.number().int().min(1),
  /** Whose key seals the event's personal fields (`contact:<id>`); the stream's own id when absent. */
  dataSubject: z.string().min(1).max(200).optional(),
});
export type EventMetadata = z.infer<typeof eventMetadata>;

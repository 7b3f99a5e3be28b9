import type { ContactCommand } from '../../../domain/contact.ts';
import type { MeetingCommand } from '../../../domain/meeting.ts';
import type { Invitation, Person } from './invitation.ts';
import type { DailyLimit } from './send-counter.ts';
import type { EmailKind } from './templates.ts';

/** The command that records an effect's result, on the stream it belongs to; its `now` becomes the time of sending. */
export type ResultRecord = { on: 'meeting'; meetingId: string; command: MeetingCommand } | { on: 'contact'; contactId: string; command: ContactCommand };

/**
 * One email to send, as plain data: everything the executor needs to render, address and send it,
 * and nothing it would have to read from the log.
 */
export type EmailIntent = {
  /** The effect key: the Message-ID, the result event's id and the job's id all derive from it. */
  effect: string;
  template: EmailKind;
  /** The template's variables, but the unsubscribe link (the executor signs it: it holds the key). */
  variables: Record<string, string>;
  from: Person;
  to: Person;
  /** The contact the email goes to (the gatekeeper for a gatekeeper's email); none for the seeker's own brief. */
  toContactId?: string;
  /** Words the seeker approved (an edited draft): sent as they are instead of the template's. */
  content?: { subject: string; text: string };
  messageId: string;
  /** When it was decided to send it: the Date header says so (the effect's clock, not the machine's). */
  date?: string;
  /** The first request this follow-up answers, so that it threads. */
  thread?: { inReplyTo: string; references: readonly string[] };
  /** Mail to a contact carries a one-click unsubscribe for them. */
  unsubscribe?: { workspaceId: string; contactId: string };
  /** Attached as an .ics, worded by the rendered email. */
  invitation?: Invitation;
  /** The contact the mail is about: a local copy is named after them so that forgetting them finds it. */
  about: string;
  /** Mail to a contact counts against the seeker's daily limit. */
  dailyLimit?: DailyLimit;
  record: ResultRecord;
  /** A permanent refusal is recorded on this contact (the address bounced). */
  bounce: { contactId: string; meetingId?: string };
};

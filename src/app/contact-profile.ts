import type { ContactState } from '../domain/contact.ts';
import type { MeetingState } from '../domain/meeting.ts';
import { contactAggregate, meetingAggregate } from './aggregates.ts';
import { load, loadExisting, type AppContext } from './handle.ts';

export type SentEmail = { kind: string; sentAt: string; subject?: string | undefined; meetingId?: string | undefined };

/** Everything known about one person, as `contact show` tells it: details, what was written, meetings, emails, leads. */
export type ContactProfile = {
  id: string;
  state: ContactState;
  referredByName?: string | undefined;
  notes: { text: string; at: string }[];
  questions: string[];
  /** Read in the seeker's mailbox (`mailbox`) or typed by the seeker; an automatic answer is `auto`, with the day they are back. */
  replies: { summary?: string | undefined; at: string; source?: string | undefined; auto?: boolean; returnsOn?: string | undefined }[];
  updates: { text: string; at: string }[];
  leads: { description: string; organisation?: string | undefined; at: string }[];
  meetings: { id: string; state: MeetingState }[];
  emails: SentEmail[];
};

const SENT_ON_MEETING: Record<string, string> = {
  OutreachEmailSent: 'request',
  GatekeeperEmailSent: 'request to the gatekeeper',
  NudgeSent: 'nudge',
  PrepBriefSent: 'prep brief (to you)',
  ThankYouSent: 'thank-you',
};

export async function contactProfile(ctx: AppContext, contactId: string): Promise<ContactProfile> {
  const { state } = await loadExisting(ctx, contactAggregate, contactId);
  const profile: ContactProfile = { id: contactId, state, notes: [], questions: [], replies: [], updates: [], leads: [], meetings: [], emails: [] };
  if (state.referredBy) profile.referredByName = (await load(ctx, contactAggregate, state.referredBy.contactId)).state.details?.name;
  for (const e of await ctx.store.readStream(contactAggregate.stream(contactId))) {
    const d = e.data as Record<string, string & string[]>;
    if (e.type === 'ResearchNoteAdded') profile.notes.push({ text: d['note']!, at: d['addedAt']! });
    if (e.type === 'QuestionsPrepared') profile.questions.push(...d['questions']!);
    if (e.type === 'ReplyReceived') profile.replies.push({ summary: d['summary'], at: d['receivedAt']!, source: d['source'] });
    if (e.type === 'AutoReplyReceived') profile.replies.push({ at: d['receivedAt']!, auto: true, returnsOn: d['returnsOn'] });
    if (e.type === 'ContactUpdateWritten') profile.updates.push({ text: d['text']!, at: d['writtenAt']! });
    if (e.type === 'JobLeadReported') profile.leads.push({ description: d['description']!, organisation: d['organisation'], at: d['reportedAt']! });
    if (e.type === 'KeepInTouchSent') profile.emails.push({ kind: 'keep-in-touch', sentAt: d['sentAt']! });
  }
  for (const meetingId of state.meetingIds) {
    profile.meetings.push({ id: meetingId, state: (await load(ctx, meetingAggregate, meetingId)).state });
    for (const e of await ctx.store.readStream(meetingAggregate.stream(meetingId))) {
      const kind = SENT_ON_MEETING[e.type];
      const d = e.data as { sentAt: string; subject?: string; to?: string };
      if (kind) profile.emails.push({ kind: d.to === 'gatekeeper' ? 'nudge to the gatekeeper' : kind, sentAt: d.sentAt, subject: d.subject, meetingId });
    }
  }
  profile.emails.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  return profile;
}

import { contactAggregate, meetingAggregate } from './aggregates.ts';
import type { AppContext } from './handle.ts';
import type { ContactProfile } from './contact-profile.ts';

/** One thing that happened with a person, in words, at the time it happened. */
export type TimelineEntry = { at: string; type: string; what: string; meetingId: string | null; otherContactId?: string };

/** What each event says happened; events a person would not look for (calendar bookkeeping) are left out. */
const WORDS: Record<string, (d: Record<string, unknown>) => string> = {
  ContactAdded: (d) => `added to the list${d['source'] ? ` (${String(d['source'])})` : ''}`,
  ContactDetailsChanged: (d) => `details corrected: ${Object.keys((d['changes'] as object | undefined) ?? {}).join(', ')}`,
  ResearchNoteAdded: () => 'research note written',
  QuestionsPrepared: (d) => `${(d['questions'] as unknown[] | undefined)?.length ?? 0} questions prepared`,
  ReplyReceived: () => 'replied',
  AutoReplyReceived: () => 'automatic reply (away)',
  ContactOptedOut: () => 'asked for no more email',
  KeepInTouchSent: () => 'keep-in-touch update sent',
  JobLeadReported: (d) => `job lead: ${String(d['description'] ?? '')}`,
  EmailBounced: () => 'an email bounced',
  ContactUpdateWritten: () => 'update written for the next keep-in-touch',
  EmailDrafted: (d) => `${String(d['kind'] ?? 'email')} drafted for review`,
  DraftApproved: () => 'draft approved',
  DraftDiscarded: () => 'draft discarded',
  MeetingRequested: (d) => `meeting requested (${String(d['minutes'])} minutes${d['target'] ? `, about ${String(d['target'])}` : ''})`,
  OutreachEmailSent: () => 'request sent',
  GatekeeperEmailSent: () => 'request sent to the gatekeeper',
  GatekeeperIntroduced: () => 'introduced by the gatekeeper',
  NudgeSent: () => 'nudge sent',
  CallLogged: (d) => `call: ${String(d['outcome'] ?? '')}`,
  ReferralGiven: () => 'referred someone',
  MeetingBooked: (d) => `meeting booked for ${String(d['start'] ?? '')}`,
  MeetingRescheduled: (d) => `meeting moved to ${String(d['start'] ?? '')}`,
  MeetingCancelled: (d) => `meeting cancelled by ${String(d['by'] ?? '')}`,
  PrepBriefSent: () => 'prep brief sent to you',
  MeetingHeld: (d) =>
    `meeting held, ${String(d['actualMinutes'])} minutes, ${String(d['referralsAsked'])} referrals asked${d['sentiment'] ? `, felt ${String(d['sentiment'])}` : ''}`,
  MeetingNoShow: () => 'no-show',
  ThankYouSent: () => 'thank-you sent',
  ContactForgotten: () => 'personal data erased',
};

/** When an event happened: its own `…At` field (the simulated or recorded time), else when it was stored. */
function whenOf(data: Record<string, unknown>, stored: string): string {
  for (const [k, v] of Object.entries(data)) if (/At$/.test(k) && k !== 'nextCallAt' && typeof v === 'string') return v;
  return stored;
}

/** A person's story: every event of their stream and of their meetings' streams, in the order it happened. */
export async function contactTimeline(ctx: AppContext, profile: ContactProfile): Promise<TimelineEntry[]> {
  const streams: [string, string | null][] = [
    [contactAggregate.stream(profile.id), null],
    ...profile.meetings.map((m): [string, string] => [meetingAggregate.stream(m.id), m.id]),
  ];
  const entries: TimelineEntry[] = [];
  for (const [stream, meetingId] of streams) {
    for (const e of await ctx.store.readStream(stream)) {
      const words = WORDS[e.type];
      if (!words) continue;
      const data = (e.data ?? {}) as Record<string, unknown>;
      const other = e.type === 'ReferralGiven' && typeof data['contactId'] === 'string' ? { otherContactId: data['contactId'] } : {};
      entries.push({ at: new Date(whenOf(data, e.createdAt)).toISOString(), type: e.type, what: words(data), meetingId, ...other });
    }
  }
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

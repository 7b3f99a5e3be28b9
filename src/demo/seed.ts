import { DateTime } from 'luxon';
import type { AppContext } from '../app/handle.ts';
import { addContact, addResearchNote, prepareQuestions, reportJobLead, writeUpdate } from '../app/contact-commands.ts';
import { bookMeeting, holdMeeting, requestMeeting } from '../app/meeting-commands.ts';
import { configureWorkspace, loadWorkspace } from '../app/workspace-commands.ts';
import { people } from './people.ts';

/** What happens with whom: days are relative to now (negative = past). */
const meetings: {
  with: string;
  minutes: 15 | 20 | 30;
  via: 'direct' | 'gatekeeper';
  channel?: 'email' | 'phone';
  /** Through a gatekeeper by email: the contact who is asked to introduce the seeker. */
  gatekeeper?: string;
  referral?: string;
  bookDay?: number;
  held?: { minutes: number; referrals: number; sentiment: 'positive' | 'neutral' | 'negative'; insight: string };
}[] = [
  {
    with: 'priya',
    minutes: 20,
    via: 'direct',
    bookDay: -12,
    held: { minutes: 26, referrals: 2, sentiment: 'positive', insight: 'portfolio projects with real data counting for more than certificates' },
  },
  {
    with: 'grace',
    minutes: 15,
    via: 'gatekeeper',
    channel: 'phone',
    bookDay: -9,
    held: {
      minutes: 15,
      referrals: 2,
      sentiment: 'positive',
      insight: 'how much a risk team values someone who can explain numbers to people who are not analysts',
    },
  },
  {
    with: 'marcus',
    minutes: 20,
    via: 'direct',
    referral: 'priya',
    bookDay: -6,
    held: { minutes: 31, referrals: 2, sentiment: 'neutral', insight: 'learning SQL first, then one BI tool, and Python only after that' },
  },
  {
    with: 'tom',
    minutes: 20,
    via: 'direct',
    bookDay: -3,
    held: { minutes: 18, referrals: 1, sentiment: 'positive', insight: "volunteering on a charity's data being the quickest way to show real work" },
  },
  { with: 'lena', minutes: 20, via: 'direct', referral: 'priya', bookDay: 2 },
  { with: 'hannah', minutes: 15, via: 'direct', referral: 'grace', bookDay: 4 },
  { with: 'diego', minutes: 15, via: 'gatekeeper', gatekeeper: 'maya', referral: 'marcus' },
  { with: 'aisha', minutes: 20, via: 'direct', channel: 'phone', referral: 'marcus' },
  { with: 'omar', minutes: 20, via: 'direct', referral: 'grace' },
];

export type SeedReport = {
  workspaceId: string;
  created: boolean;
  contacts: number;
  meetings: number;
  /** A request by telephone, whose call script the demo prints. */
  phoneMeetingId?: string;
};

export async function seedDemo(ctx: AppContext, log: (line: string) => void = () => undefined): Promise<SeedReport> {
  const existing = await loadWorkspace(ctx);
  if (existing.configured) return { workspaceId: ctx.workspaceId, created: false, contacts: people.length, meetings: meetings.length };

  await configureWorkspace(ctx, {
    ownerName: 'Sam Rivera',
    ownerEmail: 'sam.rivera@example.com',
    timezone: 'Europe/London',
    objective: 'Learn how analytics teams hire people moving over from teaching',
    dailyLimit: 40,
  });
  log('configured workspace for Sam Rivera');

  const ids = new Map<string, string>();
  const now = DateTime.fromISO(ctx.clock());
  const meetingIds = new Map<string, string>();
  const pending: { plan: (typeof meetings)[number]; contact: string }[] = [];
  for (const p of people) {
    const referrer = p.referredBy ? ids.get(p.referredBy) : undefined;
    const referralMeeting = p.referredBy ? meetingIds.get(p.referredBy) : undefined;
    const { id } = await addContact(ctx, {
      name: p.name,
      email: `${p.key}@${p.org.toLowerCase().replace(/[^a-z]/g, '')}.example`,
      org: p.org,
      role: p.role,
      level: p.level,
      industry: p.industry,
      source: p.source,
      timezone: p.timezone,
      ...(referrer ? { referredBy: referrer, ...(referralMeeting ? { referralMeeting } : {}) } : {}),
    });
    ids.set(p.key, id);
    await addResearchNote(ctx, { contact: id, text: `${p.org}: read the team page and the last two blog posts about how ${p.role}s work there.` });
    await prepareQuestions(ctx, {
      contact: id,
      question: [
        'What does a typical week look like in your role?',
        'Which skills from teaching carry over, and which gaps would you close first?',
        'Who else should I speak with?',
      ],
    });
    // Referrals are given in a meeting, so the referrer's meeting is held before these contacts arrive.
    const plan = meetings.find((m) => m.with === p.key);
    if (plan) pending.push({ plan, contact: id });
    // A meeting runs once its gatekeeper is in the list (the assistant comes after the person they work for).
    for (const waiting of pending.filter((w) => !w.plan.gatekeeper || ids.has(w.plan.gatekeeper))) {
      pending.splice(pending.indexOf(waiting), 1);
      const { plan: m, contact } = waiting;
      const refs = { referral: m.referral ? ids.get(m.referral) : undefined, gatekeeper: m.gatekeeper ? ids.get(m.gatekeeper) : undefined };
      meetingIds.set(m.with, await runMeeting(ctx, contact, m, refs, now));
    }
  }
  log(`added ${people.length} contacts and ${meetings.length} meeting requests`);

  await reportJobLead(ctx, {
    contact: ids.get('marcus')!,
    description: 'A junior product analyst opening in the growth team, not yet advertised',
    org: 'Northwind Analytics',
    meeting: meetingIds.get('marcus')!,
  });
  await writeUpdate(ctx, {
    contact: ids.get('priya')!,
    text: 'I finished the SQL course you recommended and have started a small project on school attendance data.',
  });
  const phoneMeetingId = meetingIds.get(meetings.find((m) => m.channel === 'phone' && m.bookDay === undefined)!.with);
  return { workspaceId: ctx.workspaceId, created: true, contacts: people.length, meetings: meetings.length, ...(phoneMeetingId ? { phoneMeetingId } : {}) };
}

/** A weekday at 10:00 in London, `days` from now: backwards into the week for past meetings, forwards for coming ones. */
function meetingDay(now: DateTime, days: number): DateTime<boolean> {
  let day: DateTime<boolean> = now.plus({ days }).setZone('Europe/London').set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  const step = days < 0 ? -1 : 1;
  while (day.weekday > 5) day = day.plus({ days: step });
  // A past meeting must have ended before now, a coming one start after it.
  if (days < 0 && day.plus({ hours: 1 }) > now) day = meetingDay(now, days - 1);
  return day;
}

async function runMeeting(
  ctx: AppContext,
  contact: string,
  plan: (typeof meetings)[number],
  refs: { referral: string | undefined; gatekeeper: string | undefined },
  now: DateTime,
): Promise<string> {
  const { id } = await requestMeeting(ctx, {
    contact,
    minutes: plan.minutes,
    via: plan.via,
    ...(plan.channel ? { channel: plan.channel } : {}),
    ...(refs.referral ? { referral: refs.referral } : {}),
    ...(refs.gatekeeper ? { gatekeeper: refs.gatekeeper } : {}),
  });
  if (plan.bookDay === undefined) return id;
  const start = meetingDay(now, plan.bookDay);
  await bookMeeting(ctx, {
    meeting: id,
    at: start.toISO({ suppressMilliseconds: true })!,
    minutes: plan.minutes,
    videoUrl: 'https://meet.example/outreach-demo',
    past: plan.bookDay < 0,
  });
  if (plan.held) {
    await holdMeeting(ctx, {
      meeting: id,
      at: start.plus({ minutes: plan.held.minutes }).toISO({ suppressMilliseconds: true })!,
      minutes: plan.held.minutes,
      referrals: plan.held.referrals,
      cards: 1,
      sentiment: plan.held.sentiment,
      insights: plan.held.insight,
    });
  }
  return id;
}

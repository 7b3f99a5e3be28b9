import { DateTime } from 'luxon';
import type { AppContext } from '../app/handle.ts';
import { addContact, addResearchNote, prepareQuestions, reportJobLead } from '../app/contact-commands.ts';
import { bookMeeting, holdMeeting, requestMeeting } from '../app/meeting-commands.ts';
import { configureWorkspace, loadWorkspace } from '../app/workspace-commands.ts';

type Person = {
  key: string;
  name: string;
  org: string;
  role: string;
  level: 'entry' | 'mid' | 'senior' | 'executive';
  industry: string;
  source: string;
  timezone: string;
  referredBy?: string;
};

/** A seeker's first weeks: a dozen people, referral chains two deep, meetings at every stage. */
const people: Person[] = [
  {
    key: 'priya',
    name: 'Priya Natarajan',
    org: 'Northwind Analytics',
    role: 'Analytics Manager',
    level: 'senior',
    industry: 'software',
    source: 'friend',
    timezone: 'Europe/London',
  },
  {
    key: 'tom',
    name: 'Tom Becker',
    org: 'Fabrikam Health',
    role: 'Data Analyst',
    level: 'entry',
    industry: 'healthcare',
    source: 'colleague',
    timezone: 'Europe/Berlin',
  },
  {
    key: 'grace',
    name: 'Grace Okafor',
    org: 'Contoso Bank',
    role: 'Head of Data',
    level: 'executive',
    industry: 'finance',
    source: 'association',
    timezone: 'Europe/London',
  },
  {
    key: 'marcus',
    name: 'Marcus Hale',
    org: 'Northwind Analytics',
    role: 'Product Analyst',
    level: 'mid',
    industry: 'software',
    source: 'referral',
    timezone: 'America/New_York',
    referredBy: 'priya',
  },
  {
    key: 'lena',
    name: 'Lena Fischer',
    org: 'Tailspin Toys',
    role: 'BI Lead',
    level: 'senior',
    industry: 'retail',
    source: 'referral',
    timezone: 'Europe/Berlin',
    referredBy: 'priya',
  },
  {
    key: 'aisha',
    name: 'Aisha Karim',
    org: 'Woodgrove Retail',
    role: 'Junior Analyst',
    level: 'entry',
    industry: 'retail',
    source: 'referral',
    timezone: 'Europe/London',
    referredBy: 'marcus',
  },
  {
    key: 'diego',
    name: 'Diego Alvarez',
    org: 'Litware',
    role: 'VP Product',
    level: 'executive',
    industry: 'software',
    source: 'referral',
    timezone: 'America/Los_Angeles',
    referredBy: 'marcus',
  },
  {
    key: 'hannah',
    name: 'Hannah Lee',
    org: 'Fabrikam Health',
    role: 'Data Scientist',
    level: 'mid',
    industry: 'healthcare',
    source: 'referral',
    timezone: 'Europe/London',
    referredBy: 'grace',
  },
  {
    key: 'omar',
    name: 'Omar Said',
    org: 'Contoso Bank',
    role: 'Risk Analyst',
    level: 'mid',
    industry: 'finance',
    source: 'referral',
    timezone: 'Europe/London',
    referredBy: 'grace',
  },
  {
    key: 'sofia',
    name: 'Sofia Rossi',
    org: 'Adventure Works',
    role: 'Insights Director',
    level: 'executive',
    industry: 'retail',
    source: 'linkedin',
    timezone: 'Europe/Rome',
  },
  {
    key: 'ken',
    name: 'Ken Watanabe',
    org: 'Proseware',
    role: 'Analytics Engineer',
    level: 'mid',
    industry: 'software',
    source: 'community',
    timezone: 'Asia/Tokyo',
  },
  {
    key: 'ruth',
    name: 'Ruth Mensah',
    org: 'City Careers Service',
    role: 'Careers Adviser',
    level: 'senior',
    industry: 'education',
    source: 'neighbour',
    timezone: 'Europe/London',
  },
];

/** What happens with whom: days are relative to now (negative = past). */
const meetings: {
  with: string;
  minutes: 15 | 20 | 30;
  via: 'direct' | 'gatekeeper';
  referral?: string;
  bookDay?: number;
  held?: { minutes: number; referrals: number; sentiment: 'positive' | 'neutral' | 'negative' };
}[] = [
  { with: 'priya', minutes: 20, via: 'direct', bookDay: -12, held: { minutes: 26, referrals: 2, sentiment: 'positive' } },
  { with: 'grace', minutes: 15, via: 'gatekeeper', bookDay: -9, held: { minutes: 15, referrals: 2, sentiment: 'positive' } },
  { with: 'marcus', minutes: 20, via: 'direct', referral: 'priya', bookDay: -6, held: { minutes: 31, referrals: 2, sentiment: 'neutral' } },
  { with: 'tom', minutes: 20, via: 'direct', bookDay: -3, held: { minutes: 18, referrals: 1, sentiment: 'positive' } },
  { with: 'lena', minutes: 20, via: 'direct', referral: 'priya', bookDay: 2 },
  { with: 'hannah', minutes: 15, via: 'direct', referral: 'grace', bookDay: 4 },
  { with: 'diego', minutes: 15, via: 'gatekeeper', referral: 'marcus' },
  { with: 'aisha', minutes: 20, via: 'direct', referral: 'marcus' },
];

export type SeedReport = { workspaceId: string; created: boolean; contacts: number; meetings: number };

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
    if (plan) meetingIds.set(p.key, await runMeeting(ctx, id, plan, plan.referral ? ids.get(plan.referral) : undefined, now));
  }
  log(`added ${people.length} contacts and ${meetings.length} meeting requests`);

  await reportJobLead(ctx, {
    contact: ids.get('marcus')!,
    description: 'A junior product analyst opening in the growth team, not yet advertised',
    org: 'Northwind Analytics',
    meeting: meetingIds.get('marcus')!,
  });
  return { workspaceId: ctx.workspaceId, created: true, contacts: people.length, meetings: meetings.length };
}

async function runMeeting(ctx: AppContext, contact: string, plan: (typeof meetings)[number], referral: string | undefined, now: DateTime): Promise<string> {
  const { id } = await requestMeeting(ctx, { contact, minutes: plan.minutes, via: plan.via, ...(referral ? { referral } : {}) });
  if (plan.bookDay === undefined) return id;
  const start = now.plus({ days: plan.bookDay }).setZone('Europe/London').set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  await bookMeeting(ctx, {
    meeting: id,
    at: start.toISO({ suppressMilliseconds: true })!,
    minutes: plan.minutes,
    videoUrl: 'https://meet.example/outreach-demo',
  });
  if (plan.held) {
    await holdMeeting(ctx, {
      meeting: id,
      at: start.plus({ minutes: plan.held.minutes }).toISO({ suppressMilliseconds: true })!,
      minutes: plan.held.minutes,
      referrals: plan.held.referrals,
      cards: 1,
      sentiment: plan.held.sentiment,
      insights: 'Portfolio projects with real data matter more than certificates.',
    });
  }
  return id;
}

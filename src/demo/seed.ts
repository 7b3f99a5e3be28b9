import { DateTime } from 'luxon';
import type { AppContext } from '../app/handle.ts';
import { addContact, addResearchNote, prepareQuestions, recordReply, reportJobLead, writeUpdate } from '../app/contact-commands.ts';
import { approveDraft } from '../app/draft-commands.ts';
import { contactAggregate } from '../app/aggregates.ts';
import { load } from '../app/handle.ts';
import { bookMeeting, holdMeeting, logCall, requestMeeting } from '../app/meeting-commands.ts';
import { addCareerTarget, configureWorkspace, loadWorkspace } from '../app/workspace-commands.ts';
import { people } from './people.ts';
import { simulatedClock, type SimulatedClock } from './simulation.ts';
import { TARGET_OF, TARGETS, timeline, type Ahead, type Step, type When } from './timeline.ts';

const ZONE = 'Europe/London';

export type SeedReport = {
  workspaceId: string;
  created: boolean;
  contacts: number;
  meetings: number;
  /** A request by telephone, whose call script the demo prints. */
  phoneMeetingId?: string;
  /** The simulated month: from its first Monday to the moment the seeding ended. */
  from?: string;
  to?: string;
};

export type SeedOptions = {
  /** The effects run up to each step's moment (the demo's simulated workers); without it only commands are seeded. */
  effectsUntil?: (at: string) => Promise<void>;
  /** The clock the month runs on (the demo's, shared with its effects); else one of its own. */
  sim?: SimulatedClock;
};

/** Monday 00:00 of week 1: four weeks before the current week, in the seeker's zone. */
export function monthStart(now: string): DateTime {
  return DateTime.fromISO(now, { zone: ZONE }).startOf('week').minus({ weeks: 4 });
}

/** A step's moment; a meeting "a few business days after today" at a time in the contact's zone. */
function instantOf(at: When | Ahead, start: DateTime, now: string, zone = ZONE): string {
  const [hour, minute] = ('week' in at ? at.time : at.time).split(':').map(Number) as [number, number];
  if ('week' in at)
    return start
      .plus({ weeks: at.week - 1, days: at.day - 1 })
      .set({ hour, minute })
      .toUTC()
      .toISO()!;
  let day = DateTime.fromISO(now, { zone }).startOf('day');
  for (let n = 0; n < at.businessDaysAfterToday; ) {
    day = day.plus({ days: 1 });
    if (day.weekday <= 5) n++;
  }
  return day.set({ hour, minute }).toUTC().toISO()!;
}

/**
 * A seeker's first month (src/demo/timeline.ts), each step on a simulated clock at its moment:
 * events carry those times, so meetings fall on weekdays in business hours and thank-yous go within
 * hours of each meeting (when `effectsUntil` runs them). Does nothing for a workspace already configured.
 */
export async function seedDemo(ctx: AppContext, log: (line: string) => void = () => undefined, opts: SeedOptions = {}): Promise<SeedReport> {
  const realNow = ctx.clock();
  const existing = await loadWorkspace(ctx);
  if (existing.configured) return { workspaceId: ctx.workspaceId, created: false, contacts: people.length, meetings: countRequests() };
  const start = monthStart(realNow);
  const sim = opts.sim ?? simulatedClock(start.toUTC().toISO()!);
  const at = { ...ctx, clock: sim.clock };
  const ids = new Map<string, string>();
  const meetings = new Map<string, string>();
  for (const step of timeline) {
    const moment = instantOf(step.at, start, realNow);
    await opts.effectsUntil?.(moment);
    sim.advanceTo(moment);
    await perform(step, { ctx: at, ids, meetings, start, realNow });
  }
  const end = opts.effectsUntil ? realNow : sim.now();
  await opts.effectsUntil?.(end);
  log(`a month of outreach for Sam Rivera: ${ids.size} people, ${meetings.size} meeting requests, from ${start.toISODate()} to ${end.slice(0, 10)}`);
  const phone = timeline.find((s) => s.do === 'request' && s.channel === 'phone' && s.via === undefined);
  return {
    workspaceId: ctx.workspaceId,
    created: true,
    contacts: ids.size,
    meetings: meetings.size,
    ...(phone?.do === 'request' ? { phoneMeetingId: meetings.get(phone.with)! } : {}),
    from: start.toUTC().toISO()!,
    to: end,
  };
}

const countRequests = () => timeline.filter((s) => s.do === 'request').length;

type Scene = { ctx: AppContext; ids: Map<string, string>; meetings: Map<string, string>; start: DateTime; realNow: string };

async function perform(step: Step, s: Scene): Promise<void> {
  const { ctx, ids, meetings } = s;
  const id = (key: string) => ids.get(key)!;
  switch (step.do) {
    case 'configure':
      await configureWorkspace(ctx, {
        ownerName: 'Sam Rivera',
        ownerEmail: 'sam.rivera@example.com',
        timezone: ZONE,
        objective: 'Learn how analytics teams hire people moving over from teaching',
        dailyLimit: 40,
      });
      for (const target of TARGETS) await addCareerTarget(ctx, { target });
      return;
    case 'add':
      for (const key of step.people) ids.set(key, await addPerson(ctx, key, ids, meetings));
      return;
    case 'request': {
      const { id: meeting } = await requestMeeting(ctx, {
        contact: id(step.with),
        minutes: step.minutes,
        ...(step.channel ? { channel: step.channel } : {}),
        ...(step.via ? { via: step.via } : {}),
        ...(step.gatekeeper ? { gatekeeper: id(step.gatekeeper) } : {}),
        ...(step.referral ? { referral: id(step.referral) } : {}),
      });
      meetings.set(step.with, meeting);
      return;
    }
    case 'approve-drafts':
      for (const contact of ids.values()) {
        const { state } = await load(ctx, contactAggregate, contact);
        for (const draft of Object.values(state.drafts)) if (draft.status === 'waiting') await approveDraft(ctx, { contact, draft: draft.draftId });
      }
      return;
    case 'reply':
      await recordReply(ctx, { contact: id(step.from), summary: step.summary });
      return;
    case 'book': {
      const zone = people.find((p) => p.key === step.with)!.timezone;
      const start = instantOf(step.start, s.start, s.realNow, 'week' in step.start ? ZONE : zone);
      await bookMeeting(ctx, { meeting: meetings.get(step.with)!, at: start, minutes: step.minutes, videoUrl: 'https://meet.example/outreach-demo' });
      return;
    }
    case 'call':
      await logCall(ctx, {
        meeting: meetings.get(step.with)!,
        outcome: step.outcome,
        ...(step.start ? { at: instantOf(step.start, s.start, s.realNow), minutes: step.minutes } : {}),
      });
      return;
    case 'held':
      await holdMeeting(ctx, {
        meeting: meetings.get(step.with)!,
        at: ctx.clock(),
        minutes: step.held.minutes,
        referrals: step.held.referrals,
        cards: 1,
        sentiment: step.held.sentiment,
        insights: step.held.insight,
      });
      return;
    case 'lead':
      await reportJobLead(ctx, { contact: id(step.from), description: step.description, org: step.org, meeting: meetings.get(step.from)! });
      return;
    case 'update':
      await writeUpdate(ctx, { contact: id(step.for), text: step.text });
      return;
  }
}

/** Adds a person with their research note and questions; a referral names the meeting it came from. */
async function addPerson(ctx: AppContext, key: string, ids: Map<string, string>, meetings: Map<string, string>): Promise<string> {
  const p = people.find((x) => x.key === key)!;
  const referrer = p.referredBy ? ids.get(p.referredBy) : undefined;
  const referralMeeting = p.referredBy ? meetings.get(p.referredBy) : undefined;
  const { id } = await addContact(ctx, {
    name: p.name,
    email: `${p.key}@${p.org.toLowerCase().replace(/[^a-z]/g, '')}.example`,
    org: p.org,
    role: p.role,
    level: p.level,
    industry: p.industry,
    source: p.source,
    timezone: p.timezone,
    ...(TARGET_OF[key] ? { target: TARGET_OF[key] } : {}),
    ...(referrer ? { referredBy: referrer, ...(referralMeeting ? { referralMeeting } : {}) } : {}),
  });
  await addResearchNote(ctx, { contact: id, text: `${p.org}: read the team page and the last two blog posts about how ${p.role}s work there.` });
  await prepareQuestions(ctx, {
    contact: id,
    question: [
      'What does a typical week look like in your role?',
      'Which skills from teaching carry over, and which gaps would you close first?',
      'Who else should I speak with?',
    ],
  });
  return id;
}

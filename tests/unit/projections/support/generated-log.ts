import type { EventType } from '../../../../src/domain/events.ts';

/**
 * A seeded, valid event log for many workspaces: seekers configure their workspace, add
 * contacts, request, book, hold and cancel meetings, send thank-yous and keep-in-touch notes,
 * get referrals (children added after the meeting that gave them), report job leads, opt out
 * and are forgotten, as the deciders allow. Each contact is a chain of events in causal order;
 * a pool of chains runs at once and the next event is taken from a random one, so streams
 * interleave at random. Streaming: memory stays flat however many events are asked for.
 */
export type GeneratedEvent = {
  id: string;
  stream: string;
  revision: number;
  type: EventType;
  data: Record<string, unknown>;
  metadata: { workspaceId: string; correlationId: string; causationId: string; actor: string; schemaVersion: number };
};

export type GenerateOptions = {
  seed: number;
  events: number;
  workspaces: number;
  /** Chains running at once: how far apart one contact's events land in the log. */
  concurrency?: number;
  /** When the log's story starts; it covers about a year from there. */
  start?: string;
};

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
type Rng = ReturnType<typeof prng>;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const FIRST = ['Ada', 'Grace', 'Marcus', 'Priya', 'Tom', 'Lena', 'Aisha', 'Diego', 'Hannah', 'Omar', 'Sofia', 'Ken', 'Ruth', 'Yusuf', 'Mei', 'Lars'];
const LAST = ['Okafor', 'Natarajan', 'Becker', 'Hale', 'Fischer', 'Karim', 'Alvarez', 'Lee', 'Said', 'Rossi', 'Watanabe', 'Mensah', 'Novak', 'Silva'];
const ORGS = [
  'Northwind Analytics',
  'Fabrikam Health',
  'Contoso Bank',
  'Tailspin Toys',
  'Woodgrove Retail',
  'Litware',
  'Adventure Works',
  'Proseware',
  'City Careers Service',
  'Wide World Importers',
];
const ROLES = [
  'Data Analyst',
  'Head of Data',
  'Product Analyst',
  'BI Lead',
  'VP Product',
  'Data Scientist',
  'Risk Analyst',
  'Analytics Engineer',
  'Careers Adviser',
];
const INDUSTRIES = ['software', 'healthcare', 'finance', 'retail', 'education', 'logistics'];
const LEVELS = ['entry', 'mid', 'senior', 'executive'] as const;
const SOURCES = ['friend', 'family', 'colleague', 'organisation', 'neighbour', 'community', 'linkedin', 'social', 'directory', 'association', 'other'] as const;
const ZONES: readonly [string, number][] = [
  ['Europe/London', 0],
  ['Europe/Berlin', 60],
  ['America/New_York', -300],
  ['Asia/Tokyo', 540],
  ['America/Los_Angeles', -480],
];
const NOTE = 'Read the team page and the last two blog posts; ask how they moved from batch reports to self-serve dashboards.';

/** An instant as a person's client would write it: in their offset (minutes east of UTC), whole seconds. */
function instant(ms: number, offsetMinutes = 0): string {
  const s = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * MIN).toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${s}Z`;
  const abs = Math.abs(offsetMinutes);
  return `${s}${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

type Step = { stream: string; type: EventType; data: Record<string, unknown>; then?: () => void };
type Chain = { workspaceId: string; steps: Step[]; next: number; revisions: Map<string, number> };
type Workspace = { id: string; configured: boolean; startMs: number };

export function* generateLog(opts: GenerateOptions): Generator<GeneratedEvent> {
  const rng = prng(opts.seed);
  const concurrency = opts.concurrency ?? 200;
  const storyStart = Date.parse(opts.start ?? '2026-01-05T09:00:00Z');
  const seedHex = (opts.seed >>> 0).toString(16).padStart(8, '0');
  let ids = 0;
  // Unique, valid UUIDs (version 7 layout) without spending random numbers on them.
  const newId = (kind: string) => `${seedHex}-${kind}00-7000-8000-${(ids++).toString(16).padStart(12, '0')}`;

  const workspaces: Workspace[] = Array.from({ length: opts.workspaces }, (_, i) => ({
    id: `ws-${String(i + 1).padStart(4, '0')}`,
    configured: false,
    startMs: storyStart + rng.int(0, 30) * DAY,
  }));
  const configured: Workspace[] = [];
  const pending: Chain[] = workspaces.map((w) => workspaceChain(w));
  const pool: Chain[] = [];
  let emitted = 0;

  function workspaceChain(w: Workspace): Chain {
    const [zone] = rng.pick(ZONES);
    const config = {
      ownerName: `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
      ownerEmail: `owner.${w.id}@example.com`,
      objective: 'Learn how analytics teams hire people moving over from teaching',
      timezone: zone,
      businessHours: rng.chance(0.8) ? { start: '09:00', end: '17:30', days: [1, 2, 3, 4, 5] } : { start: '08:00', end: '16:00', days: [1, 2, 3, 4] },
      thankYouDelay: rng.pick(['PT2H', 'PT1H', 'PT4H']),
      thankYouDeadline: 'PT24H',
      keepInTouchCadence: rng.pick(['P6W', 'P4W', 'P2M']),
      nudgeAfter: rng.pick(['P5D', 'P3D']),
      dailySendLimit: rng.int(20, 80),
      configuredAt: instant(w.startMs),
    };
    const stream = `workspace-${w.id}`;
    const steps: Step[] = [
      {
        stream,
        type: 'WorkspaceConfigured',
        data: config,
        then: () => {
          w.configured = true;
          configured.push(w);
        },
      },
    ];
    if (rng.chance(0.3)) {
      steps.push({ stream, type: 'CalendarConnected', data: { provider: 'google', calendarId: 'primary', connectedAt: instant(w.startMs + HOUR) } });
      if (rng.chance(0.3))
        steps.push({ stream, type: 'CalendarDisconnected', data: { provider: 'google', reason: 'revoked', disconnectedAt: instant(w.startMs + 90 * DAY) } });
    }
    if (rng.chance(0.2))
      steps.push({ stream, type: 'WorkspaceConfigured', data: { ...config, thankYouDelay: 'PT3H', configuredAt: instant(w.startMs + 60 * DAY) } });
    return { workspaceId: w.id, steps, next: 0, revisions: new Map() };
  }

  function contactChain(w: Workspace, startMs: number, referral?: { contactId: string; meetingId: string }): Chain {
    const steps: Step[] = [];
    const contactId = newId('c0');
    const cs = `contact-${contactId}`;
    const [zone, offset] = rng.pick(ZONES);
    const at = (ms: number) => instant(ms, offset);
    let t = startMs;
    let email: string | undefined = rng.chance(0.9) ? `${contactId.slice(-8)}@${rng.pick(['example.org', 'example.com', 'mail.example'])}` : undefined;
    let replied = false;
    const name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
    const organisation = rng.pick(ORGS);
    steps.push({
      stream: cs,
      type: 'ContactAdded',
      data: {
        contactId,
        name,
        ...(email ? { email } : {}),
        ...(rng.chance(0.5) ? { phone: `+44 20 7946 ${String(rng.int(0, 9999)).padStart(4, '0')}` } : {}),
        organisation,
        role: rng.pick(ROLES),
        ...(rng.chance(0.9) ? { level: rng.pick(LEVELS) } : {}),
        ...(rng.chance(0.9) ? { industry: rng.pick(INDUSTRIES) } : {}),
        ...(rng.chance(0.8) ? { timezone: zone } : {}),
        ...(rng.chance(0.2) ? { linkedinUrl: `https://www.linkedin.com/in/${contactId.slice(-10)}` } : {}),
        tags: rng.chance(0.5) ? ['warm'] : [],
        source: referral ? 'referral' : rng.pick(SOURCES),
        ...(referral ? { referredBy: rng.chance(0.8) ? referral : { contactId: referral.contactId } } : {}),
        addedAt: at(t),
      },
    });
    if (rng.chance(0.6)) steps.push({ stream: cs, type: 'ResearchNoteAdded', data: { note: NOTE, addedAt: at((t += rng.int(5, 120) * MIN)) } });
    if (rng.chance(0.4))
      steps.push({
        stream: cs,
        type: 'QuestionsPrepared',
        data: { questions: ['What does a typical week look like?', 'Who else should I speak with?'], preparedAt: at((t += rng.int(5, 60) * MIN)) },
      });
    if (rng.chance(0.1))
      steps.push({
        stream: cs,
        type: 'ContactDetailsChanged',
        data: { changes: { role: rng.pick(ROLES), organisation: rng.pick(ORGS) }, changedAt: at((t += HOUR)) },
      });

    const meetings = rng.next() < 0.1 ? 0 : rng.next() < 0.75 ? 1 : 2;
    let open = false;
    for (let m = 0; m < meetings && !open; m++) {
      const meetingId = newId('e0');
      const ms = `meeting-${meetingId}`;
      t += rng.int(1, 72) * HOUR;
      const channel = email ? rng.pick(['email', 'email', 'email', 'email', 'email', 'email', 'phone', 'in-person'] as const) : 'phone';
      const requested = rng.pick([15, 20, 20, 30] as const);
      steps.push({ stream: cs, type: 'MeetingLinked', data: { meetingId, linkedAt: at(t) } });
      steps.push({
        stream: ms,
        type: 'MeetingRequested',
        data: {
          meetingId,
          contactId,
          channel,
          via: rng.chance(0.2) ? 'gatekeeper' : 'direct',
          ...(referral ? { referralContactId: referral.contactId } : {}),
          minutes: requested,
          requestedAt: at(t),
        },
      });
      if (channel === 'email' && rng.chance(0.3)) {
        // The first request was held for the seeker's review, then approved (it goes) or discarded.
        const draftId = newId('d0');
        steps.push({
          stream: cs,
          type: 'EmailDrafted',
          data: {
            draftId,
            effect: `request-email:${meetingId}`,
            kind: 'request-email',
            meetingId,
            toContactId: contactId,
            subject: '20 minutes of your advice?',
            text: 'Dear …',
            draftedAt: at((t += MIN)),
          },
        });
        if (rng.chance(0.2))
          steps.push({ stream: cs, type: 'DraftEdited', data: { draftId, subject: 'A question about your work', text: 'Dear …', editedAt: at((t += HOUR)) } });
        if (rng.chance(0.85)) steps.push({ stream: cs, type: 'DraftApproved', data: { draftId, approvedAt: at((t += HOUR)) } });
        else steps.push({ stream: cs, type: 'DraftDiscarded', data: { draftId, discardedAt: at((t += HOUR)) } });
      }
      if (channel === 'email') {
        steps.push({
          stream: ms,
          type: 'OutreachEmailSent',
          data: { messageId: `<req.${meetingId}@outreach.example>`, sentAt: at((t += rng.int(1, 600) * MIN)) },
        });
        if (rng.chance(0.03)) {
          // The address bounced: the request is withdrawn; sometimes a new address is found.
          steps.push({
            stream: cs,
            type: 'EmailBounced',
            data: { effect: `request-email:${meetingId}`, email: email!, code: 550, reason: '5.1.1 unknown user', meetingId, bouncedAt: at((t += MIN)) },
          });
          steps.push({ stream: ms, type: 'MeetingCancelled', data: { by: 'seeker', source: 'seeker', cancelledAt: at((t += HOUR)) } });
          if (rng.chance(0.5)) {
            email = `new.${contactId.slice(-8)}@example.net`;
            steps.push({ stream: cs, type: 'ContactDetailsChanged', data: { changes: { email }, changedAt: at((t += DAY)) } });
          } else {
            email = undefined;
          }
          continue;
        }
      }
      const outcome = rng.next();
      if (outcome < 0.15) {
        // No answer: one nudge, then the request is dropped or stays open.
        if (channel === 'email' && rng.chance(0.6))
          steps.push({ stream: ms, type: 'NudgeSent', data: { messageId: `<nudge.${meetingId}@outreach.example>`, sentAt: at((t += 5 * DAY)) } });
        if (rng.chance(0.5)) steps.push({ stream: ms, type: 'MeetingCancelled', data: { by: 'seeker', source: 'seeker', cancelledAt: at((t += 7 * DAY)) } });
        else open = true;
        continue;
      }
      if (rng.chance(0.6)) {
        replied = true;
        steps.push({
          stream: cs,
          type: 'ReplyReceived',
          data: { ...(rng.chance(0.5) ? { summary: 'Happy to talk, Tuesday works' } : {}), receivedAt: at((t += rng.int(1, 72) * HOUR)) },
        });
      }
      if (outcome < 0.25) {
        steps.push({
          stream: ms,
          type: 'MeetingCancelled',
          data: { by: 'contact', source: 'seeker', reason: 'Too busy this quarter', cancelledAt: at((t += DAY)) },
        });
        continue;
      }
      let minutes: number = rng.chance(0.8) ? requested : rng.pick([15, 20, 30]);
      let start = t + rng.int(2, 14) * DAY + rng.int(0, 7) * HOUR;
      t += rng.int(1, 24) * HOUR;
      steps.push({
        stream: ms,
        type: 'MeetingBooked',
        data: {
          start: at(start),
          minutes,
          timezone: zone,
          ...(rng.chance(0.3) ? { location: `${rng.int(1, 200)} High Street` } : {}),
          ...(rng.chance(0.5) ? { videoUrl: `https://meet.example/${meetingId.slice(-8)}` } : {}),
          bookedAt: at(t),
        },
      });
      steps.push({ stream: ms, type: 'CalendarEventCreated', data: { provider: 'ics', calendarEventId: `${meetingId}@outreach`, at: at((t += MIN)) } });
      if (rng.chance(0.5))
        steps.push({
          stream: ms,
          type: 'AttendeeResponded',
          data: { response: rng.pick(['accepted', 'tentative', 'declined'] as const), respondedAt: at((t += HOUR)) },
        });
      if (rng.chance(0.15)) {
        start += rng.int(1, 5) * DAY;
        minutes = rng.pick([15, 20, 30]);
        steps.push({
          stream: ms,
          type: 'MeetingRescheduled',
          data: { start: at(start), minutes, timezone: zone, source: rng.pick(['seeker', 'calendar'] as const), rescheduledAt: at((t += DAY)) },
        });
        steps.push({
          stream: ms,
          type: 'CalendarEventUpdated',
          data: { provider: 'ics', calendarEventId: `${meetingId}@outreach`, sequence: 1, at: at((t += MIN)) },
        });
      }
      t = Math.max(t, start - DAY);
      steps.push({ stream: ms, type: 'PrepBriefSent', data: { messageId: `<prep.${meetingId}@outreach.example>`, sentAt: at(t) } });
      const after = rng.next();
      if (after < 0.12) {
        steps.push({
          stream: ms,
          type: 'MeetingCancelled',
          data: { by: rng.pick(['seeker', 'contact'] as const), source: 'seeker', cancelledAt: at((t = start - HOUR)) },
        });
        continue;
      }
      if (after < 0.2) {
        steps.push({ stream: ms, type: 'MeetingNoShow', data: { recordedAt: at((t = start + minutes * MIN + 10 * MIN)) } });
        continue;
      }
      const actual = Math.max(5, minutes + rng.int(-5, 15));
      const heldAt = start + actual * MIN;
      const referralsAsked = rng.pick([0, 1, 1, 2, 2, 2, 3]);
      t = heldAt;
      steps.push({
        stream: ms,
        type: 'MeetingHeld',
        data: {
          heldAt: at(heldAt),
          actualMinutes: actual,
          notes: 'Hiring is slow this year; portfolio projects matter.',
          referralsAsked,
          businessCards: rng.int(0, 2),
          ...(rng.chance(0.8) ? { sentiment: rng.pick(['positive', 'neutral', 'negative'] as const) } : {}),
        },
        // Referrals given in this meeting become contacts after it, each a chain of its own.
        then: () => {
          for (let r = 0; r < referralsAsked; r++) {
            if (rng.chance(0.6)) pending.push(contactChain(w, heldAt + rng.int(1, 48) * HOUR, { contactId, meetingId }));
          }
        },
      });
      if (email && rng.chance(0.95)) {
        steps.push({
          stream: ms,
          type: 'ThankYouSent',
          data: { messageId: `<thanks.${meetingId}@outreach.example>`, sentAt: at((t += rng.int(60, 30 * 60) * MIN)) },
        });
        for (let k = rng.int(0, 2); k > 0 && !replied; k--) {
          steps.push({
            stream: cs,
            type: 'KeepInTouchSent',
            data: { messageId: `<kit.${contactId}.${k}.${m}@outreach.example>`, sentAt: at((t += 42 * DAY)) },
          });
        }
      }
      if (rng.chance(0.1)) {
        steps.push({
          stream: cs,
          type: 'JobLeadReported',
          data: {
            description: 'An analyst opening in the growth team, not yet advertised',
            organisation: rng.pick(ORGS),
            meetingId,
            reportedAt: at((t += DAY)),
          },
        });
      }
    }
    if (email && rng.chance(0.01))
      steps.push({
        stream: cs,
        type: 'EmailFailed',
        data: { effect: `keep-in-touch:${contactId}`, reason: 'connection timed out', attempts: 5, failedAt: at((t += DAY)) },
      });
    if (rng.chance(0.04))
      steps.push({
        stream: cs,
        type: 'ContactOptedOut',
        data: { source: rng.pick(['seeker', 'unsubscribe-link', 'reply'] as const), optedOutAt: at((t += DAY)) },
      });
    if (rng.chance(0.03)) steps.push({ stream: cs, type: 'ContactForgotten', data: { forgottenAt: at((t += DAY)) } });
    return { workspaceId: w.id, steps, next: 0, revisions: new Map() };
  }

  /** A new seeker contact, later in the story the further the log has got. */
  const rootChain = (): Chain | undefined => {
    if (configured.length === 0) return undefined;
    const w = rng.pick(configured);
    const progress = (emitted / opts.events) * 340 * DAY;
    return contactChain(w, Math.max(w.startMs + HOUR, storyStart + progress + rng.int(0, 7 * 24) * HOUR));
  };

  const refill = () => {
    while (pool.length < concurrency) {
      const chain = pending.shift() ?? rootChain();
      if (!chain) return;
      pool.push(chain);
    }
  };

  refill();
  while (emitted < opts.events) {
    if (pool.length === 0) {
      refill();
      if (pool.length === 0) return;
    }
    const i = Math.floor(rng.next() * pool.length);
    const chain = pool[i]!;
    const step = chain.steps[chain.next++]!;
    const revision = (chain.revisions.get(step.stream) ?? -1) + 1;
    chain.revisions.set(step.stream, revision);
    const id = newId('0e');
    yield {
      id,
      stream: step.stream,
      revision,
      type: step.type,
      data: step.data,
      metadata: { workspaceId: chain.workspaceId, correlationId: id, causationId: id, actor: 'generator', schemaVersion: 1 },
    };
    emitted += 1;
    step.then?.();
    if (chain.next >= chain.steps.length) {
      pool[i] = pool[pool.length - 1]!;
      pool.pop();
      refill();
    }
  }
}

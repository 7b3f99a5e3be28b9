import fc from 'fast-check';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOutreachError } from '../../src/domain/errors.ts';
import { decideContact } from '../../src/domain/contact.ts';
import { decideWorkspace } from '../../src/domain/workspace.ts';
import type { MeetingCommand } from '../../src/domain/meeting.ts';
import { contactAggregate, workspaceAggregate } from '../../src/app/aggregates.ts';
import { execute, type AppContext } from '../../src/app/handle.ts';
import { configureWorkspace } from '../../src/app/workspace-commands.ts';
import {
  addContact,
  addResearchNote,
  changeContact,
  forgetContact,
  optOut,
  prepareQuestions,
  recordReply,
  reportJobLead,
} from '../../src/app/contact-commands.ts';
import {
  bookMeeting,
  cancelMeeting,
  holdMeeting,
  onMeeting,
  recordAttendeeResponse,
  recordNoShow,
  requestMeeting,
  rescheduleMeeting,
} from '../../src/app/meeting-commands.ts';
import { rebuildProjections, startProjector } from '../../src/read-models/projector/projector.ts';
import { openProjectionsDb, projectionsFile } from '../../src/read-models/projector/database.ts';
import { openReadModels, readModelNames } from '../../src/read-models/queries.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { expectSameTables, tablesOf } from '../unit/projections/support/tables.ts';
import { bySize } from '../support/sizes.ts';

/*
 * Random valid histories, made by running random commands through the app layer (the seeker's
 * commands and the workers' result commands) across two workspaces and several contacts and
 * meetings, interleaved at random. A projector follows the store while they are appended (its
 * batches as the appends and event-loop turns make them, of random maximum sizes, restarted now and
 * then); afterwards the read models are rebuilt from zero into another file and must be the same.
 */

const scratch = () => mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'outreach-prop-'));
const WORKSPACES = ['ws-a', 'ws-b'];
// 100 histories take ~10 s here, well inside the test's minute.
const RUNS = bySize(25, 100);

type Op =
  | { op: 'configure'; timezone: string; hours: string; days: string; delay: string; deadline: string; keepInTouch: string; nudge: string; limit: number }
  | { op: 'calendar'; connect: boolean }
  | {
      op: 'addContact';
      name: string;
      email?: string;
      timezone?: string;
      org?: string;
      level?: string;
      industry?: string;
      tags: string[];
      referredBy?: number;
      referralMeeting?: number;
    }
  | { op: 'changeContact'; c: number; email?: string; org?: string; timezone?: string; level?: string }
  | { op: 'note' | 'questions' | 'reply' | 'optOut' | 'forget' | 'keepInTouch' | 'bounce'; c: number }
  | { op: 'lead'; c: number; m?: number }
  | { op: 'request'; c: number; minutes: 15 | 20 | 30; via: 'direct' | 'gatekeeper'; channel: 'email' | 'phone' | 'in-person'; referral?: number }
  | { op: 'book'; m: number; inMinutes: number; location?: string }
  | { op: 'reschedule'; m: number; inMinutes: number }
  | { op: 'cancel' | 'noShow'; m: number }
  | { op: 'hold'; m: number; overMinutes: number; referrals: number; cards: number; sentiment?: 'positive' | 'neutral' | 'negative' }
  | { op: 'respond'; m: number; response: 'accepted' | 'declined' | 'tentative' | 'needsAction' }
  | {
      op: 'result';
      m: number;
      kind: 'RecordOutreachEmailSent' | 'RecordNudgeSent' | 'RecordPrepBriefSent' | 'RecordThankYouSent' | 'calendar-created' | 'calendar-deleted';
    };

type Command = { ws: number; advanceMinutes: number; pauseAfter: boolean; op: Op };

const idx = fc.nat(7);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const addContactOp = fc.record(
  {
    op: fc.constant('addContact' as const),
    name: fc.constantFrom('Ada Lovelace', 'Grace Hopper', 'Zoë Ñúñez', 'Alan Turing'),
    email: fc.option(
      fc.tuple(fc.constantFrom('ada', 'grace', 'zoe'), fc.nat(999)).map(([u, n]) => `${u}${n}@example.org`),
      { nil: undefined, freq: 5 },
    ),
    timezone: maybe(fc.constantFrom('America/Santiago', 'Pacific/Chatham', 'Europe/Berlin')),
    org: maybe(fc.constantFrom('Acme Ltd', 'NHS', 'Globex')),
    level: maybe(fc.constantFrom('entry', 'mid', 'senior', 'executive')),
    industry: maybe(fc.constantFrom('Health', 'Finance', 'Retail')),
    tags: fc.subarray(['data', 'warm', 'alumni']),
    referredBy: maybe(idx),
    referralMeeting: maybe(idx),
  },
  { requiredKeys: ['op', 'name', 'tags'] },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('configure' as const),
      timezone: fc.constantFrom('Europe/London', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'),
      hours: fc.constantFrom('09:00-17:30', '08:00-18:00', '10:00-16:00'),
      days: fc.constantFrom('mon-fri', 'mon-sat', 'tue-thu'),
      delay: fc.constantFrom('PT2H', 'PT1H', 'PT4H'),
      deadline: fc.constantFrom('PT24H', 'PT12H', 'P2D'),
      keepInTouch: fc.constantFrom('P6W', 'P2W', 'P1M'),
      nudge: fc.constantFrom('P5D', 'P3D', 'PT36H'),
      limit: fc.integer({ min: 1, max: 60 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('calendar' as const), connect: fc.boolean() }) },
  { weight: 4, arbitrary: addContactOp },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        op: fc.constant('changeContact' as const),
        c: idx,
        email: maybe(fc.nat(999).map((n) => `new${n}@example.org`)),
        org: maybe(fc.constantFrom('Initech', 'Acme Ltd')),
        timezone: maybe(fc.constantFrom('Asia/Kolkata', 'Europe/London')),
        level: maybe(fc.constantFrom('mid', 'senior')),
      },
      { requiredKeys: ['op', 'c'] },
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom('note', 'questions', 'reply', 'optOut', 'forget', 'keepInTouch', 'bounce', 'reply', 'note') as fc.Arbitrary<'note'>,
      c: idx,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('lead' as const), c: idx, m: maybe(idx) }, { requiredKeys: ['op', 'c'] }) },
  {
    weight: 5,
    arbitrary: fc.record(
      {
        op: fc.constant('request' as const),
        c: idx,
        minutes: fc.constantFrom(15 as const, 20 as const, 30 as const),
        via: fc.constantFrom('direct' as const, 'gatekeeper' as const),
        channel: fc.constantFrom('email' as const, 'email' as const, 'phone' as const, 'in-person' as const),
        referral: maybe(idx),
      },
      { requiredKeys: ['op', 'c', 'minutes', 'via', 'channel'] },
    ),
  },
  {
    weight: 5,
    arbitrary: fc.record(
      {
        op: fc.constant('book' as const),
        m: idx,
        inMinutes: fc.integer({ min: -60, max: 14 * 24 * 60 }),
        location: maybe(fc.constantFrom('Café Nero', 'Zoom')),
      },
      { requiredKeys: ['op', 'm', 'inMinutes'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reschedule' as const), m: idx, inMinutes: fc.integer({ min: 30, max: 7 * 24 * 60 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('cancel' as const, 'noShow' as const), m: idx }) },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        op: fc.constant('hold' as const),
        m: idx,
        overMinutes: fc.integer({ min: 5, max: 60 }),
        referrals: fc.nat(3),
        cards: fc.nat(2),
        sentiment: maybe(fc.constantFrom('positive' as const, 'neutral' as const, 'negative' as const)),
      },
      { requiredKeys: ['op', 'm', 'overMinutes', 'referrals', 'cards'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('respond' as const),
      m: idx,
      response: fc.constantFrom('accepted' as const, 'declined' as const, 'tentative' as const, 'needsAction' as const),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('result' as const),
      m: idx,
      kind: fc.constantFrom(
        'RecordOutreachEmailSent' as const,
        'RecordNudgeSent' as const,
        'RecordPrepBriefSent' as const,
        'RecordThankYouSent' as const,
        'calendar-created' as const,
        'calendar-deleted' as const,
      ),
    }),
  },
);
const commandOf = (o: fc.Arbitrary<Op>): fc.Arbitrary<Command> =>
  fc.record({
    // Mostly the first workspace, so that its meetings get far; the second interleaves.
    ws: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
    advanceMinutes: fc.oneof(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 3 * 24 * 60 })),
    pauseAfter: fc.boolean(),
    op: o,
  });
const history = fc.record({
  // A few people first (in either workspace), then anything.
  commands: fc
    .tuple(fc.array(commandOf(addContactOp), { minLength: 2, maxLength: 6 }), fc.array(commandOf(op), { minLength: 10, maxLength: 54, size: 'max' }))
    .map(([people, rest]) => [...people, ...rest]),
  start: fc.integer({ min: Date.parse('2026-01-05T00:00:00Z'), max: Date.parse('2026-12-01T00:00:00Z') }),
  /** Maximum events per transaction while catching up and while live. */
  batchSize: fc.integer({ min: 1, max: 40 }),
  liveBatchSize: fc.integer({ min: 1, max: 20 }),
  /** The projector starts after this many commands, and is restarted after that many more (0: never). */
  startAfter: fc.nat(20),
  restartEvery: fc.nat(25),
});

type Ids = { contacts: string[]; meetings: { id: string; heldOk?: boolean }[] };

/** Runs one command through the app layer; a refusal (an OutreachError) is part of a realistic history. */
async function run(ctx: AppContext, ids: Ids, { op: o }: Command, now: () => number) {
  const c = (i: number) => ids.contacts[i % Math.max(1, ids.contacts.length)];
  const m = (i: number) => ids.meetings[i % Math.max(1, ids.meetings.length)]?.id;
  const at = (minutes: number) => new Date(now() + minutes * 60_000).toISOString();
  const messageId = () => `<${crypto.randomUUID()}@example.com>`;
  const meetingResult = (id: string | undefined, command: () => MeetingCommand) => id && onMeeting(ctx, id, command);
  switch (o.op) {
    case 'configure':
      return configureWorkspace(ctx, {
        ownerName: 'Sam Seeker',
        ownerEmail: 'sam@example.com',
        objective: 'Learn how data teams hire',
        timezone: o.timezone,
        businessHours: o.hours,
        businessDays: o.days,
        thankYouDelay: o.delay,
        thankYouDeadline: o.deadline,
        keepInTouch: o.keepInTouch,
        nudgeAfter: o.nudge,
        dailyLimit: o.limit,
      });
    case 'calendar':
      return execute(ctx, workspaceAggregate, ctx.workspaceId, ({ state }) =>
        decideWorkspace(
          o.connect ? { type: 'ConnectCalendar', calendarId: 'primary', now: ctx.clock() } : { type: 'DisconnectCalendar', reason: 'user', now: ctx.clock() },
          state,
        ),
      );
    case 'addContact': {
      const referredBy = o.referredBy === undefined ? undefined : c(o.referredBy);
      const referralMeeting = referredBy && o.referralMeeting !== undefined ? m(o.referralMeeting) : undefined;
      const { id } = await addContact(ctx, {
        name: o.name,
        tag: o.tags,
        ...(o.email ? { email: o.email } : {}),
        ...(o.timezone ? { timezone: o.timezone } : {}),
        ...(o.org ? { org: o.org } : {}),
        ...(o.level ? { level: o.level } : {}),
        ...(o.industry ? { industry: o.industry } : {}),
        ...(referredBy ? { referredBy } : {}),
        ...(referralMeeting ? { referralMeeting } : {}),
      });
      ids.contacts.push(id);
      return;
    }
    case 'changeContact': {
      const { c: i, op: _op, ...changes } = o;
      return c(i) && changeContact(ctx, { contact: c(i)!, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) });
    }
    case 'note':
      return c(o.c) && addResearchNote(ctx, { contact: c(o.c)!, text: 'Leads the analytics team; ex-consultant.' });
    case 'questions':
      return c(o.c) && prepareQuestions(ctx, { contact: c(o.c)!, question: ['How did you get into data?', 'Who else should I talk to?'] });
    case 'reply':
      return c(o.c) && recordReply(ctx, { contact: c(o.c)!, summary: 'Happy to talk.' });
    case 'optOut':
      return c(o.c) && optOut(ctx, { contact: c(o.c)! }, 'unsubscribe-link');
    case 'forget':
      return c(o.c) && forgetContact(ctx, { contact: c(o.c)! });
    case 'keepInTouch':
      return (
        c(o.c) &&
        execute(
          ctx,
          contactAggregate,
          c(o.c)!,
          ({ state }) => decideContact({ type: 'RecordKeepInTouchSent', messageId: messageId(), now: ctx.clock() }, state),
          { mustExist: true },
        )
      );
    case 'bounce':
      return (
        c(o.c) &&
        execute(
          ctx,
          contactAggregate,
          c(o.c)!,
          ({ state }) =>
            decideContact(
              { type: 'RecordEmailBounced', effect: `keep-in-touch:${c(o.c)}`, code: 550, reason: '550 5.1.1 no such user', now: ctx.clock() },
              state,
            ),
          { mustExist: true },
        )
      );
    case 'lead': {
      const meeting = o.m === undefined ? undefined : m(o.m);
      return (
        c(o.c) &&
        reportJobLead(ctx, { contact: c(o.c)!, description: 'Junior analyst role opening in March', org: 'Acme Ltd', ...(meeting ? { meeting } : {}) })
      );
    }
    case 'request': {
      if (!c(o.c)) return;
      const referral = o.referral === undefined ? undefined : c(o.referral);
      const { id } = await requestMeeting(ctx, { contact: c(o.c)!, minutes: o.minutes, via: o.via, channel: o.channel, ...(referral ? { referral } : {}) });
      ids.meetings.push({ id });
      return;
    }
    case 'book':
      return m(o.m) && bookMeeting(ctx, { meeting: m(o.m)!, at: at(o.inMinutes), past: true, ...(o.location ? { location: o.location } : {}) });
    case 'reschedule':
      return m(o.m) && rescheduleMeeting(ctx, { meeting: m(o.m)!, at: at(o.inMinutes) });
    case 'cancel':
      return m(o.m) && cancelMeeting(ctx, { meeting: m(o.m)!, by: 'contact', reason: 'Travelling' });
    case 'noShow':
      return m(o.m) && recordNoShow(ctx, { meeting: m(o.m)! });
    case 'hold':
      // Held a little while ago: after its booked start only when the clock has moved past it (else refused).
      return (
        m(o.m) &&
        holdMeeting(ctx, {
          meeting: m(o.m)!,
          at: at(-o.overMinutes),
          minutes: o.overMinutes,
          referrals: o.referrals,
          cards: o.cards,
          ...(o.sentiment ? { sentiment: o.sentiment } : {}),
        })
      );
    case 'respond':
      return m(o.m) && recordAttendeeResponse(ctx, { meeting: m(o.m)!, response: o.response });
    case 'result':
      return meetingResult(m(o.m), () =>
        o.kind === 'calendar-created' || o.kind === 'calendar-deleted'
          ? {
              type: 'RecordCalendarEvent',
              change: o.kind === 'calendar-created' ? 'created' : 'deleted',
              provider: 'ics',
              calendarEventId: `${m(o.m)}@example.com`,
              now: ctx.clock(),
            }
          : { type: o.kind, messageId: messageId(), now: ctx.clock() },
      );
  }
}

async function caughtUpTo(store: SqliteEventStore, projector: ReturnType<typeof startProjector>) {
  const head = await store.headPosition();
  for (let i = 0; i < 2000 && head !== null; i++) {
    const at = projector.position();
    if (at !== null && at >= head) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  if (head !== null) throw new Error(`the projector did not catch up: at ${String(projector.position())}, head ${head}`);
}

describe('projections', () => {
  it('the read models a projector builds live, in batches of any size, equal the ones a rebuild from zero builds, for any interleaving of valid histories', async () => {
    let events = 0;
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        const dir = scratch();
        const store = openSqliteEventStore(join(dir, 'events.db'));
        const liveDir = join(dir, 'live');
        const db = openProjectionsDb(projectionsFile(liveDir));
        let t = h.start;
        const ctxs: AppContext[] = WORKSPACES.map((workspaceId) => ({ store, clock: () => new Date(t).toISOString(), workspaceId, actor: 'property' }));
        const ids: Ids[] = WORKSPACES.map(() => ({ contacts: [], meetings: [] }));
        let projector: ReturnType<typeof startProjector> | null = null;
        const follow = () => startProjector({ store, db, batchSize: h.batchSize, liveBatchSize: h.liveBatchSize });
        try {
          for (const ctx of ctxs) {
            await configureWorkspace(ctx, {
              ownerName: 'Sam Seeker',
              ownerEmail: 'sam@example.com',
              objective: 'Learn how data teams hire',
              timezone: 'Europe/London',
            });
          }
          for (const [k, cmd] of h.commands.entries()) {
            if (k === h.startAfter) projector = follow();
            if (projector && h.restartEvery > 0 && k > h.startAfter && (k - h.startAfter) % h.restartEvery === 0) {
              await projector.stop();
              projector = follow();
            }
            t += cmd.advanceMinutes * 60_000;
            try {
              await run(ctxs[cmd.ws]!, ids[cmd.ws]!, cmd, () => t);
            } catch (e) {
              if (!isOutreachError(e)) throw e;
            }
            // Give the projector a turn now and then, so that its live batches come in all sizes.
            if (cmd.pauseAfter) await new Promise((r) => setImmediate(r));
          }
          projector ??= follow();
          await caughtUpTo(store, projector);
          await projector.stop();
          await projector.done;
          projector = null;
          db.close();
          events += Number((await store.headPosition()) ?? 0n);

          const rebuiltDir = join(dir, 'rebuilt');
          await rebuildProjections({ store, dataDir: rebuiltDir });
          expectSameTables(tablesOf(projectionsFile(liveDir)), tablesOf(projectionsFile(rebuiltDir)));

          // And what the API reads from them: every list, each workspace and all, and the dashboard.
          const live = openReadModels(liveDir);
          const rebuilt = openReadModels(rebuiltDir);
          try {
            const now = new Date(t).toISOString();
            for (const name of readModelNames) {
              for (const workspaceId of [undefined, ...WORKSPACES]) {
                const q = { ...(workspaceId ? { workspaceId } : {}), limit: 500, offset: 0, now };
                expect(live.list(name, q), `${name} ${workspaceId ?? 'all'}`).toEqual(rebuilt.list(name, q));
              }
            }
            expect(live.dashboard({ now })).toEqual(rebuilt.dashboard({ now }));
            expect(live.workspaces()).toEqual(rebuilt.workspaces());
          } finally {
            live.close();
            rebuilt.close();
          }
        } finally {
          await projector?.stop();
          if (db.open) db.close();
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS },
    );
    // The histories are not trivial: on average a good many events each.
    expect(events / RUNS).toBeGreaterThan(15);
  }, 60_000);
});

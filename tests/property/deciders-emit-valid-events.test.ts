import fc from 'fast-check';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { eventSchemas, type DomainEvent } from '../../src/domain/events.ts';
import { isOutreachError } from '../../src/domain/errors.ts';
import { decideWorkspace, evolveWorkspace, initialWorkspace, type WorkspaceCommand, type WorkspaceState } from '../../src/domain/workspace.ts';
import { decideContact, evolveContact, initialContact, type ContactCommand, type ContactState } from '../../src/domain/contact.ts';
import { decideMeeting, evolveMeeting, initialMeeting, isOpen, type MeetingCommand, type MeetingState } from '../../src/domain/meeting.ts';
import { levels, sources } from '../../src/domain/values.ts';
import {
  addContactInput,
  bookMeetingInput,
  cancelMeetingInput,
  changeContactInput,
  configureWorkspaceInput,
  contactLeadInput,
  contactNoteInput,
  contactQuestionsInput,
  contactReplyInput,
  holdMeetingInput,
  requestMeetingInput,
  rescheduleMeetingInput,
} from '../../src/app/inputs.ts';
import { parseInput } from '../../src/app/parse.ts';
import { configureCommand } from '../../src/app/workspace-commands.ts';
import { contactAddedData, detailChanges } from '../../src/app/contact-commands.ts';
import { bySize } from '../support/sizes.ts';

/*
 * Random command sequences against the workspace, contact and meeting deciders. What a person types
 * goes through the edge schemas of src/app/inputs.ts first, as the app does (a refusal there is a
 * typed validation error); the rest (worker results, calendar sync) is built as its caller builds it.
 * Every event a decider emits must pass its schema; a decider may refuse with an OutreachError.
 */

const CONTACTS = ['01a22886-c6a0-70f9-ab35-52ff5a5432b4', '01a22886-c6a0-70f9-ab35-52ff5a5432b5', '01a22886-c6a0-70f9-ab35-52ff5a5432b6'];
const MEETINGS = [
  '01a22886-cd0e-72c7-98fb-c8b5ea28f5f1',
  '01a22886-cd0e-72c7-98fb-c8b5ea28f5f2',
  '01a22886-cd0e-72c7-98fb-c8b5ea28f5f3',
  '01a22886-cd0e-72c7-98fb-c8b5ea28f5f4',
  '01a22886-cd0e-72c7-98fb-c8b5ea28f5f5',
];

type World = { workspace: WorkspaceState; contacts: ContactState[]; meetings: MeetingState[]; meetingContact: (number | undefined)[] };
const emptyWorld = (): World => ({
  workspace: initialWorkspace(),
  contacts: CONTACTS.map(() => initialContact()),
  meetings: MEETINGS.map(() => initialMeeting()),
  meetingContact: MEETINGS.map(() => undefined),
});

// ---------------------------------------------------------------------------------------------
// Raw values: mostly valid, some not

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
const text = (valid: string[]) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '   ', 'line\nbreak', 'x'.repeat(600)) },
  );
const validEmail = fc
  .tuple(fc.constantFrom('ada', 'Grace.Hopper', 'sam+outreach'), fc.nat(99), fc.constantFrom('example.org', 'Mail.co.uk'))
  .map(([u, n, d]) => `${u}${n}@${d}`.toLowerCase());
const email = fc.oneof(
  { weight: 12, arbitrary: validEmail },
  { weight: 1, arbitrary: fc.constantFrom('not-an-email', ' Ada@Example.ORG ', 'a@b', 'x@y.org\r\nBcc: z@w.org') },
);
const zone = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('Europe/London', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Santiago') },
  { weight: 1, arbitrary: fc.constantFrom('Mars/Olympus', 'utc', '') },
);
const duration = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('PT2H', 'PT24H', 'P6W', 'P5D', 'PT30M', 'P1M') },
  { weight: 1, arbitrary: fc.constantFrom('P0D', '2h', 'PT0S', '') },
);
const contactRef = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...CONTACTS) }, { weight: 1, arbitrary: fc.constantFrom('not-a-uuid', MEETINGS[0]!) });
const meetingRef = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...MEETINGS) }, { weight: 1, arbitrary: fc.constantFrom('not-a-uuid', CONTACTS[0]!) });

/** Instants as ISO strings with an offset: Z or ±HH:MM, with or without seconds and milliseconds. */
const isoAt = (ms: number, form: number) => {
  const iso = new Date(ms).toISOString();
  if (form === 0) return iso;
  if (form === 1) return `${iso.slice(0, 19)}Z`;
  if (form === 2) return `${iso.slice(0, 16)}Z`;
  const offsetMin = [330, -300, 765, -180][form % 4]!;
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};
const T0 = Date.parse('2026-01-01T00:00:00Z');
const T1 = Date.parse('2027-12-31T00:00:00Z');
/** A time given in a command (a meeting start, the moment it was held): valid instants, now and then a broken one. */
const givenAt = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.integer({ min: T0, max: T1 }), fc.integer({ min: 0, max: 7 })).map(([t, f]) => isoAt(t, f)) },
  { weight: 1, arbitrary: fc.constantFrom('2026-02-30T10:00:00Z', '2026-03-01 10:00', '2026-03-01T10:00:00', 'tomorrow', '2026-13-01T00:00:00Z') },
);

// ---------------------------------------------------------------------------------------------
// Commands: each is a function of the world (ids resolve to its aggregates) giving a decision to run

type Decision =
  | { agg: 'workspace'; command: WorkspaceCommand }
  | { agg: 'contact'; i: number; command: ContactCommand }
  | { agg: 'meeting'; j: number; command: MeetingCommand; contact?: number };
type Step = (w: World, now: string) => Decision;

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const edge = <S extends z.ZodType>(schema: S, raw: Record<string, unknown>) => parseInput(schema, defined(raw));
const contactIndex = (id: string) => CONTACTS.indexOf(id);
const meetingIndex = (id: string) => MEETINGS.indexOf(id);

const configure: fc.Arbitrary<Step> = fc
  .record({
    ownerName: maybe(text(['Sam Seeker', 'Ana María'])),
    ownerEmail: maybe(email),
    objective: maybe(text(['Learn how data teams hire'])),
    timezone: maybe(zone),
    businessHours: maybe(fc.constantFrom('09:00-17:30', '00:00-23:59', '17:00-09:00', '9-5', '08:00-08:01')),
    businessDays: maybe(fc.constantFrom('mon-fri', 'sat,sun', 'mon-fri', 'mon', 'tue,thu', 'fri-mon', 'weekdays')),
    thankYouDelay: maybe(duration),
    thankYouDeadline: maybe(duration),
    keepInTouch: maybe(duration),
    nudgeAfter: maybe(duration),
    dailyLimit: maybe(fc.integer({ min: -1, max: 20_000 })),
  })
  .map((raw) => (w: World, now: string): Decision => {
    // The command configureWorkspace builds, from the same code.
    return { agg: 'workspace', command: configureCommand(edge(configureWorkspaceInput, raw), w.workspace, now) };
  });

const calendar: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ calendarId: fc.constantFrom('primary', 'sam@example.com', 'c_0123abc@group.calendar.google.com'), accountEmail: maybe(validEmail) }).map(
    ({ calendarId, accountEmail }) =>
      (_w: World, now: string): Decision => ({
        agg: 'workspace',
        command: { type: 'ConnectCalendar', calendarId, ...(accountEmail ? { accountEmail } : {}), now },
      }),
  ),
  fc.constantFrom('user', 'revoked', 'invalid_grant').map(
    (reason) =>
      (_w: World, now: string): Decision => ({ agg: 'workspace', command: { type: 'DisconnectCalendar', reason, now } }),
  ),
);

const contactDetails = {
  email: maybe(email),
  phone: maybe(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('+44 20 7946 0000', '(555) 010-9999', '+1 212 555 0100') },
      { weight: 1, arbitrary: fc.constantFrom('12', 'call me') },
    ),
  ),
  org: maybe(text(['Acme Ltd', 'NHS'])),
  role: maybe(text(['Data lead'])),
  level: maybe(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...levels) }, { weight: 1, arbitrary: fc.constant('cto') })),
  industry: maybe(text(['Health', 'Finance'])),
  timezone: maybe(zone),
  linkedinUrl: maybe(fc.oneof({ weight: 6, arbitrary: fc.webUrl() }, { weight: 1, arbitrary: fc.constant('linkedin.com/in/ada') })),
};

const addContactAt = (i: fc.Arbitrary<number>): fc.Arbitrary<Step> =>
  fc
    .record({
      i,
      name: text(['Ada Lovelace', 'Grace Hopper', 'Zoë Ñúñez']),
      ...contactDetails,
      source: maybe(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...sources) }, { weight: 1, arbitrary: fc.constant('tv') })),
      referredBy: maybe(contactRef),
      referralMeeting: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: meetingRef }),
      tag: maybe(fc.array(text(['data', 'warm intro']), { maxLength: 4 })),
    })
    .map(({ i: index, ...raw }) => (_w: World, now: string): Decision => {
      // The data addContact builds, from the same code (the referral may not exist: the decider's case).
      const contact = contactAddedData(edge(addContactInput, raw), CONTACTS[index]!, now);
      return { agg: 'contact', i: index, command: { type: 'AddContact', contact, now } };
    });
const addContact = addContactAt(fc.nat(CONTACTS.length - 1));

const changeContact: fc.Arbitrary<Step> = fc
  .record({
    contact: contactRef,
    name: maybe(text(['Ada King'])),
    ...contactDetails,
    tag: maybe(fc.array(text(['data']), { maxLength: 3 })),
  })
  .map((raw) => (_w: World, now: string): Decision => {
    // The changes changeContact builds, from the same code.
    const i = edge(changeContactInput, raw);
    return { agg: 'contact', i: contactIndex(i.contact), command: { type: 'ChangeContactDetails', changes: detailChanges(i), now } };
  });

/** Changes as a typed caller (an import, a sync) may hand them over: any subset of valid details, none included. */
const typedChanges: fc.Arbitrary<Step> = fc
  .record({
    i: fc.nat(CONTACTS.length - 1),
    changes: fc.oneof(
      fc.constant({}),
      fc.record(
        { name: fc.constant('Ada King'), email: validEmail, level: fc.constantFrom(...levels), tags: fc.constant(['data']).map((t) => [...t]) },
        { requiredKeys: [] },
      ),
    ),
  })
  .map(
    ({ i, changes }) =>
      (_w: World, now: string): Decision => ({ agg: 'contact', i, command: { type: 'ChangeContactDetails', changes, now } }),
  );

const contactNotes: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ contact: contactRef, text: text(['Runs the data platform team.', 'Line one\nline two']) }).map((raw) => (_w: World, now: string): Decision => {
    const i = edge(contactNoteInput, raw);
    return { agg: 'contact', i: contactIndex(i.contact), command: { type: 'AddResearchNote', note: i.text, now } };
  }),
  fc
    .record({ contact: contactRef, question: fc.array(text(['How did you start?', 'What would you do differently?']), { maxLength: 3 }) })
    .map((raw) => (_w: World, now: string): Decision => {
      const i = edge(contactQuestionsInput, raw);
      return { agg: 'contact', i: contactIndex(i.contact), command: { type: 'PrepareQuestions', questions: i.question, now } };
    }),
  fc.record({ contact: contactRef, summary: maybe(text(['Happy to talk next week.'])) }).map((raw) => (_w: World, now: string): Decision => {
    const i = edge(contactReplyInput, raw);
    return { agg: 'contact', i: contactIndex(i.contact), command: { type: 'RecordReply', ...(i.summary ? { summary: i.summary } : {}), now } };
  }),
  fc
    .record({ contact: contactRef, description: text(['Junior analyst role opening in March']), org: maybe(text(['Acme Ltd'])), meeting: maybe(meetingRef) })
    .map((raw) => (_w: World, now: string): Decision => {
      const i = edge(contactLeadInput, raw);
      return {
        agg: 'contact',
        i: contactIndex(i.contact),
        command: {
          type: 'ReportJobLead',
          description: i.description,
          ...(i.org ? { organisation: i.org } : {}),
          ...(i.meeting ? { meetingId: i.meeting } : {}),
          now,
        },
      };
    }),
  fc.record({ i: fc.nat(CONTACTS.length - 1), source: fc.constantFrom('seeker', 'unsubscribe-link', 'reply') }).map(
    ({ i, source }) =>
      (_w: World, now: string): Decision => ({ agg: 'contact', i, command: { type: 'OptOut', source, now } }),
  ),
  fc.nat(CONTACTS.length - 1).map(
    (i) =>
      (_w: World, now: string): Decision => ({ agg: 'contact', i, command: { type: 'ForgetContact', now } }),
  ),
);

/** What the email worker records: message ids as messageIdFor makes them, SMTP codes and reasons cut to size. */
const messageId = fc.uuid().map((u) => `<${u}@example.com>`);
const contactResults: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ i: fc.nat(CONTACTS.length - 1), messageId }).map(
    ({ i, messageId: m }) =>
      (_w: World, now: string): Decision => ({ agg: 'contact', i, command: { type: 'RecordKeepInTouchSent', messageId: m, now } }),
  ),
  fc
    .record({
      i: fc.nat(CONTACTS.length - 1),
      code: fc.integer({ min: 500, max: 599 }),
      reason: fc.string({ maxLength: 1200 }),
      meeting: maybe(fc.constantFrom(...MEETINGS)),
    })
    .map(
      ({ i, code, reason, meeting }) =>
        (_w: World, now: string): Decision => ({
          agg: 'contact',
          i,
          command: {
            type: 'RecordEmailBounced',
            effect: `thank-you:${MEETINGS[0]}`,
            code,
            reason: reason.slice(0, 1000),
            ...(meeting ? { meetingId: meeting } : {}),
            now,
          },
        }),
    ),
  // Mail read in the seeker's mailbox: any text a message can carry (controls, bidirectional marks, nothing at all).
  fc
    .record({
      i: fc.nat(CONTACTS.length - 1),
      kind: fc.constantFrom('reply', 'opt-out', 'auto-reply', 'bounce', 'delayed'),
      text: fc.oneof(fc.string({ maxLength: 6000 }), fc.constantFrom('', ' \u202e ', '\u0000ok\u2066', 'Happy to talk.')),
      returnsOn: maybe(fc.constantFrom('2026-12-14', '2026-02-30', 'soon', '')),
      recipient: fc.oneof(validEmail, fc.constantFrom('', 'ada0@example.org')),
      meeting: maybe(fc.constantFrom(...MEETINGS)),
    })
    .map(
      ({ i, kind, text, returnsOn, recipient, meeting }) =>
        (_w: World, now: string): Decision => ({
          agg: 'contact',
          i,
          command: {
            type: 'RecordInbound',
            inbound: {
              kind,
              contactId: CONTACTS[i]!,
              ...(meeting ? { meetingId: meeting } : {}),
              excerpt: text,
              signal: text,
              returnsOn: returnsOn ?? null,
              recipient,
              status: text.slice(0, 40),
              diagnostic: text,
            } as never,
            now,
          },
        }),
    ),
  fc.record({ i: fc.nat(CONTACTS.length - 1), attempts: fc.integer({ min: 1, max: 10 }), reason: fc.string({ maxLength: 1200 }) }).map(
    ({ i, attempts, reason }) =>
      (_w: World, now: string): Decision => ({
        agg: 'contact',
        i,
        command: { type: 'RecordEmailFailed', effect: `nudge:${MEETINGS[1]}`, reason: reason.slice(0, 1000), attempts, now },
      }),
  ),
);

const requestMeeting: fc.Arbitrary<Step> = fc
  .record({
    j: fc.nat(MEETINGS.length - 1),
    contact: contactRef,
    minutes: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(15, 20, 30, '20') }, { weight: 1, arbitrary: fc.constantFrom(25, 'ten') }),
    via: maybe(fc.oneof({ weight: 8, arbitrary: fc.constantFrom('direct', 'gatekeeper') }, { weight: 1, arbitrary: fc.constant('pigeon') })),
    referral: maybe(contactRef),
    channel: maybe(fc.oneof({ weight: 8, arbitrary: fc.constantFrom('email', 'phone', 'in-person') }, { weight: 1, arbitrary: fc.constant('fax') })),
  })
  .map(({ j, ...raw }) => (_w: World, now: string): Decision => {
    const i = edge(requestMeetingInput, raw);
    const request = {
      meetingId: MEETINGS[j]!,
      contactId: i.contact,
      channel: i.channel,
      via: i.via,
      minutes: i.minutes,
      ...(i.referral ? { referralContactId: i.referral } : {}),
      requestedAt: now,
    };
    return { agg: 'meeting', j, contact: contactIndex(i.contact), command: { type: 'RequestMeeting', request, now } };
  });

const meetingCommands: fc.Arbitrary<Step> = fc.oneof(
  fc
    .record({
      meeting: meetingRef,
      at: fc.oneof(givenAt, fc.integer({ min: 0, max: 180 })),
      minutes: maybe(fc.constantFrom(20, 45, 4, 300, '30')),
      timezone: maybe(zone),
      location: maybe(text(['Café Nero, Kings Cross'])),
      videoUrl: maybe(fc.webUrl()),
    })
    .map((raw) => (w: World, now: string): Decision => {
      // As bookMeeting: minutes and zone default from the request, the contact, the workspace. A number: that many minutes before now.
      const i = edge(bookMeetingInput, { ...raw, at: typeof raw.at === 'number' ? new Date(Date.parse(now) - raw.at * 60_000).toISOString() : raw.at });
      const j = meetingIndex(i.meeting);
      const m = w.meetings[j];
      const c = m?.request ? w.contacts[contactIndex(m.request.contactId)] : undefined;
      const booking = {
        start: i.at,
        minutes: i.minutes ?? m?.request?.minutes ?? 20,
        timezone: i.timezone ?? c?.details?.timezone ?? w.workspace.config?.timezone ?? 'UTC',
        ...(i.location ? { location: i.location } : {}),
        ...(i.videoUrl ? { videoUrl: i.videoUrl } : {}),
      };
      return { agg: 'meeting', j, command: { type: 'BookMeeting', booking, now } };
    }),
  fc
    .record({
      meeting: meetingRef,
      at: givenAt,
      minutes: maybe(fc.constantFrom(20, 45, 4)),
      timezone: maybe(zone),
      source: fc.constantFrom('seeker', 'calendar'),
    })
    .map(({ source, ...raw }) => (w: World, now: string): Decision => {
      const i = edge(rescheduleMeetingInput, raw);
      const j = meetingIndex(i.meeting);
      const m = w.meetings[j];
      const booking = {
        start: i.at,
        minutes: i.minutes ?? m?.booking?.minutes ?? m?.request?.minutes ?? 20,
        timezone: i.timezone ?? m?.booking?.timezone ?? 'UTC',
      };
      return { agg: 'meeting', j, command: { type: 'RescheduleMeeting', booking, source, now } };
    }),
  fc
    .record({
      meeting: meetingRef,
      by: maybe(fc.constantFrom('seeker', 'contact', 'cat')),
      reason: maybe(text(['Travelling that week.'])),
      source: fc.constantFrom('seeker', 'calendar'),
    })
    .map(({ source, ...raw }) => (_w: World, now: string): Decision => {
      const i = edge(cancelMeetingInput, raw);
      return {
        agg: 'meeting',
        j: meetingIndex(i.meeting),
        command: { type: 'CancelMeeting', by: i.by, source, ...(i.reason ? { reason: i.reason } : {}), now },
      };
    }),
  fc
    .record({
      meeting: meetingRef,
      at: fc.oneof(givenAt, fc.constant('now')),
      minutes: fc.constantFrom(20, 25, 18, 35, '18', 0, 700),
      referrals: maybe(fc.constantFrom(0, 2, 1, 3, '3', 51, -1)),
      cards: maybe(fc.constantFrom(0, 1, 60)),
      sentiment: maybe(fc.constantFrom('positive', 'neutral', 'negative', 'meh')),
      notes: maybe(text(['Talked about data contracts.'])),
      insights: maybe(text(['Hiring is referral-led.'])),
    })
    .map((raw) => (_w: World, now: string): Decision => {
      const i = edge(holdMeetingInput, { ...raw, at: raw.at === 'now' ? now : raw.at });
      const held = {
        heldAt: i.at,
        actualMinutes: i.minutes,
        referralsAsked: i.referrals,
        businessCards: i.cards,
        ...(i.sentiment ? { sentiment: i.sentiment } : {}),
        ...(i.notes ? { notes: i.notes } : {}),
        ...(i.insights ? { insights: i.insights } : {}),
      };
      return { agg: 'meeting', j: meetingIndex(i.meeting), command: { type: 'HoldMeeting', held, now } };
    }),
  fc.nat(MEETINGS.length - 1).map(
    (j) =>
      (_w: World, now: string): Decision => ({ agg: 'meeting', j, command: { type: 'RecordNoShow', now } }),
  ),
  fc.record({ j: fc.nat(MEETINGS.length - 1), response: fc.constantFrom('accepted', 'declined', 'tentative', 'needsAction') }).map(
    ({ j, response }) =>
      (_w: World, now: string): Decision => ({ agg: 'meeting', j, command: { type: 'RecordAttendeeResponse', response, now } }),
  ),
  fc.record({ j: fc.nat(MEETINGS.length - 1), change: fc.constantFrom('created', 'updated', 'deleted'), provider: fc.constantFrom('google', 'ics') }).map(
    ({ j, change, provider }) =>
      (_w: World, now: string): Decision => ({
        agg: 'meeting',
        j,
        command: { type: 'RecordCalendarEvent', change, provider, calendarEventId: `outreach${j}abc`, now },
      }),
  ),
  fc
    .record({
      j: fc.nat(MEETINGS.length - 1),
      kind: fc.constantFrom('RecordOutreachEmailSent', 'RecordNudgeSent', 'RecordPrepBriefSent', 'RecordThankYouSent'),
      messageId,
    })
    .map(
      ({ j, kind, messageId: m }) =>
        (_w: World, now: string): Decision => ({ agg: 'meeting', j, command: { type: kind, messageId: m, now } }),
    ),
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: configure },
  { weight: 1, arbitrary: calendar },
  { weight: 5, arbitrary: addContact },
  { weight: 2, arbitrary: changeContact },
  { weight: 1, arbitrary: typedChanges },
  { weight: 3, arbitrary: contactNotes },
  { weight: 2, arbitrary: contactResults },
  { weight: 5, arbitrary: requestMeeting },
  { weight: 8, arbitrary: meetingCommands },
);

/** The clock: mostly forwards by minutes to days, now and then back (a late worker, a clock skew). */
const clockSteps = fc.array(
  fc.tuple(
    fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 3 * 86_400_000 }) }, { weight: 1, arbitrary: fc.integer({ min: -86_400_000, max: 0 }) }),
    fc.integer({ min: 0, max: 7 }),
  ),
  { minLength: 60, maxLength: 60 },
); // one per step

// ---------------------------------------------------------------------------------------------

function expectValid(events: readonly DomainEvent[], command: { type: string }) {
  for (const e of events) {
    const parsed = eventSchemas[e.type].safeParse(e.data);
    expect(
      parsed.success,
      `${command.type} emitted an invalid ${e.type}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}\n${JSON.stringify(e.data)}`,
    ).toBe(true);
    // AddContact's events are stored without this check (fromCheckedInput): it must find nothing to change.
    if (command.type === 'AddContact' && parsed.success) expect(parsed.data).toEqual(e.data);
  }
}

/** Decides one command against the world, checks what was emitted, and folds it in. */
function run(w: World, d: Decision, seen: Set<string>): void {
  if (d.agg === 'workspace') {
    const events = decideWorkspace(d.command, w.workspace);
    expectValid(events, d.command);
    w.workspace = events.reduce(evolveWorkspace, w.workspace);
    events.forEach((e) => seen.add(e.type));
    return;
  }
  if (d.agg === 'contact') {
    const state = w.contacts[d.i] ?? initialContact(); // an unknown id reads as a stream that does not exist
    const events = decideContact(d.command, state);
    expectValid(events, d.command);
    if (w.contacts[d.i]) w.contacts[d.i] = events.reduce(evolveContact, state);
    events.forEach((e) => seen.add(e.type));
    return;
  }
  const meeting = w.meetings[d.j] ?? initialMeeting();
  const ci = d.command.type === 'RequestMeeting' ? d.contact! : w.meetingContact[d.j];
  const contact = (ci === undefined ? undefined : w.contacts[ci]) ?? initialContact();
  // The contact's other open request, as requestMeeting finds it.
  const open = contact.meetingIds.map((id) => meetingIndex(id)).find((k) => k >= 0 && isOpen(w.meetings[k]!));
  const events = decideMeeting(d.command, meeting, { contact, openMeetingId: open === undefined ? undefined : MEETINGS[open] });
  expectValid(events, d.command);
  if (d.command.type === 'RequestMeeting' && events.length > 0 && ci !== undefined && ci >= 0) {
    // The link on the contact's stream, written first by the app.
    const link = decideContact({ type: 'LinkMeeting', meetingId: MEETINGS[d.j]!, now: d.command.now }, contact);
    expectValid(link, { type: 'LinkMeeting' });
    w.contacts[ci] = link.reduce(evolveContact, contact);
    w.meetingContact[d.j] = ci;
    link.forEach((e) => seen.add(e.type));
  }
  if (w.meetings[d.j]) w.meetings[d.j] = events.reduce(evolveMeeting, meeting);
  events.forEach((e) => seen.add(e.type));
}

describe('deciders', () => {
  it('every event a decider emits, for any sequence of commands at any times, passes its schema (illegal commands are refused with an OutreachError)', () => {
    const seen = new Set<string>();
    let refused = 0;
    let decided = 0;
    fc.assert(
      fc.property(
        // Most histories start as a seeker's would: configure, add a few people.
        fc.oneof(fc.constant([]), fc.tuple(configure, ...CONTACTS.map((_, i) => addContactAt(fc.constant(i))))),
        fc.array(step, { minLength: 20, maxLength: 56 }),
        clockSteps,
        fc.integer({ min: T0, max: T1 }),
        (prefix, steps, clock, start) => {
          const w = emptyWorld();
          let t = start;
          [...prefix, ...steps].forEach((s, k) => {
            const [dt, form] = clock[k]!;
            t += dt;
            const now = isoAt(t, form);
            try {
              run(w, s(w, now), seen);
              decided += 1;
            } catch (e) {
              if (!isOutreachError(e)) throw e;
              refused += 1;
            }
          });
        },
      ),
      { numRuns: bySize(200, 1000) },
    );
    // The generator reaches deep into the life of a meeting, and refuses some commands along the way.
    expect(seen.size, [...seen].sort().join(', ')).toBeGreaterThanOrEqual(20);
    expect(refused).toBeGreaterThan(0);
    expect(decided).toBeGreaterThan(refused / 10);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { startCalendarStandIn, type CalendarStandIn } from '../support/google-calendar-standin/index.ts';
import { appSandbox } from '../support/app.ts';
import { configureAllHours } from '../support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, testPrefix, testRuntime } from '../support/pipeline.ts';
import { startSmtpServer, type SmtpStandIn } from '../support/smtp-server.ts';
import { runWorkers } from '../../src/main/workers.ts';
import { addContact } from '../../src/app/contact-commands.ts';
import { bookMeeting, cancelMeeting, requestMeeting, rescheduleMeeting } from '../../src/app/meeting-commands.ts';
import { execute, load } from '../../src/app/handle.ts';
import { workspaceAggregate } from '../../src/app/aggregates.ts';
import { decideWorkspace } from '../../src/domain/workspace.ts';
import { saveRefreshToken, tokenStoreKeyFrom } from '../../src/infra/google/token-store.ts';
import { googleEventIdFor } from '../../src/app/effects/calendar/event-id.ts';
import { calendarWiringFrom, redisSyncTokens } from '../../src/main/calendar.ts';
import { pollCalendar } from '../../src/app/effects/calendar/poll.ts';
import { snapshot } from '../../src/infra/queue/idle.ts';
import { pollJob } from '../../workers/calendar-poller.ts';
import { silentLogger } from '../../src/main/logger.ts';
import { pollSchedulerId } from '../../src/infra/queue/scheduler.ts';

let google: CalendarStandIn;
let smtp: SmtpStandIn;
const prefixes: string[] = [];
beforeAll(async () => {
  google = await startCalendarStandIn();
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await google.stop();
  await smtp.stop();
  for (const p of prefixes) await deleteKeys(p);
});

const inDays = (d: number, hour = 10) => {
  const t = new Date(Date.now() + d * 86_400_000);
  t.setUTCHours(hour, 0, 0, 0);
  return t.toISOString().replace('.000Z', 'Z');
};

/** One more run of the workers, after a pause for a job deferred by a Retry-After to come due. */
const settle = async (work: () => Promise<unknown>) => {
  await new Promise((r) => setTimeout(r, 250));
  await work();
};

async function connected(opts: { connect?: boolean } = {}) {
  const s = await appSandbox({ configure: false });
  await configureAllHours(s.ctx);
  const prefix = testPrefix();
  prefixes.push(prefix);
  const env = { ...pipelineEnv(prefix, s.dir, smtp.url), ...google.env() };
  const connect = async () => {
    saveRefreshToken(s.dir, tokenStoreKeyFrom(env), 'test', {
      refreshToken: google.issueRefreshToken(),
      scope: 'https://www.googleapis.com/auth/calendar.events',
    });
    await execute(s.ctx, workspaceAggregate, 'test', ({ state }) =>
      decideWorkspace({ type: 'ConnectCalendar', calendarId: 'primary', now: s.ctx.clock() }, state),
    );
  };
  if (opts.connect !== false) await connect();
  const rt = await testRuntime(s.store, s.dir, env);
  const work = () => runWorkers(rt, { only: ['reactor', 'calendar'], untilIdle: true, json: false, quiet: !process.env['DEBUG_WORKERS'] });
  const { id: contact } = await addContact(s.ctx, { name: 'Ada Lovelace', email: 'ada@example.org', org: 'Analytical Engines', timezone: 'Europe/London' });
  const { id: meeting } = await requestMeeting(s.ctx, { contact, minutes: 20, channel: 'phone' });
  const types = async () => (await s.store.readStream(`meeting-${meeting}`)).map((e) => e.type);
  const poll = async () => {
    const deps = calendarWiringFrom(rt.config, rt.env);
    const client = (await deps.google!.clientFor('test'))!;
    return pollCalendar({
      store: s.store,
      clock: s.ctx.clock,
      workspaceId: 'test',
      client,
      calendarId: 'primary',
      tokens: redisSyncTokens(rt.producer, rt.prefix),
      classify: deps.google!.classify,
    });
  };
  return {
    ...s,
    rt,
    env,
    work,
    contact,
    meeting,
    types,
    poll,
    connect,
    eventId: googleEventIdFor(meeting),
    close: async () => {
      await rt.close();
      await s.cleanup();
    },
  };
}

describe("the calendar worker against the Calendar v3 stand-in, through Google's own client", () => {
  it("a booking creates the event with a derived id, the contact as attendee, reminders and the product's marks", async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3), minutes: 20, videoUrl: 'https://meet.example/x' });
    await c.work();
    const event = google.events.find(c.eventId)!;
    expect(event).toMatchObject({
      status: 'confirmed',
      attendees: [expect.objectContaining({ email: 'ada@example.org' })],
      extendedProperties: { private: { meetingId: c.meeting, workspaceId: 'test' } },
      reminders: { useDefault: false },
    });
    expect(event.summary).toContain('Ada Lovelace');
    expect(event.description).toContain('20-minute');
    expect(Date.parse(event.start!.dateTime!)).toBe(Date.parse(inDays(3)));
    expect(google.lastCall('insert')!.query['sendUpdates']).toBe('all');
    expect(await c.types()).toContain('CalendarEventCreated');
    await c.close();
  });

  it('a reschedule patches it and a cancellation deletes it', async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    const ics = () => {
      const vcal = new ICAL.Component(ICAL.parse(readFileSync(join(c.dir, 'calendar', `${c.meeting}.ics`), 'utf8')));
      const vevent = vcal.getFirstSubcomponent('vevent')!;
      return {
        method: vcal.getFirstPropertyValue('method'),
        sequence: vevent.getFirstPropertyValue('sequence'),
        status: vevent.getFirstPropertyValue('status'),
        start: new ICAL.Event(vevent).startDate.toJSDate().toISOString(),
      };
    };
    expect(ics()).toMatchObject({ method: 'REQUEST', sequence: 0, start: new Date(inDays(3)).toISOString() });
    await rescheduleMeeting(c.ctx, { meeting: c.meeting, at: inDays(4) });
    await c.work();
    expect(Date.parse(google.events.find(c.eventId)!.start!.dateTime!)).toBe(Date.parse(inDays(4)));
    // The .ics file follows too: same UID, SEQUENCE raised, the new time in the right zone.
    expect(ics()).toMatchObject({ method: 'REQUEST', sequence: 1, start: new Date(inDays(4)).toISOString() });
    await cancelMeeting(c.ctx, { meeting: c.meeting });
    await c.work();
    expect(google.events.find(c.eventId)!.status).toBe('cancelled');
    expect(ics()).toMatchObject({ method: 'CANCEL', sequence: 2, status: 'CANCELLED' });
    expect(await c.types()).toEqual(expect.arrayContaining(['CalendarEventCreated', 'CalendarEventUpdated', 'CalendarEventDeleted']));
    await c.close();
  });

  it('a 409 on the derived id means an earlier try landed: never a duplicate, and an event the owner deleted since is not put back', async () => {
    const c = await connected();
    google.events.put({ id: c.eventId, status: 'cancelled', summary: 'old', start: { dateTime: inDays(1) }, end: { dateTime: inDays(1, 11) } });
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    expect(google.events.all().filter((e) => e.id === c.eventId)).toHaveLength(1);
    expect(google.events.find(c.eventId)).toMatchObject({ status: 'cancelled' });
    expect(await c.types()).toContain('CalendarEventCreated');
    await c.close();
  });

  it('rate limits (403 rateLimitExceeded, 429 with Retry-After) and a 500 are waited out and retried', async () => {
    const c = await connected();
    google.failNext(1, { status: 403, reason: 'rateLimitExceeded', kind: 'insert' });
    google.failNext(1, { status: 429, retryAfter: 1, kind: 'insert' });
    google.failNext(1, { status: 500, kind: 'insert' });
    const before = google.calls.length;
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    const started = Date.now();
    while (!(await c.types()).includes('CalendarEventCreated') && Date.now() - started < 60_000) await c.work();
    expect(google.events.find(c.eventId)?.status).toBe('confirmed');
    expect(
      google.calls
        .slice(before)
        .filter((x) => x.kind === 'insert' && x.scripted)
        .map((x) => x.status),
    ).toEqual([403, 429, 500]);
    await c.close();
  }, 90_000);

  it('a quota refusal (403 quotaExceeded) defers the job for later instead of dropping it', async () => {
    const c = await connected();
    google.failNext(1, { status: 403, reason: 'quotaExceeded', kind: 'insert' });
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    const waiting = await snapshot(c.rt.queues.calendar, 20);
    const deferred = waiting.next.find((n) => n.name === 'google-create')!;
    expect(Date.parse(deferred.dueAt)).toBeGreaterThan(Date.now() + 30 * 60_000);
    await c.close();
  });

  it('a revoked grant (invalid_grant) disconnects the calendar and stops its jobs', async () => {
    const c = await connected();
    google.revokeAll();
    const before = google.calls.length;
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    const ws = (await load(c.ctx, workspaceAggregate, 'test')).state;
    expect(ws.calendar).toMatchObject({ connected: false, disconnectReason: 'invalid_grant' });
    await rescheduleMeeting(c.ctx, { meeting: c.meeting, at: inDays(5) });
    await c.work();
    expect(google.calls.slice(before).filter((x) => x.kind === 'patch')).toHaveLength(0);
    await c.close();
  });

  it('edits made in the calendar reach the event store through the poller', async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    // Connecting started the workspace's poll schedule; its first run made the full sync and kept the token.
    expect(await c.rt.producer.get(`${c.rt.prefix}:calendar-sync:test`)).toBeTruthy();
    expect((await c.poll()).fullSync).toBe(false);

    google.editDirectly(c.eventId, { start: { dateTime: inDays(6) }, end: { dateTime: new Date(Date.parse(inDays(6)) + 30 * 60_000).toISOString() } });
    expect((await c.poll()).changes).toEqual([{ meetingId: c.meeting, change: 'rescheduled' }]);
    const moved = (await c.store.readStream(`meeting-${c.meeting}`)).filter((e) => e.type === 'MeetingRescheduled').at(-1)!;
    expect(moved.data).toMatchObject({ source: 'calendar', minutes: 30 });

    google.editDirectly(c.eventId, { attendeeResponse: { email: 'ada@example.org', responseStatus: 'declined' } });
    expect((await c.poll()).changes).toEqual([{ meetingId: c.meeting, change: 'attendee declined' }]);

    google.expireSyncTokens();
    google.editDirectly(c.eventId, { cancel: true });
    const r = await c.poll();
    expect(r.fullSync).toBe(true);
    expect(r.changes).toEqual([{ meetingId: c.meeting, change: 'cancelled' }]);
    const cancelled = (await c.store.readStream(`meeting-${c.meeting}`)).filter((e) => e.type === 'MeetingCancelled').at(-1)!;
    expect(cancelled.data).toMatchObject({ source: 'calendar' });
    // What came from the calendar is not pushed back to it.
    const patches = google.calls.filter((x) => x.kind === 'patch' || x.kind === 'delete').length;
    await c.work();
    expect(google.calls.filter((x) => x.kind === 'patch' || x.kind === 'delete').length).toBe(patches);
    await c.close();
  });

  it('a meeting deleted in the calendar, listed by its id alone, is cancelled with source calendar and nothing is pushed back', async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    await c.poll();
    google.editDirectly(c.eventId, { cancel: true });
    expect((await c.poll()).changes).toEqual([{ meetingId: c.meeting, change: 'cancelled' }]);
    const cancelled = (await c.store.readStream(`meeting-${c.meeting}`)).filter((e) => e.type === 'MeetingCancelled');
    expect(cancelled.map((e) => e.data)).toEqual([expect.objectContaining({ source: 'calendar', by: 'seeker' })]);
    const deletes = google.calls.filter((x) => x.kind === 'delete').length;
    await c.work();
    expect(google.calls.filter((x) => x.kind === 'delete').length).toBe(deletes);
    await c.close();
  });

  it("a time the seeker set that is still waiting to be pushed is not undone by the poller, and its push lands on the calendar's newer version", async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    await c.poll();
    google.failNext(1, { status: 429, retryAfter: 2, kind: 'patch' });
    await rescheduleMeeting(c.ctx, { meeting: c.meeting, at: inDays(4) });
    await c.work();
    // The patch was refused: Google still holds the first time, and the contact has answered meanwhile (a version we did not write).
    expect(Date.parse(google.events.find(c.eventId)!.start!.dateTime!)).toBe(Date.parse(inDays(3)));
    google.editDirectly(c.eventId, { attendeeResponse: { email: 'ada@example.org', responseStatus: 'accepted' } });
    expect((await c.poll()).changes).toEqual([{ meetingId: c.meeting, change: 'attendee accepted' }]);
    const started = Date.now();
    while (!(await c.types()).includes('CalendarEventUpdated') && Date.now() - started < 30_000) await settle(c.work);
    const moves = (await c.store.readStream(`meeting-${c.meeting}`)).filter((e) => e.type === 'MeetingRescheduled');
    expect(moves.map((e) => (e.data as { source: string }).source)).toEqual(['seeker']);
    expect(Date.parse(google.events.find(c.eventId)!.start!.dateTime!)).toBe(Date.parse(inDays(4)));
    const patches = google.calls.filter((x) => x.kind === 'patch' && x.eventId === c.eventId && !x.scripted);
    expect(patches.map((x) => x.status)).toEqual([412, 200]);
    expect(patches.every((x) => x.ifMatch)).toBe(true);
    expect((await c.poll()).changes).toEqual([]);
    await c.close();
  }, 60_000);

  it("a move made in the calendar after the seeker's change not yet pushed wins: recorded from the calendar, not overwritten", async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    google.failNext(1, { status: 429, retryAfter: 2, kind: 'patch' });
    await rescheduleMeeting(c.ctx, { meeting: c.meeting, at: inDays(4) });
    await c.work();
    await new Promise((r) => setTimeout(r, 5));
    google.editDirectly(c.eventId, { start: { dateTime: inDays(5) }, end: { dateTime: new Date(Date.parse(inDays(5)) + 20 * 60_000).toISOString() } });
    const started = Date.now();
    const moves = async () => (await c.store.readStream(`meeting-${c.meeting}`)).filter((e) => e.type === 'MeetingRescheduled');
    while ((await moves()).length < 2 && Date.now() - started < 30_000) await settle(c.work);
    expect((await moves()).map((e) => [(e.data as { source: string }).source, Date.parse((e.data as { start: string }).start)])).toEqual([
      ['seeker', Date.parse(inDays(4))],
      ['calendar', Date.parse(inDays(5))],
    ]);
    expect(Date.parse(google.events.find(c.eventId)!.start!.dateTime!)).toBe(Date.parse(inDays(5)));
    expect((await c.poll()).changes).toEqual([]);
    await c.close();
  }, 60_000);

  it('a grant revoked while only the poller runs is recorded once as CalendarDisconnected (invalid_grant, which `google status` reads as "reconnect") and the polls stop', async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    const wiring = calendarWiringFrom(c.rt.config, c.rt.env);
    const deps = {
      store: c.store,
      clock: c.ctx.clock,
      queue: c.rt.queues.calendar,
      tokens: redisSyncTokens(c.rt.producer, c.rt.prefix),
      google: wiring.google,
      log: silentLogger(),
    };
    expect((await c.rt.queues.calendar.getJobSchedulers()).map((j) => j.key)).toContain(pollSchedulerId('test'));
    google.revokeAll();
    expect(await pollJob('test', deps)).toMatchObject({ stopped: true, disconnected: true });
    const refreshes = google.calls.filter((x) => x.kind === 'token').length;
    expect(await pollJob('test', deps)).toMatchObject({ stopped: true });
    expect(google.calls.filter((x) => x.kind === 'token').length).toBe(refreshes);
    const disconnects = (await c.store.readStream('workspace-test')).filter((e) => e.type === 'CalendarDisconnected');
    expect(disconnects.map((e) => e.data)).toEqual([expect.objectContaining({ reason: 'invalid_grant' })]);
    expect((await load(c.ctx, workspaceAggregate, 'test')).state.calendar).toMatchObject({ connected: false, disconnectReason: 'invalid_grant' });
    expect((await c.rt.queues.calendar.getJobSchedulers()).map((j) => j.key)).not.toContain(pollSchedulerId('test'));
    await c.close();
  });

  it('the poller records an answer only when it changes: not needsAction on first sight, not again after a reschedule', async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    await c.poll();
    google.editDirectly(c.eventId, { attendeeResponse: { email: 'ada@example.org', responseStatus: 'accepted' } });
    await c.poll();
    await rescheduleMeeting(c.ctx, { meeting: c.meeting, at: inDays(4) });
    await c.work();
    await c.poll();
    google.expireSyncTokens();
    await c.poll();
    const answers = (await c.store.readStream(`meeting-${c.meeting}`)).filter((e) => e.type === 'AttendeeResponded');
    expect(answers.map((e) => (e.data as { response: string }).response)).toEqual(['accepted']);
    await c.close();
  });

  it('meetings booked before the calendar was connected get their Google event when it connects; a cancelled one does not', async () => {
    const c = await connected({ connect: false });
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    const { id: other } = await addContact(c.ctx, { name: 'Grace Hopper', email: 'grace@example.org' });
    const { id: dropped } = await requestMeeting(c.ctx, { contact: other, minutes: 20, channel: 'phone' });
    await bookMeeting(c.ctx, { meeting: dropped, at: inDays(2) });
    await cancelMeeting(c.ctx, { meeting: dropped });
    await c.work();
    expect(google.events.find(c.eventId)).toBeUndefined();
    await c.connect();
    await c.work();
    expect(google.events.find(c.eventId)).toMatchObject({ status: 'confirmed', extendedProperties: { private: { meetingId: c.meeting } } });
    expect(google.events.find(googleEventIdFor(dropped))).toBeUndefined();
    const created = (await c.store.readStream(`meeting-${c.meeting}`)).filter(
      (e) => e.type === 'CalendarEventCreated' && (e.data as { provider: string }).provider === 'google',
    );
    expect(created).toHaveLength(1);
    expect(created[0]!.data).toMatchObject({ version: { etag: expect.any(String), start: expect.any(String), minutes: 20 } });
    await c.close();
  });

  it('a cancellation before any Google event was made finds nothing to delete and records no deletion', async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await cancelMeeting(c.ctx, { meeting: c.meeting });
    await c.work();
    expect(google.events.find(c.eventId)).toBeUndefined();
    expect(google.lastCall('delete', (x) => x.eventId === c.eventId)?.status).toBe(404);
    const googleResults = (await c.store.readStream(`meeting-${c.meeting}`)).filter(
      (e) => e.type.startsWith('CalendarEvent') && (e.data as { provider: string }).provider === 'google',
    );
    expect(googleResults).toEqual([]);
    await c.close();
  });

  it('revoke, reschedule, reconnect: the new time reaches Google and no sync, full or not, puts the old one back', async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    await c.poll();
    google.revokeAll();
    await rescheduleMeeting(c.ctx, { meeting: c.meeting, at: inDays(4) });
    await c.work();
    expect((await load(c.ctx, workspaceAggregate, 'test')).state.calendar.connected).toBe(false);
    await c.connect();
    await c.work();
    expect(Date.parse(google.events.find(c.eventId)!.start!.dateTime!)).toBe(Date.parse(inDays(4)));
    expect((await c.poll()).changes).toEqual([]);
    google.expireSyncTokens();
    expect(await c.poll()).toMatchObject({ fullSync: true, changes: [] });
    const moves = (await c.store.readStream(`meeting-${c.meeting}`)).filter((e) => e.type === 'MeetingRescheduled');
    expect(moves.map((e) => (e.data as { source: string }).source)).toEqual(['seeker']);
    await c.close();
  });

  it('the poll interval follows OUTREACH_CALENDAR_POLL_MS at every worker start, not the one in force at connect time', async () => {
    const c = await connected();
    await c.work();
    const every = async (rt: typeof c.rt) => (await rt.queues.calendar.getJobSchedulers()).find((j) => j.key === pollSchedulerId('test'))?.every;
    expect(Number(await every(c.rt))).toBe(c.rt.pollEveryMs);
    const rt = await testRuntime(c.store, c.dir, { ...c.env, OUTREACH_CALENDAR_POLL_MS: '61000' });
    await runWorkers(rt, { only: ['calendar'], untilIdle: true, json: false, quiet: true });
    expect(Number(await every(rt))).toBe(61_000);
    await rt.close();
    await c.close();
  });

  it("an event made all-day in the calendar is recorded as needing the seeker's decision, once, and the booking stays", async () => {
    const c = await connected();
    await bookMeeting(c.ctx, { meeting: c.meeting, at: inDays(3) });
    await c.work();
    await c.poll();
    const day = inDays(5).slice(0, 10);
    google.editDirectly(c.eventId, { start: { date: day, dateTime: null }, end: { date: inDays(6).slice(0, 10), dateTime: null } });
    expect((await c.poll()).changes).toEqual([{ meetingId: c.meeting, change: 'changed in the calendar, needs your decision' }]);
    google.expireSyncTokens();
    expect((await c.poll()).changes).toEqual([]);
    const events = await c.store.readStream(`meeting-${c.meeting}`);
    expect(events.filter((e) => e.type === 'CalendarEditNeedsDecision').map((e) => e.data)).toEqual([
      expect.objectContaining({ reason: 'all-day', date: day }),
    ]);
    expect(events.filter((e) => e.type === 'MeetingRescheduled')).toEqual([]);
    await c.close();
  });
});

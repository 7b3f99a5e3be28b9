import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCalendarStandIn, type CalendarStandIn } from '../support/google-calendar-standin/index.ts';
import { startSmtpServer, type SmtpStandIn } from '../support/smtp-server.ts';
import { appSandbox } from '../support/app.ts';
import { configureAllHours } from '../support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, testPrefix, testRuntime } from '../support/pipeline.ts';
import { faultScale, reportScenario } from '../support/faults.ts';
import { addContact } from '../../src/app/contact-commands.ts';
import { bookMeeting, requestMeeting } from '../../src/app/meeting-commands.ts';
import { execute } from '../../src/app/handle.ts';
import { workspaceAggregate } from '../../src/app/aggregates.ts';
import { decideWorkspace } from '../../src/domain/workspace.ts';
import { saveRefreshToken, tokenStoreKeyFrom } from '../../src/infra/google/token-store.ts';
import { googleEventIdFor } from '../../src/app/effects/calendar/event-id.ts';
import { calendarWiringFrom } from '../../src/main/calendar.ts';
import { calendarWorker, reactorWorker } from '../../src/main/workers.ts';
import { callbackLog } from '../support/tally-log.ts';
import type { StoredEvent } from '../../src/eventstore/port.ts';

/*
 * Bookings synced to the Calendar v3 stand-in (Google's own client, real sockets) by the reactor and
 * calendar worker, running continuously with the workspace's scheduled poll, while the stand-in, in
 * a burst, answers 403 rateLimitExceeded, 403 userRateLimitExceeded, 429 with Retry-After, 500
 * (before and, once a round, after doing the write) — and the owner moves and deletes events in the
 * calendar during the burst, after which every sync token expires (410 fullSyncRequired for the
 * poller). Each booking must end as one event in the calendar and one CalendarEventCreated in the
 * store; each edit must reach the store through the poller (MeetingRescheduled / MeetingCancelled
 * from the calendar), once.
 */

const N = faultScale(40, 200);
const ROUNDS = faultScale(6, 25);
const MOVES = faultScale(2, 5);
const DELETES = faultScale(2, 5);

let google: CalendarStandIn;
let smtp: SmtpStandIn;
const prefixes: string[] = [];
beforeAll(async () => {
  // Pages of 25: a full sync of the larger run still takes several pages (and their page tokens).
  google = await startCalendarStandIn({ pageSize: 25 });
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await google.stop();
  await smtp.stop();
  for (const p of prefixes) await deleteKeys(p);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** One round of the burst: the four refusals, on whichever Calendar call comes next (inserts, lists, gets, updates). */
function armBurst(rounds: number) {
  for (let i = 0; i < rounds; i++) {
    google.failNext(1, { status: 403, reason: 'rateLimitExceeded' });
    google.failNext(1, { status: 403, reason: 'userRateLimitExceeded' });
    google.failNext(1, { status: 429, retryAfter: 1 });
    google.failNext(1, { status: 500, ...(i % 2 === 1 ? { afterApplying: true } : {}) });
  }
}

describe('fault: Calendar 403 rate limits, 429, 500 and an expired sync token in a burst, with edits in the calendar', () => {
  it(
    'syncs every booking once and brings every calendar edit into the store once',
    async () => {
      const s = await appSandbox({ configure: false });
      await configureAllHours(s.ctx);
      const prefix = testPrefix();
      prefixes.push(prefix);
      const env = { ...pipelineEnv(prefix, s.dir, smtp.url, { OUTREACH_CALENDAR_POLL_MS: '300' }), ...google.env() };
      saveRefreshToken(s.dir, tokenStoreKeyFrom(env), 'test', {
        refreshToken: google.issueRefreshToken(),
        scope: 'https://www.googleapis.com/auth/calendar.events',
      });
      await execute(s.ctx, workspaceAggregate, 'test', ({ state }) =>
        decideWorkspace({ type: 'ConnectCalendar', calendarId: 'primary', now: s.ctx.clock() }, state),
      );
      const rt = await testRuntime(s.store, s.dir, env);
      const started = Date.now();
      const tally: Record<string, number> = {};
      // Poll jobs that fail are simply followed by the next poll; a failed effect job would be a loss.
      const log = callbackLog((event, fields) => {
        const key = event === 'failed' && String(fields['job'] ?? '').startsWith('repeat:') ? 'failed-poll' : event;
        tally[key] = (tally[key] ?? 0) + 1;
      });
      let reactor: Awaited<ReturnType<typeof reactorWorker>> | undefined;
      let worker: ReturnType<typeof calendarWorker> | undefined;
      try {
        // Bookings two days out and later, each at its own half hour, well inside the poller's window.
        const base = Date.now() + 2 * 86_400_000;
        const meetings: string[] = [];
        for (let n = 0; n < N; n++) {
          const { id: contact } = await addContact(s.ctx, { name: `Person ${n} Example`, email: `person${n}@contact.example`, timezone: 'Europe/London' });
          const { id: meeting } = await requestMeeting(s.ctx, { contact, minutes: 20, channel: 'phone' });
          await bookMeeting(s.ctx, { meeting, at: iso(base + n * 1_800_000) });
          meetings.push(meeting);
        }
        const callsBefore = google.calls.length;

        armBurst(Math.ceil(ROUNDS / 2));
        reactor = await reactorWorker(rt, log);
        worker = calendarWorker(rt, { wiring: calendarWiringFrom(rt.config, rt.env), log });

        // During the burst, once some events exist, the owner moves some and deletes others, more refusals
        // arrive, and every sync token expires (the next incremental poll gets 410 and syncs in full).
        const until = Date.now() + faultScale(40_000, 150_000);
        const inCalendar = () => meetings.filter((m) => google.events.find(googleEventIdFor(m)));
        // …and once the poller holds a sync token, so that expiring it means a 410 for its next poll.
        const hasToken = async () => (await rt.producer.get(`${rt.prefix}:calendar-sync:test`)) !== null;
        while ((inCalendar().length < MOVES + DELETES || !(await hasToken())) && Date.now() < until) await sleep(50);
        const present = inCalendar();
        const moved = new Map<string, string>();
        for (const m of present.slice(0, MOVES)) {
          const event = google.events.find(googleEventIdFor(m))!;
          const start = iso(Date.parse(event.start!.dateTime!) + 86_400_000 + 15 * 60_000);
          google.editDirectly(googleEventIdFor(m), { start: { dateTime: start }, end: { dateTime: iso(Date.parse(start) + 30 * 60_000) } });
          moved.set(m, start);
        }
        const deleted = present.slice(MOVES, MOVES + DELETES);
        for (const m of deleted) google.editDirectly(googleEventIdFor(m), { cancel: true });
        armBurst(ROUNDS - Math.ceil(ROUNDS / 2));
        google.expireSyncTokens();

        const streams = async () =>
          new Map(await Promise.all(meetings.map(async (m) => [m, await s.store.readStream(`meeting-${m}`)] as [string, StoredEvent[]])));
        const fromCalendar = (events: StoredEvent[], type: string) =>
          events.filter((e) => e.type === type && (e.data as { source?: string }).source === 'calendar');
        const createdRecorded = (events: StoredEvent[]) =>
          events.some((e) => e.type === 'CalendarEventCreated' && (e.data as { provider: string }).provider === 'google');
        // An insert whose answer was lost (a 500 after the write) and whose event the owner deleted before
        // the retry: the retry finds the meeting cancelled and records nothing. The calendar and the store
        // agree (one event, deleted; the meeting cancelled from the calendar), so it counts as done, and is named.
        const deletedBeforeRecorded = (events: StoredEvent[], m: string) =>
          deleted.includes(m) && !createdRecorded(events) && fromCalendar(events, 'MeetingCancelled').length > 0;
        const bookingDone = (events: StoredEvent[], m: string) =>
          google.events.find(googleEventIdFor(m)) !== undefined && (createdRecorded(events) || deletedBeforeRecorded(events, m));
        const moveDone = (events: StoredEvent[], m: string) =>
          fromCalendar(events, 'MeetingRescheduled').some((e) => Date.parse((e.data as { start: string }).start) === Date.parse(moved.get(m)!));
        const deleteDone = (events: StoredEvent[]) => fromCalendar(events, 'MeetingCancelled').length > 0;
        let byMeeting = await streams();
        for (;;) {
          byMeeting = await streams();
          const all =
            meetings.every((m) => bookingDone(byMeeting.get(m)!, m)) &&
            [...moved.keys()].every((m) => moveDone(byMeeting.get(m)!, m)) &&
            deleted.every((m) => deleteDone(byMeeting.get(m)!));
          if (all || Date.now() > until) break;
          await sleep(200);
        }
        // A few more polls after everything arrived: a change must not be brought in a second time.
        await sleep(1_000);
        byMeeting = await streams();

        const bookingsDone = meetings.filter((m) => bookingDone(byMeeting.get(m)!, m)).length;
        const movesDone = [...moved.keys()].filter((m) => moveDone(byMeeting.get(m)!, m)).length;
        const deletesDone = deleted.filter((m) => deleteDone(byMeeting.get(m)!)).length;
        const due = N + moved.size + deleted.length;
        const unrecorded = deleted.filter((m) => deletedBeforeRecorded(byMeeting.get(m)!, m)).length;
        const show = (m: string) =>
          `${m} in calendar: ${JSON.stringify(google.events.find(googleEventIdFor(m)) && { status: google.events.find(googleEventIdFor(m))!.status, start: google.events.find(googleEventIdFor(m))!.start })}\n${byMeeting
            .get(m)!
            .map((e) => `  ${e.revision} ${e.type} ${JSON.stringify(e.data)} ${String(e.metadata['actor'])}`)
            .join('\n')}`;
        for (const m of meetings.filter((x) => !bookingDone(byMeeting.get(x)!, x))) console.error('booking not done', show(m));
        for (const m of [...moved.keys()].filter((x) => !moveDone(byMeeting.get(x)!, x))) console.error('move not done', moved.get(m), show(m));
        for (const m of deleted.filter((x) => !deleteDone(byMeeting.get(x)!))) console.error('delete not done', show(m));
        const done = bookingsDone + movesDone + deletesDone;
        // Twice: two calendar events for one meeting, or one result / one edit recorded more than once.
        const perMeeting = new Map<string, number>();
        for (const e of google.events.all()) {
          const m = e.extendedProperties?.private?.['meetingId'];
          if (m) perMeeting.set(m, (perMeeting.get(m) ?? 0) + 1);
        }
        const doubled = {
          calendarEvents: [...perMeeting.values()].filter((n) => n > 1).length,
          created: meetings.filter((m) => byMeeting.get(m)!.filter((e) => e.type === 'CalendarEventCreated').length > 1).length,
          rescheduled: [...moved.keys()].filter((m) => fromCalendar(byMeeting.get(m)!, 'MeetingRescheduled').length > 1).length,
          cancelled: deleted.filter((m) => fromCalendar(byMeeting.get(m)!, 'MeetingCancelled').length > 1).length,
        };
        const twice = Object.values(doubled).reduce((a, b) => a + b, 0);
        if (twice > 0) {
          console.error('doubled', doubled);
          for (const m of meetings)
            if (
              byMeeting.get(m)!.filter((e) => e.type === 'CalendarEventCreated').length > 1 ||
              fromCalendar(byMeeting.get(m)!, 'MeetingRescheduled').length > 1
            )
              console.error(
                m,
                byMeeting
                  .get(m)!
                  .map((e) => `${e.revision} ${e.type} ${JSON.stringify(e.data)} ${e.metadata['actor']}`)
                  .join('\n'),
              );
        }
        const calls = google.calls.slice(callsBefore);
        const scripted = calls.filter((c) => c.scripted);
        const expiredTokens = calls.filter((c) => c.kind === 'list' && c.status === 410).length;
        const byStatus = scripted.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.status]: (acc[c.status] ?? 0) + 1 }), {});

        reportScenario({
          name: 'calendar-403-429-500-410',
          due,
          done,
          lost: due - done,
          twice,
          note: `${N} bookings + ${moved.size} moved + ${deleted.length} deleted in the calendar (${unrecorded} of them before their creation was recorded); refusals ${Object.entries(
            byStatus,
          )
            .map(([k, v]) => `${k}x${v}`)
            .join(
              ' ',
            )}, ${expiredTokens} polls answered 410; ${tally['deferred'] ?? 0} deferred, ${tally['retrying'] ?? 0} retried, ${tally['failed'] ?? 0} failed effect jobs, ${tally['polled'] ?? 0} polls (${tally['failed-poll'] ?? 0} failed); ${Date.now() - started} ms`,
        });
        expect(due - done).toBe(0);
        expect(twice).toBe(0);
        expect(tally['failed'] ?? 0).toBe(0);
        // The burst happened in full: every scripted refusal was given, and a poll met the expired token.
        expect(scripted).toHaveLength(ROUNDS * 4);
        expect(expiredTokens).toBeGreaterThanOrEqual(1);
        // Edits in the calendar stay there: the event was moved, not moved back; the deleted one stays deleted.
        for (const [m, start] of moved) expect(Date.parse(google.events.find(googleEventIdFor(m))!.start!.dateTime!)).toBe(Date.parse(start));
        for (const m of deleted) expect(google.events.find(googleEventIdFor(m))!.status).toBe('cancelled');
      } finally {
        await reactor?.stop();
        await worker?.close();
        await rt.close();
        await s.cleanup();
      }
    },
    faultScale(60_000, 200_000),
  );
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCalendarStandIn, type CalendarStandIn } from '../support/google-calendar-standin/index.ts';
import { startSmtpServer, type SmtpStandIn } from '../support/smtp-server.ts';
import { appSandbox } from '../support/app.ts';
import { configureAllHours } from '../support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, testPrefix, testRuntime } from '../support/pipeline.ts';
import { faultScale, reportScenario } from '../support/faults.ts';
import { addContact } from '../../src/app/contact-commands.ts';
import { bookMeeting, cancelMeeting, requestMeeting, rescheduleMeeting } from '../../src/app/meeting-commands.ts';
import { execute, load } from '../../src/app/handle.ts';
import { meetingAggregate, workspaceAggregate } from '../../src/app/aggregates.ts';
import { decideWorkspace } from '../../src/domain/workspace.ts';
import { saveRefreshToken, tokenStoreKeyFrom } from '../../src/infra/google/token-store.ts';
import { googleEventIdFor } from '../../src/app/effects/calendar/event-id.ts';
import { calendarWiringFrom } from '../../src/main/calendar.ts';
import { calendarWorker, emailWorker, reactorWorker } from '../../src/main/workers.ts';
import { emailWiringFrom } from '../../src/main/email.ts';
import { humanTime } from '../../src/domain/human-time.ts';
import { callbackLog } from '../support/tally-log.ts';

/*
 * Both sides change the same meetings while the Calendar stand-in refuses in bursts (403 rate limits,
 * 429, 500 before and after applying): the seeker reschedules and cancels through Outreach, the owner
 * moves and deletes in Google Calendar, some meetings by both in either order. The rules (README, "The
 * sync rules"): the later change by time wins, a deletion is never undone. At the end each meeting has
 * one Google event at the time of the last change by either side (none live for a cancelled one), the
 * store agrees, and the last confirmation emailed to each contact names that time.
 */

const PER_CASE = faultScale(3, 12);
const CASES = ['seeker-moves', 'seeker-cancels', 'owner-moves', 'owner-deletes', 'seeker-then-owner', 'owner-then-seeker', 'untouched'] as const;
type Case = (typeof CASES)[number];

let google: CalendarStandIn;
let smtp: SmtpStandIn;
const prefixes: string[] = [];
beforeAll(async () => {
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

function armBurst(rounds: number) {
  for (let i = 0; i < rounds; i++) {
    google.failNext(1, { status: 403, reason: 'rateLimitExceeded' });
    google.failNext(1, { status: 429, retryAfter: 1 });
    google.failNext(1, { status: 500, ...(i % 2 === 1 ? { afterApplying: true } : {}) });
  }
}

describe('fault: the seeker and the calendar owner change the same meetings under injected faults', () => {
  it(
    'every meeting ends at the time of the last change by either side, one Google event each, none live for cancelled ones',
    async () => {
      const s = await appSandbox({ configure: false });
      // Every confirmation goes at once: no business hours, no daily limit in the way.
      await configureAllHours(s.ctx, { dailyLimit: 1000 });
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
      // A poll job that fails is simply followed by the next poll; a failed effect job would be a loss.
      const log = callbackLog((event, fields) => {
        const key = event === 'failed' && String(fields['job'] ?? '').startsWith('repeat:') ? 'failed-poll' : event;
        tally[key] = (tally[key] ?? 0) + 1;
      });
      const reactor = await reactorWorker(rt, log);
      const worker = calendarWorker(rt, { wiring: calendarWiringFrom(rt.config, rt.env), log });
      const email = emailWorker(rt, { wiring: emailWiringFrom(rt.config, rt.env), log });
      try {
        const base = Math.floor((Date.now() + 3 * 86_400_000) / 60_000) * 60_000;
        const plan: { meeting: string; kind: Case; at: number }[] = [];
        let n = 0;
        for (const kind of CASES)
          for (let i = 0; i < PER_CASE; i++, n++) {
            const { id: contact } = await addContact(s.ctx, { name: `Person ${n} Example`, email: `person${n}@contact.example`, timezone: 'Europe/London' });
            const { id: meeting } = await requestMeeting(s.ctx, { contact, minutes: 20, channel: 'phone' });
            const at = base + n * 3_600_000;
            await bookMeeting(s.ctx, { meeting, at: iso(at) });
            plan.push({ meeting, kind, at });
          }
        const inCalendar = () => plan.every((p) => google.events.find(googleEventIdFor(p.meeting)));
        while (!inCalendar() && Date.now() - started < 30_000) await sleep(50);

        armBurst(faultScale(4, 12));
        const expected = new Map<string, { cancelled: true } | { start: number }>();
        const ownerMove = (m: string, to: number) =>
          google.editDirectly(googleEventIdFor(m), { start: { dateTime: iso(to) }, end: { dateTime: iso(to + 20 * 60_000) } });
        for (const p of plan) {
          const seekerAt = p.at + 86_400_000;
          const ownerAt = p.at + 2 * 86_400_000;
          if (p.kind === 'seeker-moves') await rescheduleMeeting(s.ctx, { meeting: p.meeting, at: iso(seekerAt) });
          if (p.kind === 'seeker-cancels') await cancelMeeting(s.ctx, { meeting: p.meeting });
          if (p.kind === 'owner-moves') ownerMove(p.meeting, ownerAt);
          if (p.kind === 'owner-deletes') google.editDirectly(googleEventIdFor(p.meeting), { cancel: true });
          if (p.kind === 'seeker-then-owner') {
            await rescheduleMeeting(s.ctx, { meeting: p.meeting, at: iso(seekerAt) });
            await sleep(5);
            ownerMove(p.meeting, ownerAt);
          }
          if (p.kind === 'owner-then-seeker') {
            ownerMove(p.meeting, ownerAt);
            await sleep(5);
            await rescheduleMeeting(s.ctx, { meeting: p.meeting, at: iso(seekerAt) });
          }
          const last =
            p.kind === 'seeker-moves' || p.kind === 'owner-then-seeker'
              ? seekerAt
              : p.kind === 'owner-moves' || p.kind === 'seeker-then-owner'
                ? ownerAt
                : p.at;
          expected.set(p.meeting, p.kind === 'seeker-cancels' || p.kind === 'owner-deletes' ? { cancelled: true } : { start: last });
        }

        const emailOf = new Map(plan.map((p, i) => [p.meeting, `person${i}@contact.example`]));
        /** The confirmation the contact read last: the one they act on. */
        const lastConfirmation = (m: string) =>
          smtp.messages
            .map((mail, i) => ({ mail, i }))
            .filter(({ mail }) => mail.envelope.to.includes(emailOf.get(m)!) && /^Confirmed: /.test(mail.parsed.subject ?? ''))
            .sort((a, b) => (a.mail.parsed.date?.getTime() ?? 0) - (b.mail.parsed.date?.getTime() ?? 0) || a.i - b.i)
            .at(-1)?.mail.parsed.subject;
        const right = async (m: string) => {
          const want = expected.get(m)!;
          const event = google.events.find(googleEventIdFor(m));
          const { state } = await load(s.ctx, meetingAggregate, m);
          if ('cancelled' in want) return state.status === 'cancelled' && event?.status === 'cancelled';
          return (
            state.status === 'booked' &&
            Date.parse(state.booking!.start) === want.start &&
            event?.status === 'confirmed' &&
            Date.parse(event.start!.dateTime!) === want.start &&
            (lastConfirmation(m) ?? '').includes(humanTime(iso(want.start), 'Europe/London'))
          );
        };
        const until = Date.now() + faultScale(45_000, 150_000);
        let done = 0;
        for (;;) {
          done = 0;
          for (const p of plan) if (await right(p.meeting)) done += 1;
          if (done === plan.length || Date.now() > until) break;
          await sleep(300);
        }
        // A few more polls: nothing may move again once settled.
        await sleep(1_500);
        done = 0;
        for (const p of plan)
          if (await right(p.meeting)) done += 1;
          else
            console.error(
              'not right',
              p.kind,
              p.meeting,
              expected.get(p.meeting),
              google.events.find(googleEventIdFor(p.meeting))?.start,
              (await load(s.ctx, meetingAggregate, p.meeting)).state.booking,
              lastConfirmation(p.meeting),
            );
        const perMeeting = new Map<string, number>();
        for (const e of google.events.all()) {
          const m = e.extendedProperties?.private?.['meetingId'];
          if (m) perMeeting.set(m, (perMeeting.get(m) ?? 0) + 1);
        }
        let twice = [...perMeeting.values()].filter((c) => c > 1).length;
        for (const p of plan) {
          const created = (await s.store.readStream(`meeting-${p.meeting}`)).filter(
            (e) => e.type === 'CalendarEventCreated' && (e.data as { provider: string }).provider === 'google',
          );
          if (created.length > 1) twice += 1;
        }
        const due = plan.length;
        reportScenario({
          name: 'calendar-seeker-vs-owner',
          due,
          done,
          lost: due - done,
          twice,
          note: `${PER_CASE} meetings each: ${CASES.join(', ')}; ${tally['deferred'] ?? 0} deferred, ${tally['retrying'] ?? 0} retried, ${tally['failed'] ?? 0} failed effect jobs, ${tally['failed-poll'] ?? 0} failed polls; ${Date.now() - started} ms`,
        });
        expect(due - done).toBe(0);
        expect(twice).toBe(0);
        expect(tally['failed'] ?? 0).toBe(0);
      } finally {
        await reactor.stop();
        await worker.close();
        await email.close();
        await rt.close();
        await s.cleanup();
      }
    },
    faultScale(90_000, 240_000),
  );
});

import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startSmtpServer, type SmtpStandIn } from '../support/smtp-server.ts';
import { startCalendarStandIn, type CalendarStandIn } from '../support/google-calendar-standin/index.ts';
import { appSandbox } from '../support/app.ts';
import { configureAllHours } from '../support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, testPrefix } from '../support/pipeline.ts';
import { faultScale, reportScenario } from '../support/faults.ts';
import { killAll, seededRandom, sigkill, sleep, spawnOutreach, tail, waitUntil, type Child } from '../support/fault-procs.ts';
import { addContact } from '../../src/app/contact-commands.ts';
import { bookMeeting, holdMeeting, requestMeeting } from '../../src/app/meeting-commands.ts';
import { execute } from '../../src/app/handle.ts';
import { workspaceAggregate } from '../../src/app/aggregates.ts';
import { decideWorkspace } from '../../src/domain/workspace.ts';
import { saveRefreshToken, tokenStoreKeyFrom } from '../../src/infra/google/token-store.ts';
import { googleEventIdFor } from '../../src/app/effects/calendar/event-id.ts';

/*
 * The whole worker (reactor, email, calendar, projector) as a child process, killed with SIGKILL at
 * random moments and started again each time, then run once more until idle. Each meeting is booked
 * (the calendar worker inserts its Google event in the Calendar v3 stand-in) and, once its event is
 * recorded, held (the reactor then schedules its thank-you, due at once): both effects go through
 * the kills. Nothing may be lost; only effects in the named window (done at the provider, killed
 * before the result event was stored) may happen twice, and for calendar events the derived id
 * turns those into 409 reconciliations instead of second events.
 */

const N = faultScale(80, 500);
const KILLS = faultScale(5, 20);
/** Email and calendar jobs in flight at once in one worker process (runWorkers' and startCalendarWorker's default). */
const CONCURRENCY = 10;

const prefix = testPrefix();
let smtp: SmtpStandIn | undefined;
let google: CalendarStandIn | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterAll(async () => {
  killAll();
  await smtp?.stop();
  await google?.stop();
  await deleteKeys(prefix);
  await cleanup?.();
});

const past = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

describe(`the worker process killed with SIGKILL ${KILLS} times while ${N} meetings are synced and thanked`, () => {
  it(
    'loses nothing; only the named window repeats, bounded by kills × concurrency',
    async () => {
      const started = Date.now();
      const rnd = seededRandom();
      smtp = await startSmtpServer();
      google = await startCalendarStandIn();
      // The same master key as the worker processes get, for the store's sealed personal fields.
      const s = await appSandbox({ configure: false, env: { ...process.env, OUTREACH_SECRET_KEY: pipelineEnv(prefix, '', '').OUTREACH_SECRET_KEY } });
      // OUTREACH_FAULT_KEEP=1 keeps the data folder (events.db, worker.log) for a post-mortem.
      cleanup = process.env['OUTREACH_FAULT_KEEP'] ? async () => console.log(`kept ${s.dir}`) : s.cleanup;
      await configureAllHours(s.ctx, { dailyLimit: 10_000 });
      const env: Record<string, string> = { ...pipelineEnv(prefix, s.dir, smtp.url), ...google.env(), OUTREACH_WORKSPACE: 'test' };
      saveRefreshToken(s.dir, tokenStoreKeyFrom(env), 'test', {
        refreshToken: google.issueRefreshToken(),
        scope: 'https://www.googleapis.com/auth/calendar.events',
      });
      await execute(s.ctx, workspaceAggregate, 'test', ({ state }) =>
        decideWorkspace({ type: 'ConnectCalendar', calendarId: 'primary', now: s.ctx.clock() }, state),
      );

      // Booked an hour ago (so the confirmation and brief are skipped as too late), held later by the holder below.
      const meetings: string[] = [];
      for (let n = 0; n < N; n++) {
        const { id: contact } = await addContact(s.ctx, {
          name: `Person ${n} Example`,
          email: `person${n}@contact.example`,
          org: 'Northwind',
          role: 'Analyst',
          timezone: 'Europe/London',
        });
        const { id: meeting } = await requestMeeting(s.ctx, { contact, minutes: 20, channel: 'phone' });
        await bookMeeting(s.ctx, { meeting, at: past(60), past: true });
        meetings.push(meeting);
      }
      const ours = new Set(meetings);
      const setupMs = Date.now() - started;

      // The holder: a meeting is held once its Google event is recorded (a held meeting's event would be skipped as too late).
      const held = new Set<string>();
      let readFrom: bigint | null = null;
      const holdReady = async () => {
        let n = 0;
        for (;;) {
          const batch = await s.store.readAll({ after: readFrom, maxCount: 1000 });
          if (batch.length === 0) return n;
          readFrom = batch.at(-1)!.position;
          for (const e of batch) {
            if (e.type !== 'CalendarEventCreated' || (e.data as { provider: string }).provider !== 'google') continue;
            const meeting = e.stream.slice('meeting-'.length);
            if (!ours.has(meeting) || held.has(meeting)) continue;
            held.add(meeting);
            await holdMeeting(s.ctx, { meeting, at: past(35), minutes: 25, referrals: 2 });
            n += 1;
          }
        }
      };
      let holding = true;
      const holder = (async () => {
        while (holding) {
          await holdReady();
          await sleep(100);
        }
      })();

      const logFile = join(s.dir, 'worker.log');
      const deliveries = () => smtp!.messages.length + google!.calls.filter((c) => c.kind === 'insert').length;
      const kills: string[] = [];
      let child: Child | undefined;
      try {
        for (let k = 0; k < KILLS; k++) {
          child = spawnOutreach(['worker'], env, logFile);
          const at = deliveries();
          const spawnedAt = Date.now();
          if (rnd.next() < 0.5) {
            // 100–1500 ms after the worker is up (its startup, a second or so of module loading, is not counted).
            await child.started;
            await sleep(rnd.int(100, 1500));
          } else {
            // After a random number of deliveries in this life (or 15 s, if there is nothing left to deliver).
            const target = rnd.int(1, Math.max(1, Math.ceil((3 * N) / KILLS)));
            await waitUntil(() => deliveries() - at >= target || child!.proc.exitCode !== null, 15_000, 5);
          }
          await sigkill(child);
          kills.push(`${Date.now() - spawnedAt}ms/${deliveries() - at}`);
        }
        // Then to the end: until idle, again while the holder still found meetings to hold after the worker stopped.
        let finals = 0;
        for (;;) {
          finals += 1;
          child = spawnOutreach(['worker', '--until-idle'], env, logFile);
          const code = await Promise.race([child.exited, sleep(faultScale(60_000, 240_000)).then(() => 'timeout' as const)]);
          if (code !== 0) throw new Error(`final worker run ${finals}: ${code}\n${tail(logFile)}`);
          holding = false;
          await holder;
          const late = await holdReady();
          if (late === 0 || finals >= 4) break;
        }
        const elapsed = Date.now() - started;

        // Thank-yous: one result event per meeting, and how many Message-IDs the SMTP stand-in took twice.
        const streams = await Promise.all(meetings.map((m) => s.store.readStream(`meeting-${m}`)));
        const thanked = streams.map((st) => st.filter((e) => e.type === 'ThankYouSent').length);
        const perMessage = new Map<string, number>();
        for (const m of smtp.messages) perMessage.set(m.parsed.messageId!, (perMessage.get(m.parsed.messageId!) ?? 0) + 1);
        const thankTwice = [...perMessage.values()].filter((n) => n > 1).length;
        const thankYou = reportScenario({
          name: 'sigkill-worker-thank-you',
          due: N,
          done: thanked.filter((n) => n === 1).length,
          lost: thanked.filter((n) => n === 0).length,
          twice: thankTwice,
          note: `${KILLS} kills at ${kills.join(' ')} (ms after spawn/deliveries); seed ${rnd.seed}; ${finals} final run(s); setup ${setupMs} ms, total ${elapsed} ms`,
        });

        // Calendar: the event in the stand-in and one CalendarEventCreated per meeting; a second event for one meeting would be a duplicate.
        const created = streams.map(
          (st) => st.filter((e) => e.type === 'CalendarEventCreated' && (e.data as { provider: string }).provider === 'google').length,
        );
        const all = google.events.all();
        const perMeeting = new Map<string, number>();
        for (const e of all) {
          const m = e.extendedProperties?.private?.['meetingId'];
          if (m) perMeeting.set(m, (perMeeting.get(m) ?? 0) + 1);
        }
        const synced = meetings.map((m, i) => google!.events.find(googleEventIdFor(m))?.status === 'confirmed' && created[i]! >= 1);
        const inserts = google.calls.filter((c) => c.kind === 'insert');
        const conflicts = inserts.filter((c) => c.status === 409).length;
        const calendar = reportScenario({
          name: 'sigkill-worker-calendar',
          due: N,
          done: synced.filter(Boolean).length,
          lost: synced.filter((x) => !x).length,
          twice: [...perMeeting.values()].filter((n) => n > 1).length,
          note: `${inserts.length} inserts, ${conflicts} answered 409 and reconciled`,
        });

        expect(thankYou.lost, tail(logFile)).toBe(0);
        expect(thanked.every((n) => n === 1)).toBe(true);
        expect(perMessage.size).toBe(N);
        expect(thankYou.twice).toBeLessThanOrEqual(KILLS * CONCURRENCY);
        expect(calendar.lost, tail(logFile)).toBe(0);
        expect(created.every((n) => n === 1)).toBe(true);
        expect(calendar.twice).toBe(0);
        expect(conflicts).toBeLessThanOrEqual(KILLS * CONCURRENCY);
      } finally {
        holding = false;
        await holder.catch(() => undefined);
        if (child) await sigkill(child);
      }
    },
    faultScale(90_000, 900_000),
  );
});

/**
 * The calendar side end to end: MeetingBooked events → reactor → BullMQ calendar queue → calendar
 * worker → events.insert through Google's own client (@googleapis/calendar) → the Calendar v3
 * stand-in → CalendarEventCreated stored, against the same client inserting the same events (the
 * bodies the worker sent, under fresh ids) into the same stand-in, in the same run.
 *
 * - N meetings are requested by phone and booked before the workers start (not timed; the
 *   reactor's checkpoint is before the bookings, so the N MeetingBooked events are what it works
 *   through). Timed from the start of the reactor (the calendar worker is already connected and
 *   its client holds an access token) to the last CalendarEventCreated stored. Each booking also
 *   makes a `calendar-file` job on the same queue (an .ics written) and two email jobs (booking
 *   confirmation, prep brief) that wait in Redis: no email worker runs.
 * - The raw side: one client, its access token fetched first, N inserts with as many in flight as
 *   the worker's concurrency, timed from the first insert to the last answer.
 * - Two concurrencies, each its own benchmark: the worker's default of 10 jobs at once against 10
 *   raw inserts in flight, and 1 against 1 (sequential). A warm-up run of each side, then runs
 *   that alternate which side goes first; the run with the median ratio is reported.
 *
 * The stand-in runs in a worker thread, as Google runs on another machine: its request handling
 * does not take turns with either side's work on the main event loop.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CalendarEvent } from '../src/infra/google/calendar-client.ts';
import { defineBenchmark, median, medianBy, row, type BenchContext, type Benchmark } from './harness.ts';
import { startStandInThread, type StandInThread, type Taken } from './calendar-standin.ts';
import {
  bookAll,
  epochMs,
  InFlight,
  jobLog,
  openCalendarSandbox,
  rawBodies,
  rawClient,
  requestedMeetings,
  startCalendarPipeline,
  startWarmCalendarWorker,
  until,
  watchedClient,
} from './calendar-pipeline.ts';
import { startReactorWorker } from '../workers/reactor.ts';
import { percentile, withLimit } from './email-pipeline.ts';

const NAME = 'calendar: bookings synced per second';
const GOAL = '>= 0.7x raw';
const RUNS = 3;

/** `diagnose`: after the measured runs, where the time goes (progress lines only, no rows). */
type Setting = { name: string; concurrency: number; bookings: number; warmup: number; diagnose: boolean };
const SETTINGS: Setting[] = [
  { name: `${NAME}, 10 in flight`, concurrency: 10, bookings: 1000, warmup: 200, diagnose: true },
  { name: `${NAME}, sequential`, concurrency: 1, bookings: 500, warmup: 100, diagnose: false },
];

const ms = (x: number) => `${x.toFixed(1)} ms`;
const s = (msecs: number) => `${(msecs / 1000).toFixed(2)} s`;
const summary = (xs: number[]) => (xs.length ? `p50 ${ms(percentile(xs, 0.5))}, p90 ${ms(percentile(xs, 0.9))}, max ${ms(Math.max(...xs))}` : 'none');

/** The inserts a side made since the last take, checked: exactly `expected`, all 200. */
function checkInserts(taken: Taken, expected: number, what: string) {
  const ok = taken.inserts.filter((c) => c.status === 200).length;
  if (ok !== expected || taken.inserts.length !== expected) {
    throw new Error(`${what}: the stand-in answered ${taken.inserts.length} inserts (${ok} with 200), expected ${expected} with 200`);
  }
}

type Measured = { rate: number; busy: number; detail: string };

async function ours(
  bench: BenchContext,
  google: StandInThread,
  n: number,
  concurrency: number,
  sent?: CalendarEvent[],
  dropKinds?: string[],
): Promise<Measured> {
  const box = await openCalendarSandbox(bench.tempDir(), google, dropKinds ? { dropKinds } : {});
  try {
    await bookAll(box, await requestedMeetings(box, n));
    const { done, other, log } = jobLog();
    const inFlight = new InFlight();
    await google.take();
    bench.settle();
    const pipeline = await startCalendarPipeline(box, { concurrency, log, inFlight });
    let busy: number;
    try {
      await box.createdStored(n, Math.max(60_000, n * 60));
      busy = pipeline.busy();
    } finally {
      await pipeline.stop();
    }
    const end = box.created.at(-1)!;
    const secs = (end - pipeline.startedAt) / 1000;
    const taken = await google.take(sent ? n : 0);
    checkInserts(taken, n, 'pipeline');
    if (sent) sent.push(...taken.bodies);

    const trips = [...box.trips.values()];
    const last = (pick: (t: (typeof trips)[number]) => number | undefined) => Math.max(...trips.map((t) => pick(t) ?? NaN)) - pipeline.startedAt;
    const gaps = (a: keyof (typeof trips)[number], b: keyof (typeof trips)[number]) =>
      trips.filter((t) => t[a] !== undefined && t[b] !== undefined).map((t) => t[b]! - t[a]!);
    const files = dropKinds?.includes('calendar-file') ? 'dropped' : `${(done['calendar-file'] ?? []).filter((t) => t <= end).length}/${n}`;
    const unusual = Object.entries({ ...other, ...taken.others })
      .filter(([k]) => !['token 200', 'get 404'].includes(k))
      .map(([k, v]) => `${k} ${v}`);
    const detail = [
      `reactor's last schedule call with a google-create returned at ${s(last((t) => t.scheduled))}, last insert answered at ${s(last((t) => t.insertEnd))}, last CalendarEventCreated stored at ${s(end - pipeline.startedAt)}`,
      `per booking: insert ${summary(gaps('insertStart', 'insertEnd'))}; insert answered → CalendarEventCreated stored ${summary(gaps('insertEnd', 'stored'))}`,
      `inserts in flight at most ${inFlight.max}; calendar-file jobs done by then ${files}${unusual.length ? `; note: ${unusual.join(', ')}` : ''}`,
    ].join('\n    ');
    return { rate: n / secs, busy, detail };
  } finally {
    await box.close();
  }
}

async function raw(bench: BenchContext, google: StandInThread, n: number, concurrency: number, sent: CalendarEvent[]): Promise<Measured> {
  const inFlight = new InFlight();
  const client = watchedClient(await rawClient(google), new Map(), inFlight);
  const bodies = rawBodies(sent, n, randomUUID);
  await google.take();
  bench.settle();
  const latencies: number[] = [];
  const elu = performance.eventLoopUtilization();
  const t0 = epochMs();
  await withLimit(n, concurrency, async (i) => {
    const started = epochMs();
    await client.insertEvent('primary', bodies[i]!);
    latencies.push(epochMs() - started);
  });
  const secs = (epochMs() - t0) / 1000;
  const busy = performance.eventLoopUtilization(elu).utilization;
  checkInserts(await google.take(), n, 'raw client');
  return { rate: n / secs, busy, detail: `insert ${summary(latencies)}; in flight at most ${inFlight.max}` };
}

/**
 * Where the time goes, in two runs that are not the benchmark's figure:
 * 1. The stages one after the other over the same N bookings: the reactor alone (no worker running)
 *    until every google-create job is scheduled, then the calendar worker alone over the queue it
 *    left: google-create jobs go first (priority 1), the calendar-file jobs (priority 2) after them.
 * 2. The pipeline as measured, except that the reactor's calendar-file jobs are dropped instead of
 *    scheduled: what the rest of the pipeline does without writing .ics files.
 */
async function diagnose(bench: BenchContext, google: StandInThread, setting: Setting, rawRate: number) {
  const n = setting.bookings;
  const box = await openCalendarSandbox(bench.tempDir(), google);
  try {
    await bookAll(box, await requestedMeetings(box, n));
    const { done, log } = jobLog();
    const trips = [...box.trips.values()];
    bench.settle();
    let elu = performance.eventLoopUtilization();
    const t0 = epochMs();
    const reactor = await startReactorWorker(box.rt, log);
    await until(() => trips.every((t) => t.scheduled !== undefined), n * 100, 'reactor alone');
    const reactorSecs = (epochMs() - t0) / 1000;
    const reactorBusy = performance.eventLoopUtilization(elu).utilization;
    await reactor.stop();

    const worker = await startWarmCalendarWorker(box, { concurrency: setting.concurrency, log, inFlight: new InFlight() });
    elu = performance.eventLoopUtilization();
    const t1 = epochMs();
    await box.createdStored(n, n * 100);
    const createSecs = (box.created.at(-1)! - t1) / 1000;
    await until(() => (done['calendar-file']?.length ?? 0) >= n, n * 100, 'calendar-file jobs');
    const fileSecs = (done['calendar-file']!.at(-1)! - box.created.at(-1)!) / 1000;
    const workerBusy = performance.eventLoopUtilization(elu).utilization;
    await worker.close();
    checkInserts(await google.take(), n, 'stages');
    const perBooking = (secs: number) => `${((secs * 1000) / n).toFixed(2)} ms a booking`;
    bench.progress(
      `diagnosis, stages one after the other over ${n} bookings (main thread ${Math.round(reactorBusy * 100)}% busy in the reactor, ${Math.round(workerBusy * 100)}% in the worker):`,
    );
    bench.progress(
      `  reactor alone ${s(reactorSecs * 1000)} (${Math.round(n / reactorSecs)} bookings/s, ${perBooking(reactorSecs)}); worker alone: google-create jobs ${s(createSecs * 1000)} (${Math.round(n / createSecs)}/s, ${perBooking(createSecs)}), then calendar-file jobs ${s(fileSecs * 1000)} (${Math.round(n / fileSecs)}/s, ${perBooking(fileSecs)})`,
    );
  } finally {
    await box.close();
  }
  const o = await ours(bench, google, n, setting.concurrency, undefined, ['calendar-file']);
  bench.progress(
    `diagnosis, the pipeline with the calendar-file jobs dropped: ${n} bookings synced at ${Math.round(o.rate)}/s (main thread ${Math.round(o.busy * 100)}% busy), ${(o.rate / rawRate).toFixed(2)}x the median raw rate`,
  );
  bench.progress(`  ${o.detail}`);
}

const throughput = (setting: Setting) => async (bench: BenchContext) => {
  const google = await startStandInThread();
  const measured: { rate: number; raw: number }[] = [];
  try {
    const sent: CalendarEvent[] = [];
    // The warm-up run goes ours first: it gives the raw side the bodies the worker sent.
    for (let run = 0; run <= RUNS; run++) {
      const n = run === 0 ? setting.warmup : setting.bookings;
      const oursSide = () => ours(bench, google, n, setting.concurrency, run === 0 ? sent : undefined);
      const rawSide = () => raw(bench, google, n, setting.concurrency, sent);
      let o: Measured;
      let r: Measured;
      if (run % 2 === 0) {
        o = await oursSide();
        r = await rawSide();
      } else {
        r = await rawSide();
        o = await oursSide();
      }
      if (run === 0) continue;
      measured.push({ rate: o.rate, raw: r.rate });
      // The main thread's busy share says whether a side was held up by CPU (near 100%) or by waiting.
      bench.progress(
        `run ${run}/${RUNS}${run % 2 === 1 ? ' (raw first)' : ''}: ${n} bookings synced at ${Math.round(o.rate)}/s (main thread ${Math.round(o.busy * 100)}% busy), raw client ${Math.round(r.rate)} inserts/s (${Math.round(r.busy * 100)}% busy): ${(o.rate / r.rate).toFixed(2)}x`,
      );
      bench.progress(`  ours: ${o.detail}`);
      bench.progress(`  raw:  ${r.detail}`);
    }
    bench.progress(`ratios ${measured.map((m) => (m.rate / m.raw).toFixed(2)).join(', ')} (median ${median(measured.map((m) => m.rate / m.raw)).toFixed(2)})`);
    if (setting.diagnose) await diagnose(bench, google, setting, median(measured.map((m) => m.raw)));
  } finally {
    await google.stop();
  }
  const mid = medianBy(measured, (m) => m.rate / m.raw);
  return [row(setting.name, mid.rate, 'bookings/s', mid.raw, GOAL)];
};

export const calendarBenchmarks: Benchmark[] = SETTINGS.map((setting) => defineBenchmark(setting.name, throughput(setting)));

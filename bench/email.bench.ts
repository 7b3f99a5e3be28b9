/**
 * The email side end to end: MeetingHeld events → reactor → BullMQ → email worker (pooled
 * nodemailer SMTP transport) → a real smtp-server on loopback, against raw nodemailer sending the
 * same messages through a pool of the same size to the same server, in the same run.
 *
 * - Throughput: N meetings are booked and held before the workers start (not timed; the reactor's
 *   checkpoint is past the bookings, so the held events are what it works through). Timed from
 *   the start of the workers to the last ThankYouSent stored; the raw side from its first sendMail
 *   to its last accepted reply, with as many sends in flight as the worker's concurrency.
 *   Runs alternate which side goes first; the run with the median ratio is reported.
 * - Latency: with the workers running, meetings are held (their thank-you due at once) at an
 *   offered 100 a second; each is timed from the holdMeeting call to the moment the server has the
 *   message's DATA. The raw side sends the same messages at the same rate, timed from sendMail to
 *   the same moment. Rounds of each alternate.
 *
 * Both sides open their pool's connections before timing (smtp-server greets a new connection
 * only after 100 ms). The server runs in a worker thread, as a provider runs on another machine.
 */
import { performance } from 'node:perf_hooks';
import type { SendMailOptions } from 'nodemailer';
import { defineBenchmark, medianBy, row, type Benchmark } from './harness.ts';
import { startSmtpSink, hrMs, type Accepted, type SmtpSink } from './smtp-sink.ts';
import {
  bookedMeetings,
  hold,
  openEmailSandbox,
  paced,
  percentile,
  rawPool,
  startPipeline,
  tallyLog,
  unusual,
  withLimit,
  type Booked,
} from './email-pipeline.ts';

const CONCURRENCY = 20;
const THROUGHPUT = 'email: thank-yous per second';
const MESSAGES = 1500;
const WARMUP_MESSAGES = 300;
const RUNS = 3;

const LATENCY = 'email: latency MeetingHeld → SMTP accepted at 100 msgs/s';
const RATE = 100;
const ROUND = 500;
const ROUNDS = 2;
const WARMUP_ROUND = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const toContact = (a: Accepted) => a.to.endsWith('@contact.example');
const fmtMs = (ms: number) => `${ms.toFixed(1)} ms`;

/** The messages the worker sent, for the raw side: copies (nodemailer keeps what it is given), to new recipients when asked. */
function rawMessages(sent: SendMailOptions[], count: number, recipient?: (i: number) => string): SendMailOptions[] {
  if (sent.length === 0) throw new Error('the worker sent no messages to copy');
  return Array.from({ length: count }, (_, i) => {
    const m = structuredClone(sent[i % sent.length]!);
    if (recipient) m.to = { name: `Person ${i} Example`, address: recipient(i) };
    return m;
  });
}

/** The messages the server accepted since the last take, checked to be `expected` in number. */
async function acceptedOnly(sink: SmtpSink, expected: number, what: string): Promise<Accepted[]> {
  const accepted = (await sink.take()).accepted.filter(toContact);
  if (accepted.length !== expected) throw new Error(`${what}: the server accepted ${accepted.length} messages, expected ${expected}`);
  return accepted;
}

/** Connections a round's messages came over that no earlier round used: pools re-open theirs every 100 messages. */
const newConnections = (accepted: Accepted[], seen: Set<number>) => {
  const fresh = new Set(accepted.map((a) => a.connection).filter((c) => !seen.has(c)));
  for (const c of fresh) seen.add(c);
  return fresh.size;
};

async function throughput(bench: Parameters<Benchmark['run']>[0]) {
  const sink = await startSmtpSink();
  const measured: { rate: number; raw: number }[] = [];
  let sent: SendMailOptions[] = [];
  try {
    const ours = async (n: number, capture: boolean) => {
      const box = await openEmailSandbox(bench.tempDir(), sink.url);
      try {
        for (const b of await bookedMeetings(box.ctx, 0, n)) await hold(box.ctx, b.meeting);
        const { tally, log } = tallyLog();
        await sink.take();
        bench.settle();
        const elu0 = performance.eventLoopUtilization();
        const pipeline = await startPipeline(box.rt, { concurrency: CONCURRENCY, log, ...(capture ? { sent: (m: SendMailOptions) => sent.push(m) } : {}) });
        try {
          await box.thankYousStored(n, Math.max(60_000, n * 20));
        } finally {
          await pipeline.stop();
        }
        const secs = (box.thankYous.at(-1)! - pipeline.startedAt) / 1000;
        const busy = performance.eventLoopUtilization(elu0).utilization;
        await acceptedOnly(sink, n, 'pipeline');
        if (unusual(tally)) bench.progress(`note: the worker logged ${unusual(tally)}`);
        return { rate: n / secs, busy };
      } finally {
        await box.close();
      }
    };
    const raw = async (n: number) => {
      const transporter = await rawPool(sink.url);
      const batch = rawMessages(sent, n);
      await sink.take();
      bench.settle();
      const elu0 = performance.eventLoopUtilization();
      const t0 = hrMs();
      await withLimit(n, CONCURRENCY, (i) => transporter.sendMail(batch[i]!));
      const secs = (hrMs() - t0) / 1000;
      const busy = performance.eventLoopUtilization(elu0).utilization;
      transporter.close();
      await acceptedOnly(sink, n, 'raw nodemailer');
      return { rate: n / secs, busy };
    };
    // The warm-up run goes ours first: it gives the raw side the messages the worker sent.
    for (let run = 0; run <= RUNS; run++) {
      const n = run === 0 ? WARMUP_MESSAGES : MESSAGES;
      let o: { rate: number; busy: number };
      let r: { rate: number; busy: number };
      if (run % 2 === 0) {
        o = await ours(n, run === 0);
        r = await raw(n);
      } else {
        r = await raw(n);
        o = await ours(n, false);
      }
      if (run === 0) continue;
      measured.push({ rate: o.rate, raw: r.rate });
      // The main thread's busy share says whether a side was held up by CPU (near 100%) or by waiting.
      bench.progress(
        `run ${run}/${RUNS}: ${n} thank-yous at ${Math.round(o.rate)} msgs/s (main thread ${Math.round(o.busy * 100)}% busy), raw nodemailer ${Math.round(r.rate)} msgs/s (${Math.round(r.busy * 100)}% busy): ${(o.rate / r.rate).toFixed(2)}x`,
      );
    }
  } finally {
    await sink.stop();
  }
  const mid = medianBy(measured, (m) => m.rate / m.raw);
  return [row(THROUGHPUT, mid.rate, 'msgs/s', mid.raw, '>= 0.7x raw')];
}

async function latency(bench: Parameters<Benchmark['run']>[0]) {
  const sink = await startSmtpSink();
  try {
    const box = await openEmailSandbox(bench.tempDir(), sink.url);
    try {
      const booked = await bookedMeetings(box.ctx, 0, WARMUP_ROUND + ROUNDS * ROUND);
      const { tally, log } = tallyLog();
      const sent: SendMailOptions[] = [];
      /** When the worker handed each recipient's message to the transport. */
      const sendCalls = new Map<string, number>();
      const pipeline = await startPipeline(box.rt, {
        concurrency: CONCURRENCY,
        log,
        sent: (m) => {
          sendCalls.set((m.to as { address: string }).address, hrMs());
          if (sent.length < WARMUP_ROUND) sent.push(m);
        },
      });
      const transporter = await rawPool(sink.url);
      try {
        await sink.take();
        const stages = { toSend: [] as number[], toAccept: [] as number[], toStored: [] as number[] };
        const seenConnections = new Set<number>();
        const opened = { ours: 0, raw: 0 };
        const oursRound = async (meetings: Booked[]) => {
          const called = new Map<string, number>();
          const before = box.thankYous.length;
          const stored = box.thankYousStored(before + meetings.length, 60_000);
          stored.catch(() => undefined); // awaited below; not an unhandled rejection if a hold fails first
          await paced(meetings.length, RATE, (i) => {
            called.set(meetings[i]!.email, hrMs());
            return hold(box.ctx, meetings[i]!.meeting);
          });
          await stored;
          const accepted = await acceptedOnly(sink, meetings.length, 'pipeline');
          opened.ours += newConnections(accepted, seenConnections);
          const storedAt = box.thankYous.slice(before).sort((a, b) => a - b);
          const acceptedAt = accepted.map((a) => a.at).sort((a, b) => a - b);
          for (const a of accepted) {
            stages.toSend.push(sendCalls.get(a.to)! - called.get(a.to)!);
            stages.toAccept.push(a.at - sendCalls.get(a.to)!);
          }
          // ThankYouSent events carry no address: the k-th stored is paired with the k-th accepted.
          storedAt.forEach((t, k) => stages.toStored.push(t - acceptedAt[k]!));
          return accepted.map((a) => a.at - called.get(a.to)!);
        };
        const rawRound = async (round: number) => {
          const recipient = (i: number) => `raw${round}-${i}@contact.example`;
          const batch = rawMessages(sent, ROUND, recipient);
          const called = new Map<string, number>();
          await paced(ROUND, RATE, (i) => {
            called.set(recipient(i), hrMs());
            return transporter.sendMail(batch[i]!);
          });
          const accepted = await acceptedOnly(sink, ROUND, 'raw nodemailer');
          opened.raw += newConnections(accepted, seenConnections);
          return accepted.map((a) => a.at - called.get(a.to)!);
        };
        const summary = (xs: number[]) => `p50 ${fmtMs(percentile(xs, 0.5))}, p99 ${fmtMs(percentile(xs, 0.99))}, max ${fmtMs(Math.max(...xs))}`;

        // Warm-up at the offered rate; it also gives the raw side the messages the worker sent.
        await oursRound(booked.slice(0, WARMUP_ROUND));
        stages.toSend.length = stages.toAccept.length = stages.toStored.length = 0;
        opened.ours = 0;
        const ours: number[] = [];
        const raw: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const meetings = booked.slice(WARMUP_ROUND + round * ROUND, WARMUP_ROUND + (round + 1) * ROUND);
          const sides = [
            async () => {
              const l = await oursRound(meetings);
              ours.push(...l);
              bench.progress(`round ${round + 1}/${ROUNDS}: ours ${summary(l)}`);
            },
            async () => {
              const l = await rawRound(round);
              raw.push(...l);
              bench.progress(`round ${round + 1}/${ROUNDS}: raw nodemailer ${summary(l)}`);
            },
          ];
          if (round % 2 === 1) sides.reverse();
          for (const side of sides) {
            bench.settle();
            await side();
            await sleep(200);
          }
        }
        bench.progress(
          `ours by stage: holdMeeting call → worker calls the transport ${summary(stages.toSend)}; → server has the DATA ${summary(stages.toAccept)}; → ThankYouSent stored ${summary(stages.toStored)}`,
        );
        bench.progress(`SMTP connections opened while measuring (the pool replaces a connection after 100 messages): ours ${opened.ours}, raw ${opened.raw}`);
        if (unusual(tally)) bench.progress(`note: the worker logged ${unusual(tally)}`);
        const goal = 'ratio: ours/raw p99, lower is better';
        return [
          row(`${LATENCY}: p50`, percentile(ours, 0.5), 'ms', percentile(raw, 0.5), `info (${goal.replace('p99', 'p50')})`),
          row(`${LATENCY}: p99`, percentile(ours, 0.99), 'ms', percentile(raw, 0.99), `< 100 ms (${goal})`),
        ];
      } finally {
        transporter.close();
        await pipeline.stop();
      }
    } finally {
      await box.close();
    }
  } finally {
    await sink.stop();
  }
}

export const emailBenchmarks: Benchmark[] = [defineBenchmark(THROUGHPUT, throughput), defineBenchmark(LATENCY, latency)];

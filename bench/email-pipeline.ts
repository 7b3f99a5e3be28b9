/**
 * What the email benchmarks share: a workspace on a fresh SQLite file with its own Redis key
 * prefix, booked meetings, the reactor and email worker started as `outreach worker` starts them,
 * and the raw nodemailer pool of the baseline.
 */
import { randomUUID } from 'node:crypto';
import { arrivals } from './arrivals.ts';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { systemClock } from '../src/app/clock.ts';
import { addContact } from '../src/app/contact-commands.ts';
import type { AppContext } from '../src/app/handle.ts';
import { bookMeeting, holdMeeting, requestMeeting } from '../src/app/meeting-commands.ts';
import { REACTOR_CONSUMER } from '../src/app/reactor/runner.ts';
import type { Log } from '../src/app/log.ts';
import { callbackLog } from '../tests/support/tally-log.ts';
import type { EventStore, NewEvent } from '../src/eventstore/port.ts';
import { openSqliteEventStore } from '../src/eventstore/sqlite/store.ts';
import { sealedStore } from './sealed-store.ts';
import { emailWiringFrom } from '../src/main/email.ts';
import type { Runtime } from '../src/main/runtime.ts';
import { DEFAULT_MAX_REQUEUES, DEFAULT_POOL_SIZE } from '../src/infra/mail/transport.ts';
import { emailWorker, reactorWorker } from '../src/main/workers.ts';
import { configureAllHours } from '../tests/support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, testRuntime } from '../tests/support/pipeline.ts';
import { hrMs } from './smtp-sink.ts';

export const POOL_SIZE = DEFAULT_POOL_SIZE;

/** A Redis key prefix of this run's own: the shared Redis is never flushed, only these keys deleted. */
export const benchPrefix = () => `outreach-bench-${randomUUID().slice(0, 8)}`;

const isoMinutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export type Booked = { meeting: string; email: string };

/**
 * A workspace (business hours all day, a daily limit of 10,000) on a fresh SQLite file, and the
 * runtime over it with a prefix of its own. The runtime sees the store through `observed`, which
 * notes when each ThankYouSent is stored; commands of the benchmark go through `ctx` (the store itself).
 */
export async function openEmailSandbox(dir: string, smtpUrl: string) {
  // Sealed as the workers run it: every contact read opens their sealed name and address.
  const store = sealedStore(openSqliteEventStore(join(dir, 'events.db')), join(dir, 'keys.db'));
  const ctx: AppContext = { store, clock: systemClock, workspaceId: 'bench', actor: 'bench' };
  await configureAllHours(ctx, { dailyLimit: 10_000 });
  const prefix = benchPrefix();
  const env = pipelineEnv(prefix, dir, smtpUrl);
  const thankYous = arrivals('ThankYouSent events');
  const observed: EventStore = {
    ...store,
    async append(stream, events, opts) {
      const result = await store.append(stream, events, opts);
      if (result.position !== null && events.some((e: NewEvent) => e.type === 'ThankYouSent')) {
        thankYous.record(hrMs());
      }
      return result;
    },
  };
  let rt: Runtime;
  try {
    rt = await testRuntime(observed, dir, env);
  } catch (e) {
    await store.close();
    throw e;
  }
  return {
    store,
    ctx,
    prefix,
    rt,
    /** hrMs() of each ThankYouSent stored, in order. */
    thankYous: thankYous.times,
    /** Resolves when `count` ThankYouSent events in all are stored; rejects after timeoutMs. */
    thankYousStored: thankYous.reached,
    async close() {
      try {
        await rt.close();
        await store.close();
      } finally {
        await deleteKeys(prefix);
      }
    },
  };
}

/**
 * Contacts with a meeting requested by phone (so no request email) and booked an hour ago. The
 * reactor's checkpoint is then moved past them: the benchmark's MeetingHeld events are all it sees.
 */
export async function bookedMeetings(ctx: AppContext, from: number, count: number): Promise<Booked[]> {
  const booked: Booked[] = [];
  const at = isoMinutesAgo(60).replace(/\.\d+Z$/, 'Z');
  for (let n = from; n < from + count; n++) {
    const email = `person${n}@contact.example`;
    const { id: contact } = await addContact(ctx, { name: `Person ${n} Example`, email, org: 'Northwind', role: 'Analyst', timezone: 'Europe/London' });
    const { id: meeting } = await requestMeeting(ctx, { contact, minutes: 20, channel: 'phone' });
    await bookMeeting(ctx, { meeting, at, past: true });
    booked.push({ meeting, email });
  }
  const head = await ctx.store.headPosition();
  if (head !== null) await ctx.store.saveCheckpoint(REACTOR_CONSUMER, head);
  return booked;
}

/** Held 35 minutes ago, 25 minutes long: the thank-you (1 s after, in business hours all day) is due at once. */
export const hold = (ctx: AppContext, meeting: string) => holdMeeting(ctx, { meeting, at: isoMinutesAgo(35), minutes: 25, referrals: 2 });

/** Counts what the workers log (sent, skipped, retrying, failed, deferred...). */
export function tallyLog() {
  const tally: Record<string, number> = {};
  const log: Log = callbackLog((event) => {
    tally[event] = (tally[event] ?? 0) + 1;
  });
  return { tally, log };
}

/** The log said something other than "sent" (and the start and stop lines): worth a line in the output. */
export const unusual = (tally: Record<string, number>) =>
  Object.entries(tally)
    .filter(([k]) => !['sent', 'started', 'stopping', 'stopped'].includes(k))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

const warmupMail = (i: number): SendMailOptions => ({
  from: 'sam@seeker.example',
  to: `warmup${i}@bench.example`,
  subject: 'warm-up',
  text: 'Opens a pooled connection.',
});

/** One message per pooled connection, all at once, so the pool has its connections open before timing. */
export const warmPool = (send: (m: SendMailOptions) => Promise<unknown>) => Promise.all(Array.from({ length: POOL_SIZE }, (_, i) => send(warmupMail(i))));

/**
 * The reactor and the email worker, as `runWorkers(rt, { only: ['reactor', 'email'] })` starts
 * them (src/main/workers.ts), with the SMTP pool opened before they start. `sent` sees each
 * message the worker hands to the transport (to give the baseline the same messages).
 */
export async function startPipeline(rt: Runtime, opts: { concurrency: number; log: Log; sent?: (m: SendMailOptions) => void }) {
  const deps = emailWiringFrom(rt.config, rt.env);
  await warmPool((m) => deps.transport.send(m));
  if (opts.sent) {
    const send = deps.transport.send.bind(deps.transport);
    const seen = opts.sent;
    deps.transport.send = (m) => {
      seen(m);
      return send(m);
    };
  }
  const startedAt = hrMs();
  const reactor = await reactorWorker(rt, opts.log);
  const email = emailWorker(rt, { wiring: deps, log: opts.log, concurrency: opts.concurrency });
  return {
    startedAt,
    async stop() {
      await reactor.stop();
      await email.close();
      await deps.transport.close();
    },
  };
}

/** Raw nodemailer: a pooled SMTP transport with the options the project's transport uses. */
export async function rawPool(url: string): Promise<Transporter> {
  const transporter = nodemailer.createTransport({
    pool: true,
    url,
    maxConnections: POOL_SIZE,
    maxRequeues: DEFAULT_MAX_REQUEUES,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    tls: { rejectUnauthorized: true },
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  await warmPool((m) => transporter.sendMail(m));
  return transporter;
}

/** Calls `fn(i)` for i < count with at most `limit` calls in flight. */
export async function withLimit(count: number, limit: number, fn: (i: number) => Promise<unknown>) {
  let next = 0;
  const lane = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

/**
 * Calls `fn(i)` at `perSecond` for i < count, on a fixed schedule from the start (a late call does
 * not delay the next ones), without waiting for the calls; resolves when they have all settled.
 */
export async function paced(count: number, perSecond: number, fn: (i: number) => Promise<unknown>) {
  const start = hrMs();
  const interval = 1000 / perSecond;
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = start + i * interval - hrMs();
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
    calls.push(fn(i));
  }
  await Promise.all(calls);
}

/** The value at the given quantile, nearest rank. */
export function percentile(xs: number[], q: number): number {
  if (xs.length === 0) throw new Error('percentile of nothing');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

import type { Log } from '../app/log.ts';
import { effectWorkerOptions } from '../infra/queue/worker-options.ts';
import { retryBudgetFrom } from '../infra/queue/retry-budget.ts';
import { isIdle } from '../infra/queue/idle.ts';
import { startHeartbeat } from '../infra/queue/heartbeat.ts';
import { redisSyncTokens } from '../infra/queue/sync-tokens.ts';
import { refreshPollSchedules } from '../infra/queue/scheduler.ts';
import { startCalendarWorker } from '../../workers/calendar.ts';
import { startEmailWorker } from '../../workers/email.ts';
import { startProjectorWorker } from '../../workers/projector.ts';
import { startReactorWorker } from '../../workers/reactor.ts';
import { calendarWiringFrom, type CalendarWiring } from './calendar.ts';
import { emailWiringFrom, type EmailWiring } from './email.ts';
import { createLogger, silentLogger } from './logger.ts';
import { mailboxWiringFrom, mailboxWorker } from './mailbox.ts';
import type { Runtime } from './runtime.ts';

export { WORKERS } from './worker-names.ts';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const reactorWorker = (rt: Runtime, log: Log) =>
  startReactorWorker({ store: rt.store, clock: rt.clock, scheduler: rt.scheduler }, log.child({ worker: 'reactor' }));

export function emailWorker(rt: Runtime, opts: { wiring: EmailWiring; log: Log; concurrency?: number | undefined; ratePerSecond?: number | undefined }) {
  const { wiring } = opts;
  return startEmailWorker({
    email: {
      store: rt.store,
      clock: rt.clock,
      sender: wiring.sender,
      counter: rt.counter,
      messageDomain: wiring.messageDomain,
      calendarSendsInvites: wiring.calendarSendsInvites,
    },
    erase: { store: rt.store, eraser: wiring.eraser },
    connection: rt.workerConnection(),
    prefix: rt.prefix,
    options: effectWorkerOptions(rt.env),
    retry: retryBudgetFrom(rt.env),
    log: opts.log.child({ worker: 'email' }),
    concurrency: opts.concurrency,
    ratePerSecond: opts.ratePerSecond,
  });
}

export function calendarWorker(rt: Runtime, opts: { wiring: CalendarWiring; log: Log; concurrency?: number | undefined }) {
  const { wiring } = opts;
  const log = opts.log.child({ worker: 'calendar' });
  return startCalendarWorker({
    calendar: {
      store: rt.store,
      clock: rt.clock,
      executor: wiring.executor,
      messageDomain: wiring.messageDomain,
      rateLimitWaitMs: wiring.rateLimitWaitMs,
      google: wiring.google ? { calendarId: wiring.google.calendarId, sendUpdates: wiring.google.sendUpdates } : undefined,
    },
    poller: { store: rt.store, clock: rt.clock, queue: rt.queues.calendar, tokens: redisSyncTokens(rt.producer, rt.prefix), google: wiring.google, log },
    connection: rt.workerConnection(),
    prefix: rt.prefix,
    options: effectWorkerOptions(rt.env),
    retry: retryBudgetFrom(rt.env),
    log,
    concurrency: opts.concurrency,
  });
}

export const projectorWorker = (rt: Pick<Runtime, 'store' | 'config'>, log: Log) =>
  startProjectorWorker({ store: rt.store, dataDir: rt.config.dataDir, log: log.child({ worker: 'projector' }) });

/** A log that also counts each event, for the summary a run ends with. */
function counting(log: Log, tally: Record<string, number>): Log {
  const wrap = (inner: Log): Log => {
    const at = (level: 'debug' | 'info' | 'warn' | 'error') => (fields: Record<string, unknown>, event: string) => {
      tally[event] = (tally[event] ?? 0) + 1;
      inner[level](fields, event);
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => wrap(inner.child(b)) };
  };
  return wrap(log);
}

export type RunWorkersOptions = {
  only: readonly string[];
  untilIdle: boolean;
  json: boolean;
  concurrency?: number;
  quiet?: boolean;
  /** Where the lines go instead of a logger made here. */
  log?: Log;
  /**
   * One of several worker processes (`--processes`): with untilIdle, say whether this one is idle
   * now, over and over, and stop when told; the parent decides when all of them are.
   */
  coordinated?: { report(idle: boolean, head: string | null): void; stop: Promise<void> };
};

/** Runs the chosen workers until a signal (or, with untilIdle, until nothing is due now). Returns how many times each thing happened. */
export async function runWorkers(rt: Runtime, opts: RunWorkersOptions) {
  const tally: Record<string, number> = {};
  const base = opts.log ?? (opts.quiet ? silentLogger() : createLogger({ json: opts.json }));
  const log = counting(base, tally);
  // Everything that can fail on configuration (templates, transport) is built before anything starts.
  const emailWiring = opts.only.includes('email') ? emailWiringFrom(rt.config, rt.env, log.child({ worker: 'email' })) : null;
  const calendarWiring = opts.only.includes('calendar') ? calendarWiringFrom(rt.config, rt.env) : null;
  const mailboxWiring = opts.only.includes('mailbox') ? mailboxWiringFrom(rt.env, rt.config) : null;
  // Listen for a signal before anything starts: a job handled during start-up may log before 'started'.
  const signal = stopSignal(log);
  const reactor = opts.only.includes('reactor') ? await reactorWorker(rt, log).catch(signal.rethrow) : null;
  const rate = Number(rt.env['SMTP_RATE_LIMIT'] || 0);
  const email = emailWiring
    ? emailWorker(rt, { wiring: emailWiring, log, concurrency: opts.concurrency ?? 10, ratePerSecond: rate > 0 ? rate : undefined })
    : null;
  if (calendarWiring) await refreshPollSchedules(rt.queues.calendar, rt.pollEveryMs).catch(signal.rethrow);
  const calendar = calendarWiring ? calendarWorker(rt, { wiring: calendarWiring, log }) : null;
  const projector = opts.only.includes('projector') ? projectorWorker(rt, base) : null;
  const mailbox = mailboxWiring ? mailboxWorker(rt, mailboxWiring, log.child({ worker: 'mailbox' })) : null;
  // A projector that stopped on an event it cannot apply has logged why; untilIdle must not wait for it.
  let projectorStopped = false;
  projector?.done.catch(() => {
    projectorStopped = true;
  });
  log.info({ workers: opts.only.join(','), store: rt.store.kind, queuePrefix: rt.prefix }, 'started');
  // The dashboard and /readyz tell from this whether emails are going out.
  const heartbeat = startHeartbeat(rt.producer, rt.prefix, mailbox ? opts.only : opts.only.filter((w) => w !== 'mailbox'));
  if (emailWiring) {
    log.info(
      emailWiring.unsubscribe === 'one-click'
        ? { form: 'one-click', why: 'OUTREACH_PUBLIC_URL is https' }
        : { form: 'mailto', why: 'OUTREACH_PUBLIC_URL is not an https URL: contacts are offered a mailto: to the seeker, never a link they cannot reach' },
      'unsubscribe',
    );
  }

  const stopped = new Promise<void>((resolve) => {
    const finish = () => {
      signal.dispose();
      resolve();
    };
    void signal.received.then(finish);
    if (!opts.untilIdle) return;
    void (async () => {
      // One pass over the mailbox: what it records (a reply, a bounce) is then reacted to before the run ends.
      if (mailbox) await mailbox.firstPass;
      if (reactor) await reactor.caughtUp;
      // Only the queues this process works on: jobs for a worker that is not running here wait for it.
      const queues = [...(email ? [rt.queues.email] : []), ...(calendar ? [rt.queues.calendar] : [])];
      let told = false;
      void opts.coordinated?.stop.then(() => {
        told = true;
      });
      for (let quiet = 0; quiet < 3 && !told; ) {
        await sleep(150);
        const head = await rt.store.headPosition();
        const logsDone =
          (!reactor || head === null || (reactor.position() ?? 0n) >= head) &&
          (!projector || projectorStopped || head === null || (projector.position() ?? 0n) >= head);
        const idle = logsDone && (await isIdle(queues, Date.now()));
        if (opts.coordinated) opts.coordinated.report(idle, head === null ? null : head.toString());
        else quiet = idle ? quiet + 1 : 0;
      }
      finish();
    })();
  });
  await stopped;
  await heartbeat.stop();
  // Stop taking work, let active jobs finish, but never hang a shutdown.
  await mailbox?.stop();
  await reactor?.stop();
  await projector?.stop();
  if (email) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      email.close(),
      new Promise<void>((r) => {
        timer = setTimeout(() => {
          void email.close(true).then(r);
        }, 15_000);
      }),
    ]);
    clearTimeout(timer);
  }
  if (calendar) await calendar.close();
  await emailWiring?.transport.close();
  log.info(tally, 'stopped');
  return tally;
}

/** SIGINT or SIGTERM, logged once; dispose() stops listening (rethrow does so on a failed start). */
function stopSignal(log: Log) {
  let received!: () => void;
  const promise = new Promise<void>((r) => {
    received = r;
  });
  const onSignal = () => {
    log.info({ reason: 'signal' }, 'stopping');
    received();
  };
  const dispose = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    received: promise,
    dispose,
    rethrow: (err: unknown): never => {
      dispose();
      throw err;
    },
  };
}

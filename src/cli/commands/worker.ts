import type { Command } from 'commander';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Runtime } from '../../infra/runtime.ts';
import { invalid } from '../../domain/errors.ts';
import { act, leaf } from '../define.ts';
import { progressBar, type Output } from '../output.ts';
import type { Session } from '../session.ts';

const WORKERS = ['reactor', 'email', 'calendar', 'projector'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// BullMQ, nodemailer and the workers load only for the commands that use them, so `contact add` stays quick.
async function withRuntime<T>(session: Session, out: Output, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const { openRuntime } = await import('../../infra/runtime.ts');
  const rt = await openRuntime(session.config, process.env, { store: session.ctx.store });
  for (const w of rt.warnings) process.stderr.write(`\n*** ${w} ***\n\n`);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** Runs the chosen workers until a signal (or, with --until-idle, until nothing is due now). */
export async function runWorkers(rt: Runtime, opts: { only: readonly string[]; untilIdle: boolean; json: boolean; concurrency?: number; quiet?: boolean }) {
  const { createWorkerLog, silentLog } = await import('../../app/worker-log.ts');
  const { startReactorWorker } = await import('../../../workers/reactor.ts');
  const { startEmailWorker } = await import('../../../workers/email.ts');
  const { emailDepsFrom } = await import('../../infra/email-deps.ts');
  const { calendarDepsFrom } = await import('../../infra/calendar-deps.ts');
  const { startCalendarWorker } = await import('../../../workers/calendar.ts');
  const { startProjectorWorker } = await import('../../../workers/projector.ts');
  const { isIdle } = await import('../../infra/queue/idle.ts');
  const log = opts.quiet ? silentLog : createWorkerLog(opts.json);
  const tally: Record<string, number> = {};
  const counting = (event: string, fields?: Record<string, unknown>) => { tally[event] = (tally[event] ?? 0) + 1; log(event, fields); };
  // Everything that can fail on configuration (templates, transport) is built before anything starts.
  const deps = opts.only.includes('email') ? emailDepsFrom(rt.config, rt.env) : null;
  const calendarDeps = opts.only.includes('calendar') ? calendarDepsFrom(rt.config, rt.env) : null;
  const closeTransport = async () => { deps?.transport.close(); };
  const reactor = opts.only.includes('reactor') ? await startReactorWorker(rt, counting) : null;
  let email: Awaited<ReturnType<typeof startEmailWorker>> | null = null;
  if (deps) {
    const rate = Number(rt.env['SMTP_RATE_LIMIT'] || 0);
    email = startEmailWorker(rt, { deps, log: counting, concurrency: opts.concurrency ?? 10, ...(rate > 0 ? { ratePerSecond: rate } : {}) });
  }
  const calendar = calendarDeps ? startCalendarWorker(rt, { deps: calendarDeps, log: counting }) : null;
  const projector = opts.only.includes('projector') ? startProjectorWorker({ store: rt.store, dataDir: rt.config.dataDir, log }) : null;
  // A projector that stopped on an event it cannot apply has logged why; --until-idle must not wait for it.
  let projectorStopped = false;
  projector?.done.catch(() => { projectorStopped = true; });
  log('started', { workers: opts.only.join(','), store: rt.store.kind, queuePrefix: rt.prefix });

  let stop!: () => void;
  const stopped = new Promise<void>((r) => { stop = r; });
  const onSignal = () => { log('stopping', { reason: 'signal' }); stop(); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (opts.untilIdle) {
    void (async () => {
      if (reactor) await reactor.caughtUp;
      let quiet = 0;
      for (;;) {
        await sleep(150);
        const head = await rt.store.headPosition();
        const reactorDone = (!reactor || head === null || (reactor.position() ?? 0n) >= head)
          && (!projector || projectorStopped || head === null || (projector.position() ?? 0n) >= head);
        // Only the queues this process works on: jobs for a worker that is not running here wait for it.
        const queues = [...(email ? [rt.queues.email] : []), ...(calendar ? [rt.queues.calendar] : [])];
        quiet = reactorDone && (await isIdle(queues, Date.now())) ? quiet + 1 : 0;
        if (quiet >= 3) break;
      }
      stop();
    })();
  }
  await stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // Stop taking work, let active jobs finish, but never hang a shutdown.
  await reactor?.stop();
  await projector?.stop();
  if (email) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([email.close(), new Promise<void>((r) => { timer = setTimeout(() => { void email!.close(true).then(r); }, 15_000); })]);
    clearTimeout(timer);
  }
  if (calendar) await calendar.close();
  await closeTransport();
  log('stopped', tally);
  return tally;
}

export function workerCommands(program: Command) {
  act(leaf(program, 'worker', 'run the reactor and the email worker')
    .option('--only <workers>', `comma-separated subset of ${WORKERS.join(',')}`)
    .option('--until-idle', 'exit once nothing is due now (for the demo and scripts)')
    .option('--concurrency <n>', 'email jobs in flight at once (default 10)'),
  async (session, _args, input, out) => {
    const only = input['only'] ? String(input['only']).split(',').map((s) => s.trim()) : [...WORKERS];
    const unknown = only.filter((w) => !(WORKERS as readonly string[]).includes(w));
    if (unknown.length) throw invalid('only', `unknown worker ${unknown.join(', ')} (known: ${WORKERS.join(', ')})`);
    const tally = await withRuntime(session, out, (rt) => runWorkers(rt, {
      only, untilIdle: input['untilIdle'] === true, json: out.json,
      ...(input['concurrency'] ? { concurrency: Number(input['concurrency']) } : {}),
    }));
    out.result(tally, Object.entries(tally).map(([k, v]) => `${k}: ${v}`).join(', ') || 'nothing to do');
  });

  act(leaf(program, 'jobs', 'queued jobs: counts per queue and state, and the next due times'),
    async (session, _args, _input, out) => {
      const { snapshot } = await import('../../infra/queue/idle.ts');
      const snaps = await withRuntime(session, out, async (rt) => Promise.all(Object.values(rt.queues).map((q) => snapshot(q))));
      out.result(snaps, () => snaps.map((s) => [
        `${s.queue}: ${Object.entries(s.counts).map(([k, v]) => `${v} ${k}`).join(', ')}`,
        ...s.next.map((n) => `  next: ${n.dueAt}  ${n.name}  ${n.id}`),
      ].join('\n')).join('\n'));
    });

  const reactor = program.command('reactor').description('the reactor, which turns events into jobs');
  act(leaf(reactor, 'replay', 're-derive every job from the log (after Redis was wiped); effects already done are skipped by the workers')
    .requiredOption('--from <position>', 'log position to start after (0 for everything)'),
  async (session, _args, input, out) => {
    const from = String(input['from']);
    if (!/^\d+$/.test(from)) throw invalid('from', 'must be a log position (a whole number, 0 for the start)');
    const { replayReactor } = await import('../../app/reactor-runner.ts');
    const bar = progressBar('replaying', !out.json);
    const r = await withRuntime(session, out, (rt) => replayReactor({ store: rt.store, clock: rt.clock, scheduler: rt.scheduler, from: BigInt(from), onProgress: (d, t) => bar.update(d, t) }));
    bar.end();
    out.result(r, `Replayed ${r.events} events from position ${from}: ${r.scheduled} jobs derived (existing ones kept, done ones will be skipped); ${r.retried} failed jobs put back in line`);
  });

  act(leaf(program, 'outbox', 'the emails written to the outbox folder (the default transport)')
    .option('--limit <n>', 'show at most this many, newest first (default 20)'),
  async (session, _args, input, out) => {
    const dir = join(session.config.dataDir, 'outbox');
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml'));
    const mails = await Promise.all(names.map(async (name) => {
      const head = (await readFile(join(dir, name), 'utf8')).split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
      const header = (h: string) => head.match(new RegExp(`^${h}: (.*)$`, 'mi'))?.[1] ?? '';
      return { file: name, date: header('Date'), to: header('To'), subject: header('Subject'), messageId: header('Message-ID') };
    }));
    mails.sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
    const limit = Number(input['limit'] ?? 20);
    out.result(out.json ? mails : mails.slice(0, limit), () => mails.length === 0
      ? `No emails in ${dir}`
      : [`${mails.length} emails in ${dir}`, ...mails.slice(0, limit).map((m) => `  ${m.date}  ${m.to}  ${m.subject}`)].join('\n'));
  });
}

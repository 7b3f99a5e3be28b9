import type { Command } from 'commander';
import { join } from 'node:path';
import type { Runtime } from '../../main/runtime.ts';
import { WORKERS } from '../../main/worker-names.ts';
import { WORKER_PROCESS_ENV } from '../../main/worker-env.ts';
import { invalid, OutreachError } from '../../domain/errors.ts';
import { act, leaf } from '../define.ts';
import { progressBar, type Output } from '../output.ts';
import type { Session } from '../session.ts';
import { loadWorkspace } from '../../app/workspace-commands.ts';
import { counted, table, when } from '../words.ts';

// BullMQ, nodemailer and the workers load only for the commands that use them, so `contact add` stays quick.
async function withRuntime<T>(session: Session, out: Output, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const { openRuntime } = await import('../../main/runtime.ts');
  const rt = await openRuntime(session.config, process.env, { store: session.ctx.store });
  for (const w of rt.warnings) process.stderr.write(`\n*** ${w} ***\n\n`);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

const gmailReadable = async (session: Session) => {
  const { gmailAccess } = await import('../../main/gmail.ts');
  return gmailAccess(session.config, process.env)?.read === true;
};

export function workerCommands(program: Command) {
  act(
    leaf(program, 'worker', 'run the workers: reactor, email, calendar, projector, and the mailbox reader when a mailbox is configured')
      .option('--only <workers>', `comma-separated subset of ${WORKERS.join(',')}`)
      .option('--until-idle', 'exit once nothing is due now (for the demo and scripts)')
      .option('--concurrency <n>', 'email jobs in flight at once (default 10)')
      .option(
        '--processes <n>',
        'run the workers in this many processes (default 1): the first runs the reactor, projector, mailbox reader and calendar; the others send email, and from 3 on the last also syncs the calendar',
      ),
    async (session, _args, input, out) => {
      const only = input['only']
        ? String(input['only'])
            .split(',')
            .map((s) => s.trim())
        : [...WORKERS];
      const unknown = only.filter((w) => !(WORKERS as readonly string[]).includes(w));
      if (unknown.length) throw invalid('only', `unknown worker ${unknown.join(', ')} (known: ${WORKERS.join(', ')})`);
      // Asked for by name, the mailbox reader must have a mailbox; in the default set it runs only when one is configured.
      // (A process of a --processes run was given its workers by the parent, which has checked.)
      const child = process.env[WORKER_PROCESS_ENV] !== undefined;
      if (input['only'] && !child && only.includes('mailbox') && !process.env['IMAP_URL']?.trim())
        throw new OutreachError('config', 'IMAP_URL: not set, so there is no mailbox to read (imaps://user:password@imap.example.com:993)', {
          field: 'IMAP_URL',
        });
      const untilIdle = input['untilIdle'] === true;
      const processes = input['processes'] === undefined ? 1 : Number(input['processes']);
      const { planProcesses } = await import('../../main/worker-plan.ts');
      // In the default set the mailbox reader runs only when there is a mailbox (as runWorkers decides in one process).
      const readsMail = Boolean(input['only']) || Boolean(process.env['IMAP_URL']?.trim()) || (processes > 1 && (await gmailReadable(session)));
      const plan = planProcesses(
        only.filter((w) => w !== 'mailbox' || readsMail),
        processes,
      );
      let tally: Record<string, number>;
      if (plan.length > 1) {
        const { runWorkerProcesses } = await import('../../main/worker-processes.ts');
        const { createLogger } = await import('../../main/logger.ts');
        const args = [
          ...(out.json ? ['--json'] : []),
          '--workspace',
          session.ctx.workspaceId,
          ...(input['concurrency'] ? ['--concurrency', String(input['concurrency'])] : []),
        ];
        const run = await runWorkerProcesses({ plan, entry: process.argv[1]!, args, untilIdle, log: createLogger({ json: out.json }) });
        // A process that could not start has said why on stderr.
        if (run.exitCode !== 0) {
          process.exitCode = run.exitCode;
          return;
        }
        tally = run.tally;
      } else {
        const { runWorkers } = await import('../../main/workers.ts');
        const { workerProcessLink } = await import('../../main/worker-processes.ts');
        const { createLogger } = await import('../../main/logger.ts');
        const link = child && process.send ? workerProcessLink() : null;
        tally = await withRuntime(session, out, (rt) =>
          runWorkers(rt, {
            only,
            untilIdle,
            json: out.json,
            ...(input['concurrency'] ? { concurrency: Number(input['concurrency']) } : {}),
            ...(link && untilIdle ? { coordinated: link.coordinated } : {}),
            ...(link ? { log: createLogger({ json: out.json }).child({ process: Number(process.env[WORKER_PROCESS_ENV]) }) } : {}),
          }),
        );
        // One of several processes: its counts go to the parent, which prints the sum.
        if (link) return link.done(tally);
      }
      out.result(
        tally,
        Object.entries(tally)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ') || 'nothing to do',
      );
    },
  );

  act(leaf(program, 'jobs', 'queued jobs: counts per queue and state, and the next due times'), async (session, _args, _input, out) => {
    const snaps = await withRuntime(session, out, (rt) => rt.snapshots());
    const zone = (await loadWorkspace(session.ctx)).config?.timezone ?? 'UTC';
    out.result(snaps, () =>
      snaps
        .map((s) =>
          [
            `${s.queue}: ${Object.entries(s.counts)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ')}`,
            ...s.next.map((n) => `  next: ${when(n.dueAt, zone)}  ${n.name}`),
          ].join('\n'),
        )
        .join('\n'),
    );
  });

  const reactor = program.command('reactor').description('the reactor, which turns events into jobs');
  act(
    leaf(reactor, 'replay', 're-derive every job from the log (after Redis was wiped); effects already done are skipped by the workers').requiredOption(
      '--from <position>',
      'log position to start after (0 for everything)',
    ),
    async (session, _args, input, out) => {
      const from = String(input['from']);
      if (!/^\d+$/.test(from)) throw invalid('from', 'must be a log position (a whole number, 0 for the start)');
      const { replayReactor } = await import('../../app/reactor/runner.ts');
      const bar = progressBar('replaying', !out.json);
      const r = await withRuntime(session, out, (rt) =>
        replayReactor({ store: rt.store, clock: rt.clock, scheduler: rt.scheduler, from: BigInt(from), onProgress: (d, t) => bar.update(d, t) }),
      );
      bar.end();
      out.result(
        r,
        `Replayed ${counted(r.events, 'event')} from position ${from}: ${counted(r.scheduled, 'job')} derived (existing ones kept, done ones will be skipped); ${counted(r.retried, 'failed job')} put back in line`,
      );
    },
  );

  act(
    leaf(program, 'outbox', 'the emails written to the outbox folder (the default transport)').option(
      '--limit <n>',
      'show at most this many, newest first (default 20)',
    ),
    async (session, _args, input, out) => {
      const dir = join(session.config.dataDir, 'outbox');
      const { readOutbox } = await import('../../main/outbox.ts');
      const mails = await readOutbox(dir);
      const limit = Number(input['limit'] ?? 20);
      if (!Number.isInteger(limit) || limit < 1) throw invalid('limit', 'must be a whole number, 1 or more');
      const zone = (await loadWorkspace(session.ctx)).config?.timezone ?? 'UTC';
      out.result(
        (out.json ? mails : mails.slice(0, limit)).map(({ text: _text, ...m }) => m),
        () =>
          mails.length === 0
            ? `No emails in ${dir}`
            : [
                `${counted(mails.length, 'email')} in ${dir}${mails.length > limit ? ` (the newest ${limit})` : ''}`,
                table(
                  ['sent', 'to', 'subject'],
                  mails.slice(0, limit).map((m) => [when(m.date, zone), m.to, m.subject]),
                  60,
                ),
              ].join('\n'),
      );
    },
  );
}

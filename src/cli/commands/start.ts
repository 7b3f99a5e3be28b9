import type { Command } from 'commander';
import { act, leaf } from '../define.ts';
import { portOption, serving } from './serve.ts';

/** Every worker but the projector, which the API runs in the same process. */
const WORKERS_WITH_THE_API = ['reactor', 'email', 'calendar'];

/**
 * `outreach start`: the whole tool in one process for one seeker on the embedded defaults: the API
 * and the dashboard (with the projector) and the workers that send the emails and sync the calendar.
 * `serve` keeps its meaning (the API alone) for a deployment that runs workers elsewhere.
 */
export function startCommand(program: Command) {
  act(
    leaf(program, 'start', 'run everything in one process: the dashboard and API, the projector, and the workers that send emails and sync the calendar')
      .option('--port <port>', 'TCP port (default 3000; 0 for any free port)')
      .option('--concurrency <n>', 'email jobs in flight at once (default 10)'),
    async (session, _args, input, out) => {
      const port = portOption(input['port']);
      const { startApi } = await import('../../main/api.ts');
      const { openRuntime } = await import('../../main/runtime.ts');
      const { runWorkers } = await import('../../main/workers.ts');
      const { createLogger } = await import('../../main/logger.ts');
      const log = createLogger({ json: out.json });
      const { gmailAccess } = await import('../../main/gmail.ts');
      // The seeker's mailbox is read here too when there is one (IMAP_URL, or Gmail connected with --gmail).
      const readsMail = Boolean(process.env['IMAP_URL']?.trim()) || gmailAccess(session.config, process.env)?.read === true;
      const workers = [...WORKERS_WITH_THE_API, ...(readsMail ? ['mailbox'] : [])];
      // The runtime first: a Redis that does not answer stops here with one clear error, before anything listens.
      const rt = await openRuntime(session.config, process.env, { store: session.ctx.store });
      for (const w of rt.warnings) process.stderr.write(`\n*** ${w} ***\n\n`);
      try {
        const api = await startApi({ config: session.config, env: process.env, port, store: session.ctx.store, projector: true, log });
        try {
          const { info, text } = serving(api, session);
          out.result({ ...info, workers }, () =>
            [text, `  Workers: ${workers.join(', ')} (emails go out in the recipients' business hours)`, '  Ctrl-C to stop'].join('\n'),
          );
          await runWorkers(rt, {
            only: workers,
            untilIdle: false,
            json: out.json,
            log,
            ...(input['concurrency'] ? { concurrency: Number(input['concurrency']) } : {}),
          });
        } finally {
          await api.close();
        }
      } finally {
        await rt.close();
      }
    },
  );
}

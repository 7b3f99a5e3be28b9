import type { Command } from 'commander';
import type { RunningApi } from '../../main/api.ts';
import type { Session } from '../session.ts';
import { invalid } from '../../domain/errors.ts';
import { act, leaf } from '../define.ts';

/**
 * `outreach serve`: the HTTP API, the dashboard, /metrics and the queue board. OUTREACH_API_TOKEN is
 * the admin's token; `outreach token create` makes coach and seeker tokens. Without it the server
 * binds to loopback only and makes an admin token for the run, printed in the login URL's fragment.
 */
export function serveCommand(program: Command) {
  act(
    leaf(program, 'serve', 'serve the HTTP API and the dashboard (OpenAPI at /docs, metrics at /metrics, queues at /queues)')
      .option('--port <port>', 'TCP port (default 3000; 0 for any free port)')
      .option('--host <address>', 'address to bind (default 127.0.0.1; any other needs OUTREACH_API_TOKEN)')
      .option('--no-projector', 'do not run the projector here (another process keeps the read models up to date)'),
    async (session, _args, input, out) => {
      const port = portOption(input['port']);
      const host = String(input['host'] ?? '127.0.0.1');
      const { startApi } = await import('../../main/api.ts');
      const { createLogger } = await import('../../main/logger.ts');
      const api = await startApi({
        config: session.config,
        env: process.env,
        host,
        port,
        store: session.ctx.store,
        projector: input['projector'] !== false,
        log: createLogger({ json: out.json }),
      });
      const { info, text } = serving(api, session);
      out.result(info, () =>
        [text, '  No worker runs here, so no email is sent: `outreach start` runs both, or run `outreach worker` beside this.', '  Ctrl-C to stop'].join('\n'),
      );
      await untilSignal();
      await api.close();
    },
  );
}

/** What a running API is reachable at, for scripts and for people. */
export function serving(api: RunningApi, session: Session) {
  const info = {
    url: api.url,
    docs: `${api.url}docs`,
    metrics: `${api.url}metrics`,
    queues: `${api.url}queues`,
    workspace: session.config.workspaceId,
    redis: api.redisUrl,
    tokenGenerated: api.tokenGenerated,
    ...(api.tokenGenerated ? { loginUrl: api.loginUrl } : {}),
  };
  const text = [
    `Outreach is serving ${api.url} (workspace for commands: ${session.config.workspaceId}; Redis: ${api.redisUrl})`,
    api.tokenGenerated
      ? `  OUTREACH_API_TOKEN is not set: this run's token is in the login URL below (loopback only)\n  Dashboard: ${api.loginUrl}`
      : `  Dashboard: ${api.url} (log in on the page with OUTREACH_API_TOKEN or a token from \`outreach token create\`)`,
    `  API docs:  ${api.url}docs   Metrics: ${api.url}metrics   Queues: ${api.url}queues`,
  ].join('\n');
  return { info, text };
}

export const untilSignal = () =>
  new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

/** A TCP port from an option: 3000 when not given, 0 for any free port. */
export function portOption(value: unknown): number {
  const port = value === undefined ? 3000 : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid('port', 'must be a TCP port number (0-65535)');
  return port;
}

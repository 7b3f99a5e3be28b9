import type { Command } from 'commander';
import { decideWorkspace } from '../../domain/workspace.ts';
import { workspaceAggregate } from '../../app/aggregates.ts';
import { execute, load } from '../../app/handle.ts';
import { requireWorkspaceConfig } from '../../app/workspace-commands.ts';
import { invalid } from '../../domain/errors.ts';
import { act, leaf } from '../define.ts';

/** --port: a TCP port a user process may listen on (1024–65535), or absent. */
function portFrom(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const port = /^[0-9]{1,5}$/.test(String(raw)) ? Number(raw) : Number.NaN;
  if (!(port >= 1024 && port <= 65535)) throw invalid('port', `must be a port number from 1024 to 65535, not ${JSON.stringify(String(raw))}`);
  return port;
}

export function googleCommands(program: Command) {
  const google = program.command('google').description('Google Calendar: connect, disconnect, status');

  act(
    leaf(google, 'connect', "connect the workspace's Google Calendar (opens a consent page; the browser returns to 127.0.0.1)")
      .option('--timeout <seconds>', 'how long to wait for the browser (default 300)')
      .option('--gmail', 'also send through Gmail and read replies from it (asks for gmail.send and gmail.readonly)')
      .option('--port <port>', 'the loopback port the browser returns to (default: any free port), for a machine whose firewall opens one'),
    async ({ ctx, config }, _args, input, out) => {
      const port = portFrom(input['port']);
      await requireWorkspaceConfig(ctx);
      const { connectGoogle } = await import('../../main/google.ts');
      const { calendarId, gmail } = await connectGoogle({
        gmail: input['gmail'] === true,
        dataDir: config.dataDir,
        workspaceId: ctx.workspaceId,
        env: process.env,
        timeoutMs: input['timeout'] ? Number(input['timeout']) * 1000 : undefined,
        port,
        onConsentUrl: (url, redirectUri) =>
          process.stderr.write(`Open this page to let Outreach manage your calendar's events:\n\n  ${url}\n\nWaiting for the browser on ${redirectUri} …\n`),
      });
      await execute(ctx, workspaceAggregate, ctx.workspaceId, ({ state }) => decideWorkspace({ type: 'ConnectCalendar', calendarId, now: ctx.clock() }, state));
      out.result(
        { id: ctx.workspaceId, connected: true, calendarId, gmail },
        `Google Calendar connected for workspace ${ctx.workspaceId} (calendar ${calendarId})${gmail ? `; Gmail ${gmail} too (MAIL_TRANSPORT=gmail sends through it; the worker reads replies from it)` : ''}; the refresh token is stored encrypted.`,
      );
    },
  );

  act(leaf(google, 'disconnect', 'revoke the grant, delete the stored token and stop calendar sync'), async ({ ctx, config }, _args, _input, out) => {
    const { disconnectGoogle } = await import('../../main/google.ts');
    const { revoked } = await disconnectGoogle({ dataDir: config.dataDir, workspaceId: ctx.workspaceId, env: process.env });
    await execute(ctx, workspaceAggregate, ctx.workspaceId, ({ state }) =>
      decideWorkspace({ type: 'DisconnectCalendar', reason: 'user', now: ctx.clock() }, state),
    );
    out.result(
      { id: ctx.workspaceId, connected: false, revoked: revoked === true },
      `Google Calendar disconnected for workspace ${ctx.workspaceId}${revoked === null ? '' : revoked ? '; the grant was revoked' : ' (the grant was already invalid)'}.`,
    );
  });

  act(leaf(google, 'status', "whether the workspace's calendar is connected"), async ({ ctx }, _args, _input, out) => {
    const { state } = await load(ctx, workspaceAggregate, ctx.workspaceId);
    const c = state.calendar;
    const advice =
      !c.connected && c.disconnectReason === 'invalid_grant'
        ? 'Google refused the stored grant (revoked or expired): reconnect with `outreach google connect`.'
        : c.connected
          ? `Connected (calendar ${c.calendarId}).`
          : 'Not connected: run `outreach google connect` (needs GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET).';
    out.result({ id: ctx.workspaceId, connected: c.connected, calendarId: c.calendarId ?? null, disconnectReason: c.disconnectReason ?? null, advice }, advice);
  });
}

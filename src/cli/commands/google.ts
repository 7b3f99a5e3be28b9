import type { Command } from 'commander';
import { decideWorkspace } from '../../domain/workspace.ts';
import { workspaceAggregate } from '../../app/aggregates.ts';
import { execute, load } from '../../app/handle.ts';
import { requireWorkspaceConfig } from '../../app/workspace-commands.ts';
import { act, leaf } from '../define.ts';

export function googleCommands(program: Command) {
  const google = program.command('google').description('Google Calendar: connect, disconnect, status');

  act(leaf(google, 'connect', 'connect the workspace\'s Google Calendar (opens a consent page; the browser returns to 127.0.0.1)')
    .option('--timeout <seconds>', 'how long to wait for the browser (default 300)'),
  async ({ ctx, config }, _args, input, out) => {
    await requireWorkspaceConfig(ctx);
    const { googleConfigFrom } = await import('../../infra/google/config.ts');
    const { startLoopbackConsent, exchangeCode } = await import('../../infra/google/oauth.ts');
    const { saveRefreshToken, tokenStoreKeyFrom } = await import('../../infra/google/token-store.ts');
    const gconfig = googleConfigFrom(process.env);
    // The key is checked before the browser dance, so a missing OUTREACH_SECRET_KEY fails at once.
    const key = tokenStoreKeyFrom(process.env);
    const consent = await startLoopbackConsent({ config: gconfig, ...(input['timeout'] ? { timeoutMs: Number(input['timeout']) * 1000 } : {}) });
    process.stderr.write(`Open this page to let Outreach manage your calendar's events:\n\n  ${consent.url}\n\nWaiting for the browser on ${consent.redirectUri} …\n`);
    try {
      const code = await consent.waitForCode();
      const tokens = await exchangeCode(gconfig, code);
      saveRefreshToken(config.dataDir, key, ctx.workspaceId, { refreshToken: tokens.refreshToken, scope: tokens.scope });
    } finally {
      await consent.close();
    }
    await execute(ctx, workspaceAggregate, ctx.workspaceId, ({ state }) =>
      decideWorkspace({ type: 'ConnectCalendar', calendarId: gconfig.calendarId, now: ctx.clock() }, state));
    out.result({ id: ctx.workspaceId, connected: true, calendarId: gconfig.calendarId }, `Google Calendar connected for workspace ${ctx.workspaceId} (calendar ${gconfig.calendarId}); the refresh token is stored encrypted.`);
  });

  act(leaf(google, 'disconnect', 'revoke the grant, delete the stored token and stop calendar sync'),
    async ({ ctx, config }, _args, _input, out) => {
      const { googleConfigFrom } = await import('../../infra/google/config.ts');
      const { revokeToken } = await import('../../infra/google/oauth.ts');
      const { deleteRefreshToken, loadRefreshToken, tokenStoreKeyFrom } = await import('../../infra/google/token-store.ts');
      const gconfig = googleConfigFrom(process.env);
      const grant = loadRefreshToken(config.dataDir, tokenStoreKeyFrom(process.env), ctx.workspaceId);
      const revoked = grant ? await revokeToken(gconfig, grant.refreshToken) : null;
      deleteRefreshToken(config.dataDir, ctx.workspaceId);
      await execute(ctx, workspaceAggregate, ctx.workspaceId, ({ state }) =>
        decideWorkspace({ type: 'DisconnectCalendar', reason: 'user', now: ctx.clock() }, state));
      out.result({ id: ctx.workspaceId, connected: false, revoked: revoked ? !revoked.alreadyInvalid : false },
        `Google Calendar disconnected for workspace ${ctx.workspaceId}${revoked ? (revoked.alreadyInvalid ? ' (the grant was already invalid)' : '; the grant was revoked') : ''}.`);
    });

  act(leaf(google, 'status', 'whether the workspace\'s calendar is connected'),
    async ({ ctx }, _args, _input, out) => {
      const { state } = await load(ctx, workspaceAggregate, ctx.workspaceId);
      const c = state.calendar;
      const advice = !c.connected && c.disconnectReason === 'invalid_grant'
        ? 'Google refused the stored grant (revoked or expired): reconnect with `outreach google connect`.'
        : c.connected ? `Connected (calendar ${c.calendarId}).` : 'Not connected: run `outreach google connect` (needs GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET).';
      out.result({ id: ctx.workspaceId, connected: c.connected, calendarId: c.calendarId ?? null, disconnectReason: c.disconnectReason ?? null, advice }, advice);
    });
}

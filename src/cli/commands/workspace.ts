import type { Command } from 'commander';
import { configureWorkspace, loadWorkspace } from '../../app/workspace-commands.ts';
import { act, leaf } from '../define.ts';

export function workspaceCommands(program: Command) {
  const ws = program.command('workspace').description("the seeker's workspace: who they are, their objective, their hours");

  act(
    leaf(ws, 'configure', 'set up or change the workspace (the first time needs owner, email, time zone and objective)')
      .option('--owner-name <name>', "the seeker's name, used to sign emails")
      .option('--owner-email <email>', "the seeker's address: emails are sent from it and prep briefs go to it")
      .option('--timezone <zone>', 'IANA time zone, e.g. Europe/London')
      .option('--objective <sentence>', 'one sentence: what the seeker wants to learn')
      .option('--business-hours <HH:MM-HH:MM>', 'when emails may arrive (default 09:00-17:30)')
      .option('--business-days <days>', 'which days, e.g. mon-fri (default)')
      .option('--thank-you-delay <duration>', 'ISO 8601 duration after the meeting (default PT2H)')
      .option('--thank-you-deadline <duration>', 'never later than this after the meeting (default PT24H)')
      .option('--keep-in-touch <duration>', 'keep-in-touch cadence (default P6W)')
      .option('--nudge-after <duration>', 'one nudge after this long without a reply (default P5D)')
      .option('--daily-limit <n>', 'most emails sent per day; the rest are deferred (default 50)')
      .option('--review <which>', 'emails held for your approval: all | first-touch (requests to people not yet met; the default) | none'),
    async ({ ctx }, _args, input, out) => {
      const r = await configureWorkspace(ctx, input);
      out.result(
        r,
        `Workspace ${r.id} configured: ${r.config?.ownerName} <${r.config?.ownerEmail}>, ${r.config?.timezone}, ${r.config?.businessHours.start}-${r.config?.businessHours.end}`,
      );
    },
  );

  act(leaf(ws, 'show', 'show the workspace configuration'), async ({ ctx }, _args, _input, out) => {
    const state = await loadWorkspace(ctx);
    out.result({ id: ctx.workspaceId, ...state }, () =>
      state.config
        ? [
            `Workspace ${ctx.workspaceId}`,
            `  owner:       ${state.config.ownerName} <${state.config.ownerEmail}>`,
            `  objective:   ${state.config.objective}`,
            `  time zone:   ${state.config.timezone}, hours ${state.config.businessHours.start}-${state.config.businessHours.end}`,
            `  thank-you:   ${state.config.thankYouDelay} after, at most ${state.config.thankYouDeadline}`,
            `  nudge after: ${state.config.nudgeAfter}; keep in touch every ${state.config.keepInTouchCadence}; ${state.config.dailySendLimit} emails a day`,
            `  calendar:    ${state.calendar.connected ? `connected (${state.calendar.calendarId})` : 'not connected'}`,
          ].join('\n')
        : `Workspace ${ctx.workspaceId} is not configured yet: run \`outreach workspace configure\`.`,
    );
  });
}

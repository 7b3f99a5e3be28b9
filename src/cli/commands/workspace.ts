import type { Command } from 'commander';
import { addCareerTarget, configureWorkspace, loadWorkspace, removeCareerTarget } from '../../app/workspace-commands.ts';
import { act, leaf } from '../define.ts';
import { counted, durationInWords } from '../words.ts';

export function workspaceCommands(program: Command) {
  const ws = program.command('workspace').description("the seeker's workspace: who they are, their objective, their hours");

  act(
    leaf(ws, 'configure', 'set up or change the workspace (the first time needs owner, email, time zone and objective)')
      .option('--owner-name <name>', "the seeker's name, used to sign emails")
      .option('--owner-email <email>', "the seeker's address: emails are sent from it and prep briefs go to it")
      .option('--timezone <zone>', "IANA time zone, e.g. Europe/London (the first time: this machine's zone unless given)")
      .option('--objective <sentence>', 'one sentence: what the seeker wants to learn')
      .option('--business-hours <HH:MM-HH:MM>', 'when emails may arrive (default 09:00-17:30)')
      .option('--business-days <days>', 'which days, e.g. mon-fri (default)')
      .option('--thank-you-delay <duration>', 'how long after the meeting, e.g. "2 hours" or PT2H (default 2 hours)')
      .option('--thank-you-deadline <duration>', 'never later than this after the meeting (default 24 hours)')
      .option('--keep-in-touch <duration>', 'how often to keep in touch, e.g. "6 weeks" (default 6 weeks)')
      .option('--nudge-after <duration>', 'one nudge after this long without a reply (default 5 days)')
      .option('--daily-limit <n>', 'most emails sent per day; the rest are deferred (default 50)')
      .option('--review <which>', 'emails held for your approval: all | first-touch (requests to people not yet met; the default) | none'),
    async ({ ctx }, _args, input, out) => {
      // A newcomer's first configure need not know IANA names: the machine's zone is almost always theirs.
      const machineZone = input['timezone'] === undefined && !(await loadWorkspace(ctx)).config;
      const r = await configureWorkspace(ctx, machineZone ? { ...input, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone } : input);
      out.result(
        r,
        `Workspace ${r.id} configured: ${r.config?.ownerName} <${r.config?.ownerEmail}>, ${r.config?.timezone}${machineZone ? " (this machine's time zone; --timezone to change it)" : ''}, ${r.config?.businessHours.start}-${r.config?.businessHours.end}`,
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
            `  thank-you:   ${durationInWords(state.config.thankYouDelay)} after the meeting, at most ${durationInWords(state.config.thankYouDeadline)}`,
            `  nudge after: ${durationInWords(state.config.nudgeAfter)}; keep in touch every ${durationInWords(state.config.keepInTouchCadence)}; at most ${counted(state.config.dailySendLimit, 'email')} a day`,
            `  calendar:    ${state.calendar.connected ? `connected (${state.calendar.calendarId})` : 'not connected'}`,
            `  careers:     ${state.targets.length ? state.targets.join('; ') : 'none named yet (`outreach workspace target add "UX research"`)'}`,
          ].join('\n')
        : `Workspace ${ctx.workspaceId} is not configured yet: run \`outreach workspace configure\`.`,
    );
  });

  const target = ws.command('target').description('the careers you are exploring: meet several people in each before deciding');
  act(leaf(target, 'add <career>', 'name a career you are exploring'), async ({ ctx }, [career], _input, out) => {
    const r = await addCareerTarget(ctx, { target: career });
    out.result(r, `Exploring "${r.target}": tag people with \`--target "${r.target}"\` on \`contact add\` or \`contact change\``);
  });
  act(leaf(target, 'remove <career>', 'stop exploring a career (its people and meetings keep their tag)'), async ({ ctx }, [career], _input, out) => {
    const r = await removeCareerTarget(ctx, { target: career });
    out.result(r, `No longer exploring "${r.target}"`);
  });
}

import { Command, CommanderError } from 'commander';
import { workspaceCommands } from './commands/workspace.ts';
import { contactCommands } from './commands/contact.ts';
import { meetingCommands } from './commands/meeting.ts';
import { eventsCommand } from './commands/events.ts';
import { workerCommands } from './commands/worker.ts';
import { googleCommands } from './commands/google.ts';
import { serveCommand } from './commands/serve.ts';
import { startCommand } from './commands/start.ts';
import { projectionCommands } from './commands/projections.ts';
import { callCommand } from './commands/calls.ts';
import { draftCommands } from './commands/drafts.ts';
import { findCommands } from './commands/find.ts';
import { tokenCommands } from './commands/token.ts';
import { mailboxCommands } from './commands/mailbox.ts';
import { exitCodes } from './define.ts';
import { addExamples } from './examples.ts';
import { versionOption, versionRequest } from './version.ts';

export function buildProgram(): Command {
  const program = new Command('outreach')
    .description('Informational-interview outreach: contacts, referrals, meeting requests, thank-yous and follow-ups, event-sourced.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  versionOption(program);
  startCommand(program);
  findCommands(program);
  workspaceCommands(program);
  contactCommands(program);
  meetingCommands(program);
  eventsCommand(program);
  workerCommands(program);
  googleCommands(program);
  serveCommand(program);
  projectionCommands(program);
  callCommand(program);
  draftCommands(program);
  tokenCommands(program);
  mailboxCommands(program);
  addExamples(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI and gives the exit code. */
export async function main(argv: string[]): Promise<number> {
  const version = versionRequest(argv);
  if (version !== undefined) {
    process.stdout.write(version);
    return 0;
  }
  const program = buildProgram();
  program.commands.forEach(function deep(c: Command) {
    c.exitOverride();
    c.commands.forEach(deep);
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; a usage error (unknown option, missing value) is a validation error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.executeSubCommandAsync') return 0;
      return exitCodes.validation;
    }
    throw e;
  }
}

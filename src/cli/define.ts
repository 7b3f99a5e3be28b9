import type { Command } from 'commander';
import { OutreachError, type ErrorCode } from '../domain/errors.ts';
import { createOutput, type Output } from './output.ts';
import { openSession, type Session } from './session.ts';

/** Raw option values from commander; the app layer's schemas validate them, so they stay untyped here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Options = Record<string, any>;
/** Positional arguments; commander has already refused a missing required one. */
export type Args = [string, ...string[]];
export type Action = (session: Session, args: Args, input: Options, out: Output) => Promise<void>;

/** Exit codes scripts can branch on. */
export const exitCodes: Record<ErrorCode | 'internal', number> = {
  validation: 2,
  not_found: 3,
  illegal_state: 4,
  conflict: 5,
  unavailable: 6,
  config: 7,
  internal: 1,
};

export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A runnable command: every one takes --json and --workspace. */
export function leaf(parent: Command, spec: string, description: string): Command {
  return parent
    .command(spec)
    .description(description)
    .option('--json', 'print JSON for scripts')
    .option('--workspace <id>', 'workspace id (default: $OUTREACH_WORKSPACE, else "default")');
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Name a field the way the user typed it: --option when the command has that option. */
function fieldLabel(command: Command, field: string): string {
  const flag = `--${kebab(field.split('.')[0]!)}`;
  return command.options.some((o) => o.long === flag) ? flag : field;
}

export function describeError(e: unknown, command: Command): { code: ErrorCode | 'internal'; message: string; field?: string } {
  if (e instanceof OutreachError) {
    const message = e.field && e.message.startsWith(`${e.field}:`) ? `${fieldLabel(command, e.field)}:${e.message.slice(e.field.length + 1)}` : e.message;
    return { code: e.code, message, ...(e.field ? { field: e.field } : {}) };
  }
  const code = (e as { code?: unknown })?.code;
  if (code === 'unavailable') return { code: 'unavailable', message: (e as Error).message };
  if (code === 'conflict') return { code: 'conflict', message: (e as Error).message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

export function act(cmd: Command, action: Action): Command {
  return cmd.action(async (...params: unknown[]) => {
    const command = params.at(-1) as Command;
    const { json, workspace, ...input } = command.opts() as Options & { json?: boolean; workspace?: string };
    const args = params.slice(0, -2).filter((p): p is string => typeof p === 'string');
    const out = createOutput(json === true);
    let session: Session | undefined;
    try {
      session = await openSession(workspace === undefined ? {} : { workspace });
      await action(session, args as Args, input, out);
    } catch (e) {
      const err = describeError(e, command);
      if (out.json) process.stderr.write(`${JSON.stringify({ error: err })}\n`);
      else process.stderr.write(`error: ${err.message}\n`);
      if (err.code === 'internal' && process.env['OUTREACH_DEBUG']) console.error(e);
      process.exitCode = exitCodes[err.code];
    } finally {
      await session?.close();
    }
  });
}

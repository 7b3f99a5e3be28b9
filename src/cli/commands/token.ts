import type { Command } from 'commander';
import { when } from '../words.ts';
import { createTokenInput, expiryFrom, scopeOf, type AccessStore, type TokenInfo } from '../../app/access.ts';
import { systemClock } from '../../app/clock.ts';
import { parseInput } from '../../app/parse.ts';
import { notFound } from '../../domain/errors.ts';
import { collect, describeError, exitCodes, type Options } from '../define.ts';
import { createOutput, type Output } from '../output.ts';

type TokenAction = (access: AccessStore, args: string[], input: Options, out: Output) => void;

/** Token commands need only the data folder's access.db, not the event store: their own small runner. */
function tokenAction(cmd: Command, action: TokenAction): Command {
  return cmd.option('--json', 'print JSON for scripts').action(async (...params: unknown[]) => {
    const command = params.at(-1) as Command;
    const { json, ...input } = command.opts() as Options;
    const out = createOutput(json === true);
    let access: AccessStore | undefined;
    try {
      const { loadConfig } = await import('../../main/config.ts');
      const { openAccess } = await import('../../main/access.ts');
      access = openAccess(loadConfig(process.env));
      action(
        access,
        params.slice(0, -2).filter((p): p is string => typeof p === 'string'),
        input,
        out,
      );
    } catch (e) {
      const err = describeError(e, command);
      if (out.json) process.stderr.write(`${JSON.stringify({ error: err })}\n`);
      else process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = exitCodes[err.code];
    } finally {
      access?.close();
    }
  });
}

const reach = (t: Pick<TokenInfo, 'workspaces'>) => (t.workspaces === 'all' ? 'every workspace' : `workspace ${t.workspaces.join(', ')}`);

/**
 * `outreach token create|list|revoke`: API tokens for coaches and seekers (OUTREACH_API_TOKEN stays
 * the admin's bootstrap token). A token is printed once, when it is made; only its hash is kept.
 */
export function tokenCommands(program: Command) {
  const token = program.command('token').description('API tokens: admin, coach (some or all workspaces) or seeker (one workspace)');

  tokenAction(
    token
      .command('create')
      .description('make a token and print it once (only its hash is stored)')
      .requiredOption('--role <role>', 'admin, coach or seeker')
      .option('--workspace <id>', 'a workspace the token reaches (a seeker: exactly one; a coach: repeat for each)', collect)
      .option('--all-workspaces', 'a coach token that reaches every workspace')
      .option('--name <name>', 'what the token is for, e.g. "Sam\'s laptop"')
      .option('--expires <duration>', 'ISO 8601 duration until it stops working, e.g. P90D (default: until revoked)'),
    (access, _args, input, out) => {
      const now = systemClock();
      const checked = parseInput(createTokenInput, {
        role: input['role'],
        ...(input['workspace'] === undefined ? {} : { workspace: input['workspace'] }),
        ...(input['allWorkspaces'] === undefined ? {} : { allWorkspaces: input['allWorkspaces'] }),
        ...(input['name'] === undefined ? {} : { name: input['name'] }),
        ...(input['expires'] === undefined ? {} : { expires: input['expires'] }),
      });
      const scope = scopeOf(checked);
      const expiresAt = expiryFrom(checked.expires, now);
      const made = access.createToken({ ...scope, name: checked.name ?? null, expiresAt }, now);
      out.result({ id: made.id, token: made.token, role: scope.role, workspaces: scope.workspaces, name: checked.name ?? null, expiresAt }, () =>
        [
          `Token ${made.id}: ${scope.role}, ${reach(scope)}${expiresAt ? `, until ${when(expiresAt, 'UTC')} UTC` : ''}`,
          made.token,
          'It is shown only now: keep it somewhere safe. `outreach token revoke` ends it.',
        ].join('\n'),
      );
    },
  );

  tokenAction(token.command('list').description('the tokens that work now (never the tokens themselves)'), (access, _args, _input, out) => {
    const tokens = access.listTokens(systemClock());
    out.result({ tokens }, () =>
      tokens.length === 0
        ? 'No tokens (OUTREACH_API_TOKEN is the admin token).'
        : tokens
            .map(
              (t) => `${t.id}  ${t.role.padEnd(6)}  ${reach(t)}${t.name ? `  "${t.name}"` : ''}${t.expiresAt ? `  until ${when(t.expiresAt, 'UTC')} UTC` : ''}`,
            )
            .join('\n'),
    );
  });

  tokenAction(token.command('revoke <id>').description('stop a token at once, and end the browser sessions made with it'), (access, [id], _input, out) => {
    if (!access.revokeToken(id!, systemClock())) throw notFound('token', id!);
    out.result({ id, revoked: true }, `Token ${id} revoked.`);
  });
}

import type { Command } from 'commander';
import { workspaceAggregate } from '../../app/aggregates.ts';
import { load } from '../../app/handle.ts';
import { act, leaf } from '../define.ts';
import { counted, when } from '../words.ts';

const NOT_CONFIGURED =
  'No mailbox is read: set IMAP_URL=imaps://user:password@imap.example.com:993 and `outreach worker` reads replies, out-of-office answers and delivery reports from it.';

export function mailboxCommands(program: Command) {
  const mailbox = program.command('mailbox').description("the seeker's own mailbox, where replies, out-of-office answers and bounces arrive");

  act(
    leaf(mailbox, 'status', 'which mailbox is read, when it was last read, what it matched, and the last error in words'),
    async ({ ctx, config }, _args, _input, out) => {
      const { mailboxStatus } = await import('../../main/mailbox.ts');
      const got = await mailboxStatus(process.env, config);
      const ws = (await load(ctx, workspaceAggregate, ctx.workspaceId)).state;
      const zone = ws.config?.timezone ?? 'UTC';
      const s = got.status;
      const connected = ws.mailbox ? ws.mailbox.connected : null;
      const result = {
        id: ctx.workspaceId,
        transport: got.transport,
        provider: got.provider,
        mailbox: got.mailbox,
        connected,
        lastSyncAt: s?.lastSyncAt ?? null,
        matched: s?.matched ?? 0,
        recorded: s?.recorded ?? 0,
        lastError: s?.lastError ?? null,
        lastErrorAt: s?.lastErrorAt ?? null,
      };
      out.result(result, () => {
        if (!got.mailbox) return [NOT_CONFIGURED, `Mail goes out by: ${got.transport}.`].join('\n');
        const lines = [
          `Mailbox: ${got.mailbox} (${got.provider})`,
          `Mail goes out by: ${got.transport}`,
          s?.lastSyncAt ? `Last read: ${when(s.lastSyncAt, zone)}` : 'Last read: never (start `outreach worker`)',
          `Matched: ${counted(result.matched, 'message')} in our threads or from contacts; ${result.recorded} recorded`,
        ];
        if (connected === false) lines.push(`Disconnected since ${when(ws.mailbox!.at, zone)}: the mailbox refused the credentials.`);
        if (s?.lastError) lines.push(`Last error (${when(s.lastErrorAt, zone)}): ${s.lastError}`);
        return lines.join('\n');
      });
    },
  );
}

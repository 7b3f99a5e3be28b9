import type { Command } from 'commander';
import { act, leaf } from '../define.ts';
import { jsonReplacer } from '../output.ts';
import type { StoredEvent } from '../../eventstore/port.ts';

export function eventsCommand(program: Command) {
  act(
    leaf(program, 'events', 'list the stored events of the workspace, oldest first')
      .option('--stream <stream>', 'only this stream, e.g. contact-<id>')
      .option('--type <type>', 'only this event type')
      .option('--all-workspaces', 'events of every workspace (for a coach)'),
    async ({ ctx }, _args, input, out) => {
      const match = (e: StoredEvent) =>
        (input['allWorkspaces'] === true || e.metadata['workspaceId'] === ctx.workspaceId) && (input['type'] === undefined || e.type === input['type']);
      const write = (e: StoredEvent) => {
        if (out.json) {
          process.stdout.write(
            `${JSON.stringify({ id: e.id, stream: e.stream, revision: e.revision, position: e.position, type: e.type, data: e.data, metadata: e.metadata, createdAt: e.createdAt }, jsonReplacer)}\n`,
          );
        } else {
          process.stdout.write(`${String(e.position).padStart(7)}  ${e.createdAt}  ${e.type.padEnd(22)} ${e.stream}@${e.revision}\n`);
        }
      };
      let shown = 0;
      if (typeof input['stream'] === 'string') {
        for (const e of await ctx.store.readStream(input['stream']))
          if (match(e)) {
            write(e);
            shown++;
          }
      } else {
        let after: bigint | null = null;
        for (;;) {
          const batch = await ctx.store.readAll({ after, maxCount: 2000 });
          if (batch.length === 0) break;
          for (const e of batch)
            if (match(e)) {
              write(e);
              shown++;
            }
          after = batch.at(-1)!.position;
        }
      }
      out.info(`${shown} event${shown === 1 ? '' : 's'}`);
    },
  );
}

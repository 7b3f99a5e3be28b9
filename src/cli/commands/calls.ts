import type { Command } from 'commander';
import { act, leaf } from '../define.ts';
import { meetingIdOf } from '../lookup.ts';

/** `outreach call <meetingId>`: the telephone script for a request, as the method's steps 2 and 3 have it. */
export function callCommand(program: Command) {
  act(
    leaf(program, 'call <meeting>', 'print the telephone script for a meeting request (the switchboard until someone introduces you, then the person)'),
    async (session, [text], _input, out) => {
      const id = await meetingIdOf(session, text);
      const { renderCallScript } = await import('../../main/call-script.ts');
      const { kind, script } = await renderCallScript(session.ctx, id, process.env);
      out.result({ id, kind, script }, script.trimEnd());
    },
  );
}

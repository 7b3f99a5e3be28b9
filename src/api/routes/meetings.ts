import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { AppContext } from '../../app/handle.ts';
import { meetingAggregate } from '../../app/aggregates.ts';
import { loadExisting } from '../../app/handle.ts';
import { bookMeetingInput, cancelMeetingInput, holdMeetingInput, meetingOnlyInput, requestMeetingInput, rescheduleMeetingInput } from '../../app/inputs.ts';
import { bookMeeting, cancelMeeting, holdMeeting, recordNoShow, requestMeeting, rescheduleMeeting } from '../../app/meeting-commands.ts';
import { commandContext, commandWorkspace, type ApiDeps } from '../context.ts';
import { anyObject, errorResponses, idParams, workspaceHeader, workspaceQuery } from '../openapi.ts';
import { commandRoute } from './command.ts';
import { checkedId } from './contacts.ts';

type Run = (ctx: AppContext, input: Record<string, unknown>) => Promise<unknown>;

export function meetingRoutes(app: FastifyInstance, deps: ApiDeps) {
  commandRoute(app, deps, {
    method: 'POST',
    url: '/api/meetings',
    tag: 'meetings',
    status: 201,
    input: requestMeetingInput,
    summary: 'Request an informational interview with a contact (`outreach meeting request`)',
    run: (ctx, input) => requestMeeting(ctx, input),
    location: (r) => `/api/meetings/${(r as { id: string }).id}`,
  });

  const sub: [string, z.ZodType, string, Run][] = [
    ['book', bookMeetingInput, 'Book the meeting at a time (`outreach meeting book`)', bookMeeting],
    ['reschedule', rescheduleMeetingInput, 'Move a booked meeting (`outreach meeting reschedule`)', (ctx, i) => rescheduleMeeting(ctx, i, 'seeker')],
    ['cancel', cancelMeetingInput, 'Cancel the meeting (`outreach meeting cancel`)', (ctx, i) => cancelMeeting(ctx, i, 'seeker')],
    ['no-show', meetingOnlyInput, 'The contact did not come (`outreach meeting no-show`)', recordNoShow],
    ['held', holdMeetingInput, 'Record the meeting as held: time taken, referrals asked, notes (`outreach meeting held`)', holdMeeting],
  ];
  for (const [path, input, summary, run] of sub) {
    commandRoute(app, deps, {
      method: 'POST',
      url: `/api/meetings/:id/${path}`,
      tag: 'meetings',
      input,
      pathField: 'meeting',
      summary,
      run,
    });
  }

  app.get(
    '/api/meetings/:id',
    {
      schema: {
        summary: 'A meeting as its stream folds today',
        tags: ['meetings'],
        params: idParams("the meeting's id"),
        headers: workspaceHeader,
        querystring: workspaceQuery('the workspace the meeting is in'),
        response: { 200: anyObject, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const ctx = commandContext(deps, commandWorkspace(request, {}, deps.defaultWorkspace));
      const id = (request.params as { id: string }).id;
      const { state } = await loadExisting(ctx, meetingAggregate, checkedId(id, 'meeting'));
      return { id, workspace: ctx.workspaceId, ...state };
    },
  );
}

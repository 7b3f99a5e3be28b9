import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { AppContext } from '../../app/handle.ts';
import { addContact, addResearchNote, changeContact, forgetContact, optOut, prepareQuestions, recordReply, reportJobLead } from '../../app/contact-commands.ts';
import { contactAggregate } from '../../app/aggregates.ts';
import { loadExisting } from '../../app/handle.ts';
import {
  addContactInput,
  changeContactInput,
  contactLeadInput,
  contactNoteInput,
  contactOnlyInput,
  contactQuestionsInput,
  contactReplyInput,
} from '../../app/inputs.ts';
import { invalid } from '../../domain/errors.ts';
import { id as idSchema } from '../../domain/values.ts';
import { commandContext, commandWorkspace, type ApiDeps } from '../context.ts';
import { anyObject, atLeastOneOf, errorResponses, idParams, workspaceHeader, workspaceQuery } from '../openapi.ts';
import { commandRoute } from './command.ts';

type Run = (ctx: AppContext, input: Record<string, unknown>) => Promise<unknown>;

export function contactRoutes(app: FastifyInstance, deps: ApiDeps) {
  commandRoute(app, deps, {
    method: 'POST',
    url: '/api/contacts',
    tag: 'contacts',
    status: 201,
    input: addContactInput,
    summary: 'Add a person to the networking list (`outreach contact add`)',
    run: (ctx, input) => addContact(ctx, input).then((r) => ({ id: r.id, ...r.contact })),
    location: (r) => `/api/contacts/${(r as { id: string }).id}`,
  });

  commandRoute(app, deps, {
    method: 'PATCH',
    url: '/api/contacts/:id',
    tag: 'contacts',
    input: changeContactInput,
    pathField: 'contact',
    summary: "Correct a contact's details (`outreach contact change`)",
    bodyRules: atLeastOneOf(Object.keys(changeContactInput.shape).filter((f) => f !== 'contact')),
    run: (ctx, input) => {
      // An empty change is the caller's mistake, not an event the log should refuse later.
      if (Object.keys(input).every((k) => k === 'contact')) throw invalid('body', 'give at least one field to change');
      return changeContact(ctx, input);
    },
  });

  const sub: [string, z.ZodType, string, Run][] = [
    ['notes', contactNoteInput, 'Add a research note (`outreach contact note`)', addResearchNote],
    ['questions', contactQuestionsInput, 'Prepare questions for the conversation (`outreach contact questions`)', prepareQuestions],
    ['reply', contactReplyInput, 'Record that the contact replied: stops nudges and keep-in-touch (`outreach contact reply`)', recordReply],
    ['opt-out', contactOnlyInput, 'The contact asked for no more email (`outreach contact opt-out`)', (ctx, input) => optOut(ctx, input, 'seeker')],
    ['forget', contactOnlyInput, "Erase the contact's personal data (`outreach contact forget`)", forgetContact],
    ['leads', contactLeadInput, 'Record a job lead from this contact (`outreach contact lead`)', reportJobLead],
  ];
  for (const [path, input, summary, run] of sub) {
    commandRoute(app, deps, {
      method: 'POST',
      url: `/api/contacts/:id/${path}`,
      tag: 'contacts',
      input,
      pathField: 'contact',
      summary,
      run,
    });
  }

  app.get(
    '/api/contacts/:id',
    {
      schema: {
        summary: 'A contact as its stream folds today (`outreach contact show`)',
        tags: ['contacts'],
        params: idParams("the contact's id"),
        headers: workspaceHeader,
        querystring: workspaceQuery('the workspace the contact is in'),
        response: { 200: anyObject, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const ctx = commandContext(deps, commandWorkspace(request, {}, deps.defaultWorkspace));
      const id = (request.params as { id: string }).id;
      const { state } = await loadExisting(ctx, contactAggregate, checkedId(id, 'contact'));
      return { id, workspace: ctx.workspaceId, ...state };
    },
  );
}

export function checkedId(value: string, field: string): string {
  if (!idSchema.safeParse(value).success) throw invalid(field, 'must be a UUID');
  return value;
}

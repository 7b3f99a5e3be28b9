import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AppContext } from '../../app/handle.ts';
import { invalid } from '../../domain/errors.ts';
import { commandRequest, type ApiDeps } from '../context.ts';
import { anyObject, bodySchema, errorResponses, idParams, workspaceHeader } from '../openapi.ts';

export type CommandSpec = {
  method: 'POST' | 'PATCH';
  url: string;
  summary: string;
  tag: 'workspaces' | 'contacts' | 'meetings';
  /** The zod schema the command validates with (for the OpenAPI document). */
  input: z.ZodType;
  /** The input field the `:id` of the path fills in (contact or meeting). */
  pathField?: string;
  status?: 200 | 201;
  /** Also answer 409 (for the document): commands whose state may refuse them. */
  run(ctx: AppContext, input: Record<string, unknown>, request: FastifyRequest): Promise<unknown>;
  /** A Location header for a created resource. */
  location?: (result: unknown) => string;
  /** Rules of the body the zod schema alone does not show (for the document). */
  bodyRules?: Record<string, unknown>;
  /** The command may name a workspace that does not exist yet (an admin's only). */
  mayCreateWorkspace?: boolean;
};

/**
 * One command endpoint: the body (minus `workspace`) plus the path's id is the command's input, in
 * the CLI's field names; the command function validates it and decides, as `outreach` would.
 */
export function commandRoute(app: FastifyInstance, deps: ApiDeps, spec: CommandSpec) {
  app.route({
    method: spec.method,
    url: spec.url,
    schema: {
      summary: spec.summary,
      tags: [spec.tag],
      headers: workspaceHeader,
      ...(spec.pathField ? { params: idParams(`the ${spec.pathField}'s id`) } : {}),
      body: { ...bodySchema(spec.input, spec.pathField ? [spec.pathField] : []), ...spec.bodyRules },
      response: {
        [spec.status ?? 200]: { description: 'done: the id and the events recorded', ...anyObject },
        ...errorResponses(400, 401, 403, 404, 409, 413, 415),
      },
    },
    handler: async (request, reply) => {
      const { ctx, input } = await commandRequest(deps, request, { mayCreate: spec.mayCreateWorkspace === true });
      if (spec.pathField) {
        const id = (request.params as { id: string }).id;
        if (input[spec.pathField] !== undefined && input[spec.pathField] !== id) {
          throw invalid(spec.pathField, 'differs from the id in the path; leave it out of the body');
        }
        input[spec.pathField] = id;
      }
      const result = await spec.run(ctx, input, request);
      if (spec.location) void reply.header('location', spec.location(result));
      return reply
        .code(spec.status ?? 200)
        .header('cache-control', 'no-store')
        .send({ workspace: ctx.workspaceId, ...(result as object) });
    },
  });
}

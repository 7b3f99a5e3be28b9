import type { FastifyInstance } from 'fastify';
import { workspaceAggregate } from '../../app/aggregates.ts';
import { load } from '../../app/handle.ts';
import { configureWorkspaceInput } from '../../app/inputs.ts';
import { configureWorkspace } from '../../app/workspace-commands.ts';
import { notFound } from '../../domain/errors.ts';
import { mayReach } from '../../app/access.ts';
import { checkWorkspace, commandContext, principalOf, reachable, type ApiDeps } from '../context.ts';
import { anyObject, errorResponses, workspaceProperty } from '../openapi.ts';
import { commandRoute } from './command.ts';

const workspaceParams = { type: 'object', required: ['id'], properties: { id: workspaceProperty('workspace id') } };

/** The workspace's folded state; 404 when nothing was ever written to it. */
async function workspaceState(deps: ApiDeps, id: string) {
  const ctx = commandContext(deps, id);
  const loaded = await load(ctx, workspaceAggregate, id);
  if (!loaded.exists) throw notFound('workspace', id);
  return loaded.state;
}

export function workspaceRoutes(app: FastifyInstance, deps: ApiDeps) {
  commandRoute(app, deps, {
    method: 'POST',
    url: '/api/workspace',
    tag: 'workspaces',
    input: configureWorkspaceInput,
    summary:
      'Configure the workspace named by X-Workspace (or `workspace`): owner, objective, time zone, business hours, delays (`outreach workspace configure`); only an admin makes a new one',
    run: (ctx, input) => configureWorkspace(ctx, input),
    mayCreateWorkspace: true,
  });

  app.get(
    '/api/workspaces',
    {
      schema: {
        summary: "Every workspace the token reaches, with its owner and counts (for a coach's selector)",
        tags: ['workspaces'],
        response: { 200: anyObject, ...errorResponses(401) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return { workspaces: deps.readModels.workspaces().filter((w) => mayReach(p, w.workspaceId)) };
    },
  );

  app.get(
    '/api/workspaces/:id',
    {
      schema: {
        summary: "A workspace's configuration and calendar connection",
        tags: ['workspaces'],
        params: workspaceParams,
        response: { 200: anyObject, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const id = reachable(request, checkWorkspace((request.params as { id: string }).id));
      const state = await workspaceState(deps, id);
      return { workspaceId: id, ...state };
    },
  );

  app.get(
    '/api/workspaces/:id/calendar',
    {
      schema: {
        summary: 'Calendar connection of a workspace (from CalendarConnected / CalendarDisconnected)',
        tags: ['workspaces'],
        params: workspaceParams,
        response: { 200: anyObject, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const ws = reachable(request, checkWorkspace((request.params as { id: string }).id));
      const state = await workspaceState(deps, ws);
      return { workspaceId: ws, ...state.calendar };
    },
  );
}

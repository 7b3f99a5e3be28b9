import type { FastifyInstance } from 'fastify';
import { readModelNames, type ReadModelName } from '../../read-models/queries.ts';
import { readWorkspace, type ApiDeps } from '../context.ts';
import { anyObject, errorResponses, workspaceQuery } from '../openapi.ts';
import { queryInteger } from '../validation.ts';

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;
const MAX_OFFSET = 1_000_000;

const descriptions: Record<ReadModelName, string> = {
  contacts: 'contacts with status, last touch and next action',
  pipeline: 'one row per meeting and its state',
  funnel: 'per week: added → requested → booked → held → thanked → lead',
  'referral-tree': 'who referred whom, through which meeting',
  agenda: 'upcoming meetings',
  'follow-ups': 'follow-ups due (nudges, thank-yous, keep-in-touch)',
  'thank-you-latency': 'time from held to thank-you sent, per meeting',
  'referrals-per-interview': "referrals asked per held meeting, against the method's two",
  'levels-by-industry': 'levels (entry, mid, senior, executive) covered per industry',
  overruns: 'meetings that ran past the agreed length',
  'job-leads': 'job leads reported',
  drafts: "emails held for the seeker's review: waiting, approved, discarded or withdrawn",
};

export const readModelPath = (name: ReadModelName) => `/api/${name}`;

const listQuery = {
  type: 'object',
  properties: {
    workspace: workspaceQuery().properties.workspace,
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
    offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
  },
};

export function readModelRoutes(app: FastifyInstance, deps: ApiDeps) {
  for (const name of readModelNames) {
    app.get(
      readModelPath(name),
      {
        schema: {
          summary: `Read model: ${descriptions[name] ?? name}`,
          tags: ['read models'],
          querystring: listQuery,
          response: {
            200: {
              description: 'a page of rows and the total across pages',
              type: 'object',
              properties: {
                name: { type: 'string' },
                workspace: { type: 'string', nullable: true },
                limit: { type: 'integer' },
                offset: { type: 'integer' },
                total: { type: 'integer' },
                rows: { type: 'array', items: anyObject },
              },
            },
            ...errorResponses(400, 401, 404),
          },
        },
      },
      async (request, reply) => {
        const limit = queryInteger(request, 'limit', { min: 1, max: MAX_LIMIT, fallback: DEFAULT_LIMIT });
        const offset = queryInteger(request, 'offset', { min: 0, max: MAX_OFFSET, fallback: 0 });
        const workspaceId = readWorkspace(request);
        const page = deps.readModels.list(name, { ...(workspaceId ? { workspaceId } : {}), limit, offset, now: deps.clock() });
        void reply.header('cache-control', 'no-store');
        return { name, workspace: workspaceId ?? null, limit, offset, total: page.total, rows: page.rows };
      },
    );
  }

  const cacheMs = deps.dashboardCacheMs ?? 1000;
  const cache = new Map<string, { at: number; checkpoints: string; body: string }>();
  /** Where the projections stand: any event applied changes it. */
  const checkpoints = () =>
    deps.readModels
      .lag(null)
      .map((p) => p.checkpoint)
      .join(',');

  app.get(
    '/api/dashboard',
    {
      schema: {
        summary:
          'Every figure of the dashboard: funnel, meetings per week, thank-you latency, referrals per interview, levels per industry, agenda, follow-ups due, overruns, job leads',
        tags: ['read models'],
        querystring: workspaceQuery(),
        response: { 200: anyObject, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const workspaceId = readWorkspace(request);
      void reply.header('cache-control', 'no-store').header('content-type', 'application/json; charset=utf-8');
      if (cacheMs <= 0) return JSON.stringify(deps.readModels.dashboard({ ...(workspaceId ? { workspaceId } : {}), now: deps.clock() }));
      // A dashboard many people (or a wall screen per coach) poll is computed once per moment, not once per request.
      const key = workspaceId ?? '';
      const now = Date.now();
      const at = checkpoints();
      const hit = cache.get(key);
      if (hit && now - hit.at < cacheMs && hit.checkpoints === at) return hit.body;
      const body = JSON.stringify(deps.readModels.dashboard({ ...(workspaceId ? { workspaceId } : {}), now: deps.clock() }));
      cache.delete(key);
      cache.set(key, { at: now, checkpoints: at, body });
      if (cache.size > 1000) cache.delete(cache.keys().next().value!);
      return body;
    },
  );

  app.get(
    '/api/projections',
    {
      config: { access: 'staff' },
      schema: {
        summary: "Each projection's checkpoint and lag behind the head of the event log (admin or coach)",
        tags: ['operations'],
        response: { 200: anyObject, ...errorResponses(401, 403) },
      },
    },
    async () => {
      const head = await deps.store.headPosition();
      const here = deps.projectorPosition?.();
      return {
        head: head === null ? null : Number(head),
        // Whether this server runs the projector itself (outreach serve does, unless --no-projector).
        projectorInThisProcess: deps.projectorPosition !== undefined,
        ...(here !== undefined ? { projectorPosition: here === null ? null : Number(here) } : {}),
        projections: deps.readModels.lag(head),
      };
    },
  );
}

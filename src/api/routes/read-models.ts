import type { FastifyInstance } from 'fastify';
import { readModelNames, type ReadModelName } from '../../read-models/queries.ts';
import { readWorkspace, type ApiDeps } from '../context.ts';
import { anyObject, errorResponses, workspaceQuery } from '../openapi.ts';
import { queryInteger } from '../validation.ts';
import { formatQuery, sendCsv, wantsCsv } from '../csv.ts';
import { contactFilterOf, contactFilterQuery, rangeQuery } from './query-params.ts';
import { parseRange } from '../../read-models/range.ts';
import { boundedMap } from '../../domain/bounded-map.ts';

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

const listQuery = (name: ReadModelName) => ({
  type: 'object',
  properties: {
    workspace: workspaceQuery().properties.workspace,
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'rows per page (CSV: every row unless given)' },
    offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
    format: formatQuery,
    ...(name === 'contacts' ? contactFilterQuery : {}),
  },
});

/** A CSV export holds every row unless a page is asked for; read in pages of this many. */
const EXPORT_PAGE = 1000;
const EXPORT_MAX = 100_000;

export function readModelRoutes(app: FastifyInstance, deps: ApiDeps) {
  for (const name of readModelNames) {
    app.get(
      readModelPath(name),
      {
        schema: {
          summary: `Read model: ${descriptions[name] ?? name}`,
          tags: ['read models'],
          querystring: listQuery(name),
          produces: ['application/json', 'text/csv'],
          response: {
            200: {
              description: 'a page of rows and the total across pages (with `?format=csv` or `Accept: text/csv`: the rows as CSV)',
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
        const csv = wantsCsv(request);
        const asked = (request.query as Record<string, unknown>)['limit'] !== undefined;
        const limit = queryInteger(request, 'limit', { min: 1, max: MAX_LIMIT, fallback: DEFAULT_LIMIT });
        const offset = queryInteger(request, 'offset', { min: 0, max: MAX_OFFSET, fallback: 0 });
        const workspaceId = readWorkspace(request);
        const filter = name === 'contacts' ? contactFilterOf(request) : undefined;
        const read = (l: number, o: number) => {
          const q = { ...(workspaceId ? { workspaceId } : {}), limit: l, offset: o, now: deps.clock() };
          return filter ? deps.readModels.contacts({ ...q, filter }) : deps.readModels.list(name, q);
        };
        if (csv) {
          const rows = asked ? read(limit, offset).rows : [];
          for (let o = offset; !asked && o < offset + EXPORT_MAX; o += EXPORT_PAGE) {
            const page = read(EXPORT_PAGE, o).rows;
            rows.push(...page);
            if (page.length < EXPORT_PAGE) break;
          }
          return sendCsv(reply, `${name}-${workspaceId ?? 'all'}`, rows);
        }
        const page = read(limit, offset);
        void reply.header('cache-control', 'no-store');
        return { name, workspace: workspaceId ?? null, limit, offset, total: page.total, rows: page.rows };
      },
    );
  }

  const cacheMs = deps.dashboardCacheMs ?? 1000;
  const cache = boundedMap<string, { at: number; checkpoints: string; body: string }>(1000);
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
          'Every figure of the dashboard, counted between `from` and `to`: funnel, meetings per week, thank-you latency, referrals per interview, levels listed and met per industry, objectivity per career target, agenda, follow-ups due, overruns, job leads',
        tags: ['read models'],
        querystring: { type: 'object', properties: { ...workspaceQuery().properties, ...rangeQuery } },
        response: { 200: anyObject, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const workspaceId = readWorkspace(request);
      const range = parseRange(request.query as Record<string, unknown>);
      const compute = () => JSON.stringify(deps.readModels.dashboard({ ...(workspaceId ? { workspaceId } : {}), now: deps.clock(), range }));
      void reply.header('cache-control', 'no-store').header('content-type', 'application/json; charset=utf-8');
      if (cacheMs <= 0) return compute();
      // A dashboard many people (or a wall screen per coach) poll is computed once per moment, not once per request.
      const key = `${workspaceId ?? ''} ${range.from ?? ''} ${range.to ?? ''}`;
      const now = Date.now();
      const at = checkpoints();
      const hit = cache.get(key);
      if (hit && now - hit.at < cacheMs && hit.checkpoints === at) return hit.body;
      const body = compute();
      cache.set(key, { at: now, checkpoints: at, body });
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

import type { FastifyInstance } from 'fastify';
import { mayReach } from '../../app/access.ts';
import { contactProfile } from '../../app/contact-profile.ts';
import { contactTimeline } from '../../app/contact-timeline.ts';
import { invalid } from '../../domain/errors.ts';
import { parseRange } from '../../read-models/range.ts';
import { todayList } from '../../read-models/today.ts';
import { commandContext, commandWorkspace, principalOf, readWorkspace, type ApiDeps } from '../context.ts';
import { anyObject, errorResponses, idParams, workspaceHeader, workspaceProperty, workspaceQuery } from '../openapi.ts';
import { checkedId } from './contacts.ts';
import { rangeQuery } from './query-params.ts';

/** What the dashboard reads besides its figures: the coach's table of seekers, a seeker's day, a person's story. */
export function dashboardApiRoutes(app: FastifyInstance, deps: ApiDeps) {
  app.get(
    '/api/seekers',
    {
      schema: {
        summary:
          'One row per seeker the token reaches, counted between `from` and `to`: contacts added, requests, meetings held, thank-yous within 24 h, referrals per interview, job leads, last activity',
        tags: ['read models'],
        querystring: { type: 'object', properties: { ...rangeQuery, workspace: workspaceProperty('only this seeker (404 for one the token does not reach)') } },
        response: { 200: anyObject, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const range = parseRange(request.query as Record<string, unknown>);
      const p = principalOf(request);
      // A seeker named (query or X-Workspace) is checked like everywhere else: one not reached is 404, never ignored.
      const q = (request.query as Record<string, unknown>)['workspace'];
      const named = (q !== undefined && q !== '') || request.headers['x-workspace'] ? readWorkspace(request) : undefined;
      void reply.header('cache-control', 'no-store');
      const seekers = deps.readModels.seekers(range).filter((s) => mayReach(p, s.workspaceId) && (named === undefined || s.workspaceId === named));
      return { from: range.from ?? null, to: range.to ?? null, seekers };
    },
  );

  app.get(
    '/api/today',
    {
      schema: {
        summary: "The seeker's list for today (`outreach today`): calls, drafts, replies, meetings, thank-yous owed, updates, leads; overdue first",
        tags: ['read models'],
        querystring: workspaceQuery("the seeker's workspace (required for a token that reaches several)"),
        response: { 200: anyObject, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const workspaceId = readWorkspace(request);
      if (workspaceId === undefined) throw invalid('workspace', "name the seeker's workspace: today's list is one person's");
      void reply.header('cache-control', 'no-store');
      return { workspace: workspaceId, items: todayList(deps.readModels, { workspaceId, now: deps.clock() }) };
    },
  );

  app.get(
    '/api/contacts/:id/timeline',
    {
      schema: {
        summary: 'A person and their story (`outreach contact show`): details, notes, questions, meetings, emails, leads, referrals, every event in order',
        tags: ['contacts'],
        params: idParams("the contact's id"),
        headers: workspaceHeader,
        querystring: workspaceQuery('the workspace the contact is in'),
        response: { 200: anyObject, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const ctx = commandContext(deps, commandWorkspace(request, {}, deps.defaultWorkspace));
      const id = checkedId((request.params as { id: string }).id, 'contact');
      const profile = await contactProfile(ctx, id);
      const timeline = await contactTimeline(ctx, profile);
      const referralsGiven = deps.readModels.referralsGivenBy(id);
      // A referral names the person referred (as the list has them: none once forgotten).
      const named = timeline.map((e) => {
        const who = e.otherContactId === undefined ? undefined : referralsGiven.find((r) => r.contactId === e.otherContactId);
        return who ? { ...e, what: `referred ${who.name ?? '(forgotten)'}` } : e;
      });
      void reply.header('cache-control', 'no-store');
      return { workspace: ctx.workspaceId, ...profile, referralsGiven, timeline: named };
    },
  );
}

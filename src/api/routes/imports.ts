import type { FastifyInstance } from 'fastify';
import { importHeader } from '../../app/contact-import.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { commandContext, commandWorkspace, reachable, requireWorkspace, type ApiDeps } from '../context.ts';
import type { ImportJob, ImportJobs } from '../imports.ts';
import { anyObject, errorResponses, idParams, workspaceHeader, workspaceQuery } from '../openapi.ts';

/** Imports take a whole CSV file, so their body limit is larger than the other commands'. */
export const IMPORT_BODY_LIMIT = 5 * 1024 * 1024;

const jobView = (job: ImportJob) => ({ ...job, links: { self: `/api/imports/${job.id}` } });

/**
 * `POST /api/contacts/import` starts an import and answers 202 at once; `GET /api/imports/:id`
 * follows it. The file is text/csv (or JSON `{"csv": "…"}`), never text/plain: a plain HTML form on
 * another site can post text/plain, not text/csv.
 */
export function importRoutes(app: FastifyInstance, deps: ApiDeps, imports: ImportJobs) {
  app.register(async (scope) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/contacts/import',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          summary:
            'Import LinkedIn\'s Connections.csv or a CSV with the columns of `contact add` (`outreach contact import`), as a job: 202 with its id, then GET /api/imports/{id}; body: the file as text/csv, or JSON {"csv": "…"}; at most 5 MB',
          tags: ['contacts'],
          headers: workspaceHeader,
          querystring: workspaceQuery('the workspace to import into'),
          body: {
            content: {
              'text/csv': { schema: { type: 'string', minLength: 1, pattern: '\\S', description: 'the CSV file' } },
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['csv'],
                  additionalProperties: false,
                  properties: { csv: { type: 'string', minLength: 1, pattern: '\\S' }, workspace: workspaceQuery().properties.workspace },
                },
              },
            },
          },
          response: {
            202: { description: 'the import started: its id, and where to follow it', ...anyObject },
            ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
          },
        },
      },
      async (request, reply) => {
        let text: unknown = request.body;
        let body: Record<string, unknown> = {};
        if (text !== null && typeof text === 'object' && !Array.isArray(text)) {
          body = text as Record<string, unknown>;
          const extra = Object.keys(body).find((k) => k !== 'csv' && k !== 'workspace');
          if (extra) throw invalid(extra, `unknown field ${extra}`);
          text = body['csv'];
        }
        if (typeof text !== 'string' || text.trim() === '') throw invalid('csv', 'send the CSV file as the body (text/csv) or as "csv" in a JSON body');
        const workspace = commandWorkspace(request, body, deps.defaultWorkspace);
        await requireWorkspace(deps, workspace);
        // A file without a header or with unknown columns is refused now, not reported later.
        importHeader(text);
        const job = imports.start(commandContext(deps, workspace), text);
        return reply.code(202).header('location', `/api/imports/${job.id}`).header('cache-control', 'no-store').send(jobView(job));
      },
    );
  });

  app.get(
    '/api/imports/:id',
    {
      schema: {
        summary: 'An import: running (rows done so far), done (rows imported, duplicates skipped, rows rejected with their reasons) or failed',
        tags: ['contacts'],
        params: idParams("the import's id"),
        response: { 200: anyObject, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const job = imports.get(id);
      // Another workspace's import is as missing as one that never ran.
      if (!job) throw notFound('import', id);
      try {
        reachable(request, job.workspace);
      } catch {
        throw notFound('import', id);
      }
      return reply.header('cache-control', 'no-store').send(jobView(job));
    },
  );
}

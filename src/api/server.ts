import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { installAuth } from './auth.ts';
import type { ApiDeps } from './context.ts';
import { installErrorHandling } from './errors.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { openapiInfo } from './openapi.ts';
import { contactRoutes } from './routes/contacts.ts';
import { meetingRoutes } from './routes/meetings.ts';
import { operationRoutes, redisReachable } from './routes/operations.ts';
import { readModelRoutes } from './routes/read-models.ts';
import { unsubscribeRoutes } from './routes/unsubscribe.ts';
import { workspaceRoutes } from './routes/workspaces.ts';

/** Command bodies are small; 256 KB leaves room for long notes and refuses anything else with 413. */
export const BODY_LIMIT = 256 * 1024;

export const DASHBOARD_DIR = fileURLToPath(new URL('./dashboard/', import.meta.url));

export type ServerOptions = {
  /** The bearer token every protected route requires. */
  token: string;
  /** Where server errors (500) are written; stderr by default. */
  log?: (line: string) => void;
  bodyLimit?: number;
};

export type ApiServer = FastifyInstance & { metrics: Metrics };

const DASHBOARD_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The HTTP API and the dashboard over the given dependencies. It does not listen; call
 * `listen` (or `inject` in a test). Closing it does not close the dependencies.
 */
export async function buildServer(deps: ApiDeps, opts: ServerOptions): Promise<ApiServer> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const app = Fastify({ bodyLimit: opts.bodyLimit ?? BODY_LIMIT, logger: false, return503OnClosing: true, routerOptions: { maxParamLength: 600 } });

  // Route schemas document the API; the command functions' zod schemas validate, as for the CLI.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // An empty JSON body (a command with nothing but the id in its path) reads as {}.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    defaultJson(request, text, done);
  });

  installErrorHandling(app, log);
  installAuth(app, opts.token);

  const metrics = createMetrics({ store: deps.store, readModels: deps.readModels, queues: deps.queues, redisUp: () => redisReachable(deps) });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    ...openapiInfo,
    hideUntagged: true,
  } as never);
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', persistAuthorization: true } });

  workspaceRoutes(app, deps);
  contactRoutes(app, deps);
  meetingRoutes(app, deps);
  readModelRoutes(app, deps);
  operationRoutes(app, deps, metrics);
  unsubscribeRoutes(app, deps);
  dashboardRoutes(app);

  await app.ready();
  return Object.assign(app, { metrics }) as unknown as ApiServer;
}

/** The dashboard: one static page and its script and style, no build step. */
function dashboardRoutes(app: FastifyInstance) {
  const index = readFileSync(`${DASHBOARD_DIR}index.html`, 'utf8');
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', DASHBOARD_CSP)
      .header('cache-control', 'no-cache')
      .header('referrer-policy', 'no-referrer')
      .send(index),
  );
  void app.register(fastifyStatic, {
    root: DASHBOARD_DIR,
    prefix: '/dashboard/',
    decorateReply: false,
    cacheControl: true,
    maxAge: 0,
    setHeaders: (reply) => {
      void reply.header('content-security-policy', DASHBOARD_CSP).header('x-content-type-options', 'nosniff');
    },
  });
}

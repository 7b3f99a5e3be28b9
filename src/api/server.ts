import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { authenticator, installAuth } from './auth.ts';
import type { ApiDeps } from './context.ts';
import { installErrorHandling } from './errors.ts';
import { DASHBOARD_CSP, docsCsp, installSecurityHeaders } from './headers.ts';
import { createImportJobs } from './imports.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { openapiInfo } from './openapi.ts';
import { contactRoutes } from './routes/contacts.ts';
import { dashboardApiRoutes } from './routes/dashboard.ts';
import { importRoutes } from './routes/imports.ts';
import { meetingRoutes } from './routes/meetings.ts';
import { operationRoutes, redisReachable } from './routes/operations.ts';
import { readModelRoutes } from './routes/read-models.ts';
import { sessionRoutes } from './routes/session.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { unsubscribeRoutes } from './routes/unsubscribe.ts';
import { workspaceRoutes } from './routes/workspaces.ts';
import { bodyValidatorCompiler } from './validation.ts';

/** Command bodies are small; 256 KB leaves room for long notes and refuses anything else with 413. */
export const BODY_LIMIT = 256 * 1024;

export const DASHBOARD_DIR = fileURLToPath(new URL('./dashboard/', import.meta.url));

export type ServerOptions = {
  /** The admin's bootstrap token (OUTREACH_API_TOKEN); other tokens and sessions come from deps.access. */
  token: string;
  /** Where server errors (500) are written; stderr by default. */
  log?: (line: string) => void;
  bodyLimit?: number;
  /** How long a browser session lasts after logging in (default 12 hours), never past its token's expiry. */
  sessionTtlMs?: number;
  /** Fastify's trustProxy: believe X-Forwarded-Proto/-Host/-For from these addresses, or this many hops (OUTREACH_TRUST_PROXY). */
  trustProxy?: boolean | number | string | string[];
  limits?: Partial<HttpLimits>;
};

/**
 * What one client may hold of the server: a connection that sends nothing is closed after
 * `idleTimeoutMs`, a keep-alive one between requests after `keepAliveTimeoutMs`; headers must be
 * complete within `headersTimeoutMs` and a whole request within `requestTimeoutMs`; at most
 * `maxConnections` sockets are open at once (more are closed on arrival).
 */
export type HttpLimits = { idleTimeoutMs: number; keepAliveTimeoutMs: number; headersTimeoutMs: number; requestTimeoutMs: number; maxConnections: number };

export const DEFAULT_LIMITS: HttpLimits = {
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxConnections: 1_000,
};

export const SESSION_TTL_MS = 12 * 3600_000;

/** Trust the nearest `n` proxies (Fastify takes a hop count, its types only a function). */
const hops = (n: number) => (_address: string, hop: number) => hop < n;

export type ApiServer = FastifyInstance & { metrics: Metrics };

/**
 * The HTTP API and the dashboard over the given dependencies. It does not listen; call
 * `listen` (or `inject` in a test). Closing it does not close the dependencies.
 */
export async function buildServer(deps: ApiDeps, opts: ServerOptions): Promise<ApiServer> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const app = Fastify({
    bodyLimit: opts.bodyLimit ?? BODY_LIMIT,
    logger: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 600 },
    trustProxy: typeof opts.trustProxy === 'number' ? hops(opts.trustProxy) : (opts.trustProxy ?? false),
    // Fastify applies none of its own timeouts to a server it did not make: all are set here.
    serverFactory: (handler) => {
      const server = createServer(
        {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          // Node checks the header and request timeouts on this beat; its default (30 s) would let a limit of a few seconds run long.
          connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
        },
        handler,
      );
      // A socket with no traffic for this long is closed, also one that never sent a request.
      server.setTimeout(limits.idleTimeoutMs);
      server.maxConnections = limits.maxConnections;
      return server;
    },
  });

  // Bodies are checked against the documented schema with no coercion; the command's zod schema then checks the rest.
  app.setValidatorCompiler(bodyValidatorCompiler);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // No text/plain anywhere: it is what a form on another site can post without asking.
  app.removeContentTypeParser('text/plain');
  // An empty JSON body (a command with nothing but the id in its path) reads as {}.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    defaultJson(request, text, done);
  });

  installErrorHandling(app, log);
  installSecurityHeaders(app);
  const auth = authenticator(opts.token, deps.access, () => deps.clock());
  installAuth(app, auth);

  const metrics = createMetrics({ store: deps.store, readModels: deps.readModels, queues: deps.queues, redisUp: () => redisReachable(deps) });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    ...openapiInfo,
    hideUntagged: true,
  } as never);
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', persistAuthorization: false, validatorUrl: null },
    staticCSP: true,
    transformStaticCSP: docsCsp,
  });

  const imports = createImportJobs({ log });
  app.addHook('onClose', async () => imports.close());
  workspaceRoutes(app, deps);
  contactRoutes(app, deps);
  importRoutes(app, deps, imports);
  meetingRoutes(app, deps);
  readModelRoutes(app, deps);
  dashboardApiRoutes(app, deps);
  operationRoutes(app, deps, metrics);
  unsubscribeRoutes(app, deps);
  sessionRoutes(app, deps, { ttlMs: opts.sessionTtlMs ?? SESSION_TTL_MS, auth });
  tokenRoutes(app, deps);
  dashboardRoutes(app);

  await app.ready();
  return Object.assign(app, { metrics }) as unknown as ApiServer;
}

/** The dashboard: one static page and its script and style, no build step. */
function dashboardRoutes(app: FastifyInstance) {
  const index = readFileSync(`${DASHBOARD_DIR}index.html`, 'utf8');
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', DASHBOARD_CSP).header('cache-control', 'no-cache').send(index),
  );
  void app.register(fastifyStatic, {
    root: DASHBOARD_DIR,
    prefix: '/dashboard/',
    decorateReply: false,
    cacheControl: true,
    maxAge: 0,
    setHeaders: (reply) => {
      void reply.header('content-security-policy', DASHBOARD_CSP);
    },
  });
}

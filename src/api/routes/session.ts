import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, ownOrigin, SECURE_SESSION_COOKIE, SESSION_COOKIE, sessionCookieName, type Authenticator, type Principal } from '../auth.ts';
import { principalOf, type ApiDeps } from '../context.ts';
import { errorBody } from '../errors.ts';
import { anyObject, errorResponses } from '../openapi.ts';

const whoami = (p: Omit<Principal, 'via'> & { via?: Principal['via'] }) => ({
  role: p.role,
  workspaces: p.workspaces,
  name: p.name,
  expiresAt: p.expiresAt,
  ...(p.via ? { via: p.via } : {}),
});

/** The session cookie: HttpOnly, SameSite=Strict, and `__Host-` with Secure when the request came over https. */
function setCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number) {
  const secure = request.protocol === 'https';
  const attributes = `Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
  return reply.header('set-cookie', `${sessionCookieName(request)}=${value}; ${attributes}`);
}

const clearCookies = (reply: FastifyReply) =>
  reply.header('set-cookie', [
    `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
    `${SECURE_SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure`,
  ]);

/**
 * Browser sessions. The dashboard logs in by posting a token here; the answer sets a cookie holding
 * a random session id (the server keeps its hash, an expiry and the token it came from). Revoking
 * the token, logging out or the expiry ends it. The token itself never goes into a cookie.
 */
export function sessionRoutes(app: FastifyInstance, deps: ApiDeps, opts: { ttlMs: number; auth: Authenticator }) {
  const { auth } = opts;

  app.post(
    '/api/session',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Log in a browser with a token: sets an HttpOnly session cookie (the token is not stored in it)',
        tags: ['access'],
        security: [],
        body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1, maxLength: 500 } } },
        response: { 201: { description: 'logged in: what the token may see', ...anyObject }, ...errorResponses(400, 401, 403, 415) },
      },
    },
    async (request, reply: FastifyReply) => {
      // A login posted from another site (logging the victim into the attacker's account) is refused too.
      const origin = request.headers.origin;
      if (origin !== undefined && origin.toLowerCase() !== ownOrigin(request)) return forbidden(reply, 'log in from this site');
      const token = (request.body as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || token === '') return reply.code(400).send(errorBody('validation', 'token: give the API token', 'token'));
      const who = auth.byToken(token);
      if (!who)
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="outreach"')
          .send(errorBody('unauthorized', 'that token is not valid (or was revoked, or has expired)'));
      const now = deps.clock();
      const until = Date.parse(now) + opts.ttlMs;
      const expiresAt = new Date(who.expiresAt === null ? until : Math.min(until, Date.parse(who.expiresAt))).toISOString();
      const session = deps.access.createSession(who.tokenId, expiresAt, now);
      setCookie(request, reply, session.id, Math.max(1, Math.floor((Date.parse(expiresAt) - Date.parse(now)) / 1000)));
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(whoami({ ...who, expiresAt, via: 'session' }));
    },
  );

  app.get(
    '/api/session',
    {
      schema: {
        summary: 'Who is asking: role, the workspaces the token reaches, and when the session ends',
        tags: ['access'],
        response: { 200: anyObject, ...errorResponses(401) },
      },
    },
    async (request, reply) => reply.header('cache-control', 'no-store').send(whoami(principalOf(request))),
  );

  app.delete(
    '/api/session',
    {
      schema: {
        summary: "Log out: ends this browser's session on the server and clears its cookie",
        tags: ['access'],
        response: { 204: { description: 'logged out', type: 'null' }, ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      if (p.sessionId) deps.access.endSession(p.sessionId);
      return clearCookies(reply).code(204).send();
    },
  );
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessStore, Scope } from '../app/access.ts';
import { OutreachError } from '../domain/errors.ts';
import { errorBody } from './errors.ts';

/**
 * Who is asking. A request proves it with `Authorization: Bearer <token>` (OUTREACH_API_TOKEN, the
 * admin's bootstrap token, or one made with `outreach token create`), or, from the dashboard, with
 * the cookie of a session made by logging in with a token (POST /api/session). The cookie holds a
 * random session id, never a token.
 */
export type Principal = Scope & { tokenId: string; name: string | null; via: 'bearer' | 'session'; sessionId?: string; expiresAt: string | null };

/** Who may call a route: anyone, any holder of a token, admins and coaches, admins only. */
export type Access = 'public' | 'any' | 'staff' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export const SESSION_COOKIE = 'outreach_session';
/** Over https the cookie is `__Host-` prefixed: Secure, for this host only, no Domain, Path=/. */
export const SECURE_SESSION_COOKIE = '__Host-outreach_session';
const MIN_TOKEN_LENGTH = 16;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time: both sides hashed to 32 bytes, so neither the content nor the length leaks. */
export function tokenMatches(given: string | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(digest(given), expected);
}

export const isLoopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * The admin's bootstrap token. Unset is allowed only on a loopback address, and then a random one is
 * made for this run (printed in the login link), so that other users of the machine and web pages
 * that reach localhost from a browser still cannot read the data.
 */
export function resolveApiToken(env: NodeJS.ProcessEnv, host: string): { token: string; generated: boolean } {
  const token = env['OUTREACH_API_TOKEN'];
  if (token) {
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new OutreachError('config', `OUTREACH_API_TOKEN: must be at least ${MIN_TOKEN_LENGTH} characters (for example \`openssl rand -hex 32\`)`, {
        field: 'OUTREACH_API_TOKEN',
      });
    }
    return { token, generated: false };
  }
  if (!isLoopback(host)) {
    throw new OutreachError('config', `OUTREACH_API_TOKEN: must be set to serve on ${host}; without it the server binds to 127.0.0.1 only`, {
      field: 'OUTREACH_API_TOKEN',
    });
  }
  return { token: randomBytes(24).toString('base64url'), generated: true };
}

const PUBLIC_EXACT = new Set(['/healthz', '/readyz', '/', '/favicon.ico']);
const PUBLIC_PREFIXES = ['/u/', '/dashboard/'];

export const isPublicPath = (path: string) => PUBLIC_EXACT.has(path) || PUBLIC_PREFIXES.some((p) => path.startsWith(p));

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** This server's origin as the browser sees it (X-Forwarded-Proto and -Host count only with OUTREACH_TRUST_PROXY). */
export const ownOrigin = (request: FastifyRequest) => `${request.protocol}://${request.host}`.toLowerCase();

/**
 * Why a write carried by the session cookie is refused, or null. The browser sends the cookie by
 * itself (to every port of the host over http), so the write must show it came from this site's
 * own page: an Origin equal to ours (a missing or `null` one is refused: a redirect or a sandboxed
 * frame sends `null`), and a body or header a plain HTML form cannot make (JSON or X-Requested-With).
 */
export function csrfRefusal(request: FastifyRequest): string | null {
  if (SAFE_METHODS.has(request.method)) return null;
  const origin = request.headers.origin;
  if (!origin || origin === 'null') return 'a write made with the login cookie must carry this site as its Origin';
  if (origin.toLowerCase() !== ownOrigin(request)) return 'a write made with the login cookie must come from this site';
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type) && request.headers['x-requested-with'] === undefined)
    return 'a write made with the login cookie must send JSON or an X-Requested-With header';
  return null;
}

export const sessionCookieName = (request: FastifyRequest) => (request.protocol === 'https' ? SECURE_SESSION_COOKIE : SESSION_COOKIE);

export const sessionIdOf = (request: FastifyRequest) => cookieValue(request.headers.cookie, sessionCookieName(request));

export type Authenticator = {
  /** The principal a token stands for (the bootstrap admin's or a stored one), or null. */
  byToken(secret: string): Omit<Principal, 'via'> | null;
  bySession(id: string): Omit<Principal, 'via'> | null;
};

export function authenticator(bootstrapToken: string, access: AccessStore, now: () => string): Authenticator {
  const expected = digest(bootstrapToken);
  // Sessions made with the bootstrap token name it by a fingerprint: a new OUTREACH_API_TOKEN ends them.
  const bootstrapId = `bootstrap:${createHash('sha256').update(expected).digest('hex').slice(0, 16)}`;
  const admin = { role: 'admin', workspaces: 'all', tokenId: bootstrapId, name: 'OUTREACH_API_TOKEN', expiresAt: null } as const;
  const fromToken = (t: ReturnType<AccessStore['tokenById']>) =>
    t && { role: t.role, workspaces: t.workspaces, tokenId: t.id, name: t.name, expiresAt: t.expiresAt };
  return {
    byToken(secret) {
      if (tokenMatches(secret, expected)) return admin;
      return fromToken(access.tokenFor(secret, now()));
    },
    bySession(id) {
      const session = access.session(id, now());
      if (!session) return null;
      const who = session.tokenId === bootstrapId ? admin : fromToken(access.tokenById(session.tokenId, now()));
      return who && { ...who, sessionId: id, expiresAt: session.expiresAt };
    },
  };
}

const unauthorized = (reply: FastifyReply, message: string) =>
  reply.code(401).header('www-authenticate', 'Bearer realm="outreach"').header('cache-control', 'no-store').send(errorBody('unauthorized', message));

export const forbidden = (reply: FastifyReply, message: string) => reply.code(403).header('cache-control', 'no-store').send(errorBody('forbidden', message));

const permits = (rule: Access, p: Principal) => rule === 'any' || p.role === 'admin' || (rule === 'staff' && p.role === 'coach');

/** The rule of a route: its own `config.access`, else by path (the queue board and the static files have no config of ours). */
function ruleOf(request: FastifyRequest, path: string): Access {
  const own = request.routeOptions.config?.access;
  if (own) return own;
  if (path === '/queues' || path.startsWith('/queues/')) return 'admin';
  return isPublicPath(path) ? 'public' : 'any';
}

export function installAuth(app: FastifyInstance, auth: Authenticator) {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const rule = ruleOf(request, path);
    if (rule === 'public') return;
    let principal: Principal | null = null;
    if (request.headers.authorization !== undefined) {
      const given = bearer(request);
      const who = given === undefined ? null : auth.byToken(given);
      if (!who) return unauthorized(reply, given === undefined ? 'send Authorization: Bearer <token>' : 'the bearer token is not valid');
      principal = { ...who, via: 'bearer' };
    } else {
      const id = sessionIdOf(request);
      const who = id === undefined ? null : auth.bySession(id);
      if (!who) return unauthorized(reply, 'send Authorization: Bearer <token>, or log in on the dashboard');
      const refusal = csrfRefusal(request);
      if (refusal) return forbidden(reply, refusal);
      principal = { ...who, via: 'session' };
    }
    if (!permits(rule, principal)) return forbidden(reply, rule === 'admin' ? 'this needs an admin token' : 'this needs an admin or coach token');
    request.principal = principal;
  });
}

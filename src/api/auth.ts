import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OutreachError } from '../domain/errors.ts';
import { errorBody } from './errors.ts';

/**
 * Bearer-token authentication. Every route needs OUTREACH_API_TOKEN except the health checks, the
 * unsubscribe links (a mail recipient has no token) and the dashboard's static shell, which holds no
 * data and asks for the token itself. A browser can log in once with `?token=…` on any page: the
 * server then sets an HttpOnly, SameSite=Strict cookie and redirects to the same page without it.
 */
export const COOKIE = 'outreach_token';
const MIN_TOKEN_LENGTH = 16;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time: both sides hashed to 32 bytes, so neither the content nor the length leaks. */
export function tokenMatches(given: string | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(digest(given), expected);
}

export const isLoopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * The token to require. Unset is allowed only on a loopback address, and then a random one is made
 * for this run (printed in the login URL), so that other users of the machine and web pages that
 * reach localhost from a browser still cannot read the data.
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

const unauthorized = (reply: FastifyReply, message: string) =>
  reply.code(401).header('www-authenticate', 'Bearer realm="outreach"').header('cache-control', 'no-store').send(errorBody('unauthorized', message));

export function installAuth(app: FastifyInstance, token: string) {
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    const url = new URL(request.url, 'http://local');
    const path = url.pathname;

    // Browser login: ?token= on a page (not the JSON API) sets the cookie and drops the token from the address bar.
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null && request.method === 'GET' && !path.startsWith('/api/') && !path.startsWith('/u/')) {
      if (!tokenMatches(fromQuery, expected)) return unauthorized(reply, 'the token in the link is not valid');
      url.searchParams.delete('token');
      const secure = request.protocol === 'https' ? '; Secure' : '';
      return reply
        .code(303)
        .header('set-cookie', `${COOKIE}=${encodeURIComponent(fromQuery)}; Path=/; HttpOnly; SameSite=Strict${secure}`)
        .header('cache-control', 'no-store')
        .header('location', `${path}${url.search}`)
        .send();
    }
    if (isPublicPath(path)) return;

    const viaHeader = bearer(request);
    if (viaHeader !== undefined) {
      if (tokenMatches(viaHeader, expected)) return;
      return unauthorized(reply, 'the bearer token is not valid');
    }
    const viaCookie = cookieValue(request.headers.cookie, COOKIE);
    if (viaCookie !== undefined && tokenMatches(viaCookie, expected)) {
      // SameSite=Strict keeps other sites from sending the cookie; a foreign Origin on a write is refused as well.
      const origin = request.headers.origin;
      if (request.method !== 'GET' && request.method !== 'HEAD' && origin && origin !== 'null') {
        let sameHost = false;
        try {
          sameHost = new URL(origin).host === request.headers.host;
        } catch {
          sameHost = false;
        }
        if (!sameHost) return reply.code(403).send(errorBody('forbidden', 'a cookie-authenticated write must come from this site'));
      }
      return;
    }
    return unauthorized(reply, 'send Authorization: Bearer <OUTREACH_API_TOKEN>');
  });
}

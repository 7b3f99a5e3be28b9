import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The dashboard: its own script and style only, never framed, nothing sent elsewhere. */
export const DASHBOARD_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/** The queue board (Bull Board) styles elements inline; its scripts and fonts are its own or the system's. */
const BOARD_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/** JSON answers and anything else: nothing to run, nothing to frame. */
const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Swagger UI's own policy, tightened: never framed, no https: sources or validator.swagger.io
 * (the page needs nothing from elsewhere), and no upgrade-insecure-requests (which would break the
 * page on plain http://127.0.0.1). Its script sets style attributes, so styles may be inline; its
 * scripts may not.
 */
export function docsCsp(header: string): string {
  return header
    .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
    .replace(/ https:/g, '')
    .replace(/ validator\.swagger\.io/g, '')
    .replace(/style-src 'self'/, "style-src 'self' 'unsafe-inline'")
    .replace(/\s*upgrade-insecure-requests;?/g, '')
    .trim();
}

const isBoard = (path: string) => path === '/queues' || path.startsWith('/queues/');

/** Bull Board's page asks Google for its fonts (and sends a Referer); it falls back to the system's. */
const THIRD_PARTY_LINK = /<link[^>]+href="https?:\/\/(?!127\.0\.0\.1|localhost)[^"]*"[^>]*>\s*/g;

/**
 * Headers every answer carries: no MIME sniffing, no Referer, never framed (CSP frame-ancestors,
 * and X-Frame-Options for older browsers), and a Content-Security-Policy for each kind of page.
 */
export function installSecurityHeaders(app: FastifyInstance) {
  app.addHook('onSend', async (request: FastifyRequest, reply, payload) => {
    const path = request.url.split('?')[0]!;
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (isBoard(path)) {
      reply.header('content-security-policy', BOARD_CSP);
      const type = String(reply.getHeader('content-type') ?? '');
      if (type.startsWith('text/html') && typeof payload === 'string') return payload.replace(THIRD_PARTY_LINK, '');
      return payload;
    }
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', DEFAULT_CSP);
    return payload;
  });
}

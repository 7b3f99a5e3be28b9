import type { FastifyInstance, FastifyReply } from 'fastify';
import { optOut } from '../../app/contact-commands.ts';
import { isOutreachError } from '../../domain/errors.ts';
import { commandContext, type ApiDeps } from '../context.ts';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
h1{font-size:1.4rem}button{font:inherit;padding:.5rem 1.2rem;border-radius:.4rem;border:1px solid #1f5fbf;background:#1f6fd8;color:#fff;cursor:pointer}</style>
</head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

/** The page is about one person's address: not cached, not indexed, not leaked through a Referer. */
const send = (reply: FastifyReply, status: number, html: string) =>
  reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    .send(html);

const invalidLink = (reply: FastifyReply) =>
  send(
    reply,
    400,
    page(
      'This unsubscribe link is not valid',
      '<p>The link may have been cut short when it was copied. Use the link from the email itself, or reply to the email and ask to be removed.</p>',
    ),
  );

/**
 * RFC 8058 one-click unsubscribe. POST (what a mail client sends for List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click) verifies the token's HMAC and records ContactOptedOut; a second
 * POST records nothing and answers the same. GET only shows a form that POSTs here, because link
 * scanners and previews follow GET links without the person asking. No token needed, no redirect.
 */
export function unsubscribeRoutes(app: FastifyInstance, deps: ApiDeps) {
  app.register(async (scope) => {
    // Mail clients post application/x-www-form-urlencoded or multipart/form-data; the body is not needed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));

    const params = {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string', description: 'the signed token from the List-Unsubscribe link' } },
    };

    scope.get(
      '/u/:token',
      {
        schema: { summary: 'Confirmation page with a button that POSTs to the same URL; does not unsubscribe', tags: ['unsubscribe'], security: [], params },
      },
      async (request, reply) => {
        const { token } = request.params as { token: string };
        if (!deps.verifyUnsubscribe(token)) return invalidLink(reply);
        return send(
          reply,
          200,
          page(
            'Unsubscribe',
            `<p>Stop receiving emails about informational interviews from this sender?</p>
<form method="post" action="/u/${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
          ),
        );
      },
    );

    scope.post(
      '/u/:token',
      {
        schema: { summary: 'One-click unsubscribe (RFC 8058): records ContactOptedOut; idempotent', tags: ['unsubscribe'], security: [], params },
      },
      async (request, reply) => {
        const { token } = request.params as { token: string };
        const subject = deps.verifyUnsubscribe(token);
        if (!subject) return invalidLink(reply);
        const ctx = commandContext(deps, subject.workspaceId);
        try {
          await optOut(ctx, { contact: subject.contactId }, 'unsubscribe-link');
        } catch (e) {
          // A contact since forgotten (or never stored) gets no email either: the answer is the same.
          if (!isOutreachError(e, 'illegal_state') && !isOutreachError(e, 'not_found')) throw e;
        }
        return send(reply, 200, page('You are unsubscribed', '<p>You will receive no more emails from this sender. Nothing else is needed.</p>'));
      },
    );
  });
}

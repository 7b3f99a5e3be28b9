import type { FastifyInstance } from 'fastify';
import { createTokenInput, expiryFrom, roles, scopeOf } from '../../app/access.ts';
import { parseInput } from '../../app/parse.ts';
import { notFound } from '../../domain/errors.ts';
import type { ApiDeps } from '../context.ts';
import { DURATION_PATTERN, WORKSPACE_PATTERN } from '../openapi-constraints.ts';
import { anyObject, errorResponses } from '../openapi.ts';

/** The body of POST /api/tokens, with the rules that tie the role to the workspaces written out. */
const tokenBody = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: {
    role: { type: 'string', enum: [...roles] },
    workspace: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'string', pattern: WORKSPACE_PATTERN },
      description: 'the workspaces a coach or seeker token reaches',
    },
    allWorkspaces: { type: 'boolean', description: 'a coach token that reaches every workspace' },
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\r\\n]*$', allOf: [{ pattern: '\\S' }] },
    expires: { type: 'string', pattern: DURATION_PATTERN, description: 'an ISO 8601 duration until the token stops working, such as P90D' },
  },
  oneOf: [
    { properties: { role: { enum: ['admin'] } }, not: { anyOf: [{ required: ['workspace'] }, { required: ['allWorkspaces'] }] } },
    { properties: { role: { enum: ['seeker'] }, workspace: { minItems: 1, maxItems: 1 } }, required: ['workspace'], not: { required: ['allWorkspaces'] } },
    {
      properties: { role: { enum: ['coach'] } },
      oneOf: [
        { properties: { workspace: { minItems: 1 } }, required: ['workspace'], not: { required: ['allWorkspaces'] } },
        { properties: { allWorkspaces: { enum: [true] } }, required: ['allWorkspaces'], not: { required: ['workspace'] } },
      ],
    },
  ],
};

/** Tokens through the API, for an admin (the same as `outreach token create|list|revoke`). */
export function tokenRoutes(app: FastifyInstance, deps: ApiDeps) {
  app.post(
    '/api/tokens',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Make a token (admin): the token is in this answer only; only its hash is kept',
        tags: ['access'],
        body: tokenBody,
        response: { 201: { description: 'the token, shown once', ...anyObject }, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const checked = parseInput(createTokenInput, request.body ?? {});
      const now = deps.clock();
      const scope = scopeOf(checked);
      const expiresAt = expiryFrom(checked.expires, now);
      const made = deps.access.createToken({ ...scope, name: checked.name ?? null, expiresAt }, now);
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .header('location', `/api/tokens/${made.id}`)
        .send({ id: made.id, token: made.token, role: scope.role, workspaces: scope.workspaces, name: checked.name ?? null, expiresAt });
    },
  );

  app.get(
    '/api/tokens',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'The tokens that work now (admin), never the tokens themselves',
        tags: ['access'],
        response: { 200: anyObject, ...errorResponses(401, 403) },
      },
    },
    async (_request, reply) => reply.header('cache-control', 'no-store').send({ tokens: deps.access.listTokens(deps.clock()) }),
  );

  app.delete(
    '/api/tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Revoke a token (admin): it stops at once, and the browser sessions made with it end',
        tags: ['access'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^tok_[0-9a-f]{16}$' } } },
        response: { 204: { description: 'revoked', type: 'null' }, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!deps.access.revokeToken(id, deps.clock())) throw notFound('token', id);
      return reply.code(204).send();
    },
  );
}

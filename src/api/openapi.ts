import { z } from 'zod';
import { id } from '../domain/values.ts';
import { errorSchema } from './errors.ts';
import { documented, WORKSPACE_PATTERN, type JsonSchema } from './openapi-constraints.ts';

/** A workspace id wherever one is given: body, query, header or path. */
export const workspaceProperty = (description: string) => ({ type: 'string', pattern: WORKSPACE_PATTERN, maxLength: 63, description });

/**
 * The request body's JSON Schema, made from the very zod schema the command validates with and
 * completed with what zod cannot say by itself (src/api/openapi-constraints.ts). Bodies are checked
 * against it for their types (no coercion); the command's zod schema checks the rest, so the API
 * answers exactly as the CLI does. Fields taken from the path are left out.
 */
export function bodySchema(schema: z.ZodType, omit: string[] = []): JsonSchema {
  const { required: req, ...rest } = documented(schema) as JsonSchema & { properties?: Record<string, unknown>; required?: string[] };
  const properties = { ...(rest.properties ?? {}) };
  for (const f of omit) delete properties[f];
  properties['workspace'] = workspaceProperty("workspace to act in (or the X-Workspace header; default: the caller's own, else the server's)");
  const required = (req ?? []).filter((f) => !omit.includes(f));
  return { ...rest, properties, ...(required.length ? { required } : {}) };
}

/** A changing command: at least one of these fields. */
export const atLeastOneOf = (fields: string[]) => ({ anyOf: fields.map((f) => ({ required: [f] })) });

const UUID = (z.toJSONSchema(id) as JsonSchema)['pattern'];

export const idParams = (description: string) => ({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid', pattern: UUID, description } },
});

export const workspaceHeader = {
  type: 'object',
  properties: { 'x-workspace': workspaceProperty("workspace to act in (default: the caller's own, else the server's)") },
};

export const workspaceQuery = (description = "one workspace; without it, every workspace the caller may see (a seeker's own)") => ({
  type: 'object',
  properties: { workspace: workspaceProperty(description) },
});

export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { description: errorDescriptions[c] ?? 'error', ...errorSchema }]));

const errorDescriptions: Record<number, string> = {
  400: 'invalid input: `error.field` names the field, as the CLI does',
  401: 'missing or wrong bearer token (or no live session)',
  403: "the token's role does not allow this, or a cookie-authenticated write did not come from this site",
  404: 'no such contact, meeting or workspace (in this workspace), or a workspace the token does not reach',
  409: 'conflict: the state refuses the command (illegal_state) or the stream kept changing (conflict)',
  413: 'body larger than the limit',
  415: 'body not JSON (or, for an import, not text/csv)',
  429: 'too many imports running; try again shortly',
  503: 'a dependency (event store, Redis) is unavailable',
};

export const anyObject = { type: 'object', additionalProperties: true } as const;

export const openapiInfo = {
  openapi: {
    openapi: '3.0.3',
    info: {
      title: 'Outreach API',
      description: [
        'Commands (POST/PATCH) append events exactly as the `outreach` CLI does, with the same validation and field names;',
        'GET endpoints read the projections. Every route needs `Authorization: Bearer <token>` (OUTREACH_API_TOKEN, an admin token,',
        'or one made with `outreach token create`: admin, coach of some or all workspaces, seeker of one) except',
        '`/healthz`, `/readyz` and the unsubscribe links `/u/{token}`; a workspace the token does not reach answers 404.',
        'Bodies are checked with no type coercion: a number is a JSON number, a list a JSON array.',
        'Errors are `{ "error": { "code", "field", "message" } }`:',
        'validation → 400, unauthorized → 401, forbidden → 403, not_found → 404, illegal_state and conflict → 409, body too large → 413, unavailable → 503.',
        "The workspace of a command comes from the `X-Workspace` header or `workspace` in the body or query, else the caller's own or the server's default;",
        'reads take `?workspace=` and, without it, span every workspace the token reaches.',
      ].join(' '),
      version: '1',
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'workspaces', description: "a seeker's workspace and its calendar connection" },
      { name: 'access', description: 'tokens (admin) and browser sessions' },
      { name: 'contacts', description: 'the networking list' },
      { name: 'meetings', description: 'informational interviews' },
      { name: 'read models', description: 'projections, paged and filtered by workspace' },
      { name: 'operations', description: 'health, queues, metrics' },
      { name: 'unsubscribe', description: 'RFC 8058 one-click unsubscribe' },
    ],
  },
} as const;

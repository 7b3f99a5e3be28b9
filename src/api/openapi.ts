import { z } from 'zod';
import { errorSchema } from './errors.ts';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/**
 * The request body's JSON Schema for the OpenAPI document, made from the very zod schema the
 * command validates with (the schema is documentation here; validation stays with zod, so the API
 * answers exactly as the CLI does). Fields taken from the path are left out.
 */
export function bodySchema(schema: z.ZodType, omit: string[] = []): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as JsonSchema;
  const { $schema: _s, required: req, ...rest } = json;
  const properties = { ...(rest.properties ?? {}) };
  for (const f of omit) delete properties[f];
  properties['workspace'] = { type: 'string', description: "workspace to act in (or the X-Workspace header; default: the server's)" };
  const required = (req ?? []).filter((f) => !omit.includes(f));
  return { ...rest, properties, ...(required.length ? { required } : {}) };
}

export const idParams = (description: string) => ({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid', description } },
});

export const workspaceHeader = {
  type: 'object',
  properties: { 'x-workspace': { type: 'string', description: "workspace to act in (default: the server's)" } },
};

export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { description: errorDescriptions[c] ?? 'error', ...errorSchema }]));

const errorDescriptions: Record<number, string> = {
  400: 'invalid input: `error.field` names the field, as the CLI does',
  401: 'missing or wrong bearer token',
  404: 'no such contact, meeting or workspace (in this workspace)',
  409: 'conflict: the state refuses the command (illegal_state) or the stream kept changing (conflict)',
  413: 'body larger than the limit',
  415: 'body not JSON',
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
        'GET endpoints read the projections. Every route needs `Authorization: Bearer <OUTREACH_API_TOKEN>` except',
        '`/healthz`, `/readyz` and the unsubscribe links `/u/{token}`. Errors are `{ "error": { "code", "field", "message" } }`:',
        'validation → 400, not_found → 404, illegal_state and conflict → 409, body too large → 413, unavailable → 503.',
        "The workspace of a command comes from the `X-Workspace` header or `workspace` in the body or query, else the server's default;",
        'reads take `?workspace=` and, without it, span every workspace.',
      ].join(' '),
      version: '1',
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'workspaces', description: "a seeker's workspace and its calendar connection" },
      { name: 'contacts', description: 'the networking list' },
      { name: 'meetings', description: 'informational interviews' },
      { name: 'read models', description: 'projections, paged and filtered by workspace' },
      { name: 'operations', description: 'health, queues, metrics' },
      { name: 'unsubscribe', description: 'RFC 8058 one-click unsubscribe' },
    ],
  },
} as const;

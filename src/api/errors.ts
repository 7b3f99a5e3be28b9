import type { FastifyError, FastifyInstance } from 'fastify';
import { OutreachError, type ErrorCode } from '../domain/errors.ts';

/**
 * How the application's errors become HTTP answers. An illegal state (held before booked, a second
 * open request for one contact, a command on a forgotten contact) is 409 like a write conflict: the
 * request was well formed, the current state of the resource refuses it.
 */
export const statusOf: Record<ErrorCode, number> = {
  validation: 400,
  not_found: 404,
  illegal_state: 409,
  conflict: 409,
  unavailable: 503,
  config: 500,
};

export type ErrorBody = { error: { code: string; message: string; field?: string } };

export const errorBody = (code: string, message: string, field?: string): ErrorBody => ({ error: { code, message, ...(field ? { field } : {}) } });

/** The JSON schema of every error answer, for the OpenAPI document. */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          enum: [
            'validation',
            'not_found',
            'illegal_state',
            'conflict',
            'unavailable',
            'unauthorized',
            'forbidden',
            'too_large',
            'unsupported_media_type',
            'busy',
            'internal',
          ],
        },
        field: { type: 'string', description: "the input field the error is about, in the CLI's field names" },
        message: { type: 'string' },
      },
    },
  },
} as const;

/** A refusal that is about the caller or the server's load, not the application's rules: 403, 429. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: 403 | 415 | 429,
    readonly code: 'forbidden' | 'unsupported_media_type' | 'busy',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Fastify's own errors (body parsing, limits) mapped to the same shape. */
function fromFastify(e: FastifyError): { status: number; body: ErrorBody } | null {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: errorBody('too_large', 'the request body is larger than this endpoint accepts', 'body') };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: errorBody('unsupported_media_type', 'send the body as application/json (an import: text/csv)', 'body') };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: errorBody('validation', `body: ${e.message}`, 'body') };
    default:
      break;
  }
  if (e instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message))) {
    return { status: 400, body: errorBody('validation', 'body: is not valid JSON', 'body') };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: errorBody(e.statusCode === 413 ? 'too_large' : 'validation', e.message) };
  }
  return null;
}

export function describe(e: unknown): { status: number; body: ErrorBody } {
  if (e instanceof OutreachError) return { status: statusOf[e.code], body: errorBody(e.code, e.message, e.field) };
  if (e instanceof HttpRefusal) return { status: e.status, body: errorBody(e.code, e.message, e.field) };
  const code = (e as { code?: unknown })?.code;
  // The store's own errors carry a code: a write conflict that outlived the retries, a store that is down.
  if (code === 'conflict') return { status: 409, body: errorBody('conflict', (e as Error).message) };
  if (code === 'unavailable') return { status: 503, body: errorBody('unavailable', (e as Error).message) };
  const fastify = fromFastify(e as FastifyError);
  if (fastify) return fastify;
  return { status: 500, body: errorBody('internal', 'internal error (see the server log)') };
}

export function installErrorHandling(app: FastifyInstance, log: (line: string) => void) {
  app.setErrorHandler((e, request, reply) => {
    const { status, body } = describe(e);
    if (status >= 500 && status !== 503) log(`${request.method} ${request.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    void reply.code(status).header('cache-control', 'no-store').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}

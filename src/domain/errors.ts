export type ErrorCode = 'validation' | 'not_found' | 'illegal_state' | 'conflict' | 'unavailable' | 'config';

/** One error type with a code: callers branch on `code`, people read `message`. */
export class OutreachError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, opts: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'OutreachError';
    this.code = code;
    if (opts.field !== undefined) this.field = opts.field;
    if (opts.details !== undefined) this.details = opts.details;
  }
}

export const illegal = (message: string) => new OutreachError('illegal_state', message);
export const notFound = (what: string, id: string) => new OutreachError('not_found', `${what} ${id} does not exist`, { field: what, details: { id } });
export const invalid = (field: string, message: string) => new OutreachError('validation', `${field}: ${message}`, { field });
export const isOutreachError = (e: unknown, code?: ErrorCode): e is OutreachError => e instanceof OutreachError && (code === undefined || e.code === code);

import type { FailedAttempt } from '../../app/effects/retry.ts';
import { isOutreachError } from '../../domain/errors.ts';

export type GoogleErrorKind =
  | 'rate-limited' // slow down: back off, honouring retryAfterMs when given
  | 'quota-exceeded' // the account's usage limits (invitations, daily quota): defer for long, never drop
  | 'transient' // 5xx, network: retry soon
  | 'reauth' // the grant is gone (401, invalid_grant, a scope was not granted): the user must reconnect
  | 'conflict' // 409/412: the id exists or the version moved; re-read and reconcile
  | 'gone' // 410: deleted, or a sync token that expired (drop it and sync in full)
  | 'not-found' // 404
  | 'permanent'; // any other 4xx: retrying the same request cannot succeed

export type GoogleErrorClass = {
  kind: GoogleErrorKind;
  status?: number;
  /** Google's `errors[0].reason` (rateLimitExceeded, quotaExceeded, duplicate, fullSyncRequired …) or the OAuth `error` (invalid_grant). */
  reason?: string;
  /** From Retry-After, when the server sent one. */
  retryAfterMs?: number;
  /** One line for people and logs; never holds a token. */
  message: string;
};

/**
 * A failed Google call with what classification needs and nothing more. The client rethrows
 * every gaxios error as one of these because a GaxiosError keeps the request it failed on,
 * and for a token refresh that request body holds the refresh token in clear: one careless
 * `console.error(err)` would print it.
 */
export class GoogleApiError extends Error {
  readonly status?: number;
  readonly reason?: string;
  /** A Node or fetch error code (ECONNRESET …) when the request never got an answer. */
  readonly code?: string;
  /** The Retry-After header as sent. */
  readonly retryAfter?: string;
  /** Which call failed (events.insert, token, revoke …), for messages. */
  readonly operation: string;
  constructor(operation: string, message: string, fields: { status?: number; reason?: string; code?: string; retryAfter?: string } = {}) {
    super(message);
    this.name = 'GoogleApiError';
    this.operation = operation;
    if (fields.status !== undefined) this.status = fields.status;
    if (fields.reason !== undefined) this.reason = fields.reason;
    if (fields.code !== undefined) this.code = fields.code;
    if (fields.retryAfter !== undefined) this.retryAfter = fields.retryAfter;
  }
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (typeof v === 'object' && v !== null ? (v as Loose) : undefined);
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 300);

/** Errors that say the connection failed, not the request. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'TimeoutError',
  'AbortError',
]);
const NETWORK_MESSAGE = /socket hang up|network timeout|ECONNRESET|ECONNREFUSED|ETIMEDOUT|premature close|fetch failed/i;

const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
/** 403 reasons that are the account's usage limits rather than a request rate (Calendar usage limits, invitation limits). */
const QUOTA_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded', 'variableTermLimitExceeded', 'variableTermExpiredDailyExceeded']);
/** 403 reasons that a new consent fixes: the grant lacks the calendar scope. */
const SCOPE_REASONS = new Set(['insufficientPermissions', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'authError']);
const OAUTH_REAUTH = new Set(['invalid_grant', 'invalid_token', 'unauthorized_client']);

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  const h = headers as { get?: (n: string) => string | null };
  if (typeof h.get === 'function') return h.get(name) ?? undefined;
  const record = obj(headers);
  if (!record) return undefined;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : record[key];
  return Array.isArray(v) ? str(v[0]) : str(v);
}

/** The facts of any error shape: a GoogleApiError, a GaxiosError, a plain Node or fetch error. */
export function googleErrorFacts(error: unknown): { status?: number; reason?: string; code?: string; retryAfter?: string; message: string } {
  if (error instanceof GoogleApiError) {
    return {
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.reason !== undefined ? { reason: error.reason } : {}),
      ...(error.code !== undefined ? { code: error.code } : {}),
      ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
      message: oneLine(error.message),
    };
  }
  const e = obj(error) ?? { message: String(error) };
  const response = obj(e['response']);
  const statusRaw = response?.['status'] ?? e['status'];
  const status = typeof statusRaw === 'number' && Number.isInteger(statusRaw) && statusRaw >= 100 ? statusRaw : undefined;
  const data = obj(response?.['data']);
  const apiError = obj(data?.['error']);
  // Calendar API: { error: { errors: [{ reason }] } }; OAuth endpoints: { error: 'invalid_grant' }.
  const first = Array.isArray(apiError?.['errors']) ? obj((apiError['errors'] as unknown[])[0]) : undefined;
  const reason = str(first?.['reason']) ?? str(data?.['error']) ?? (status === undefined ? undefined : str(e['reason']));
  let code: string | undefined;
  for (let c: unknown = error, depth = 0; c && depth < 5 && !code; c = obj(c)?.['cause'], depth++) {
    const candidate = obj(c)?.['code'] ?? obj(c)?.['name'];
    if (typeof candidate === 'string' && NETWORK_CODES.has(candidate)) code = candidate;
  }
  const description = str(data?.['error_description']);
  const message = str(apiError?.['message']) ?? (description ? `${str(data?.['error'])}: ${description}` : undefined) ?? str(e['message']) ?? 'unknown error';
  const retryAfter = headerOf(response?.['headers'], 'retry-after');
  return {
    ...(status !== undefined ? { status } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    message: oneLine(message),
  };
}

/**
 * What to do about a failed Google call:
 * - 429, and 403 rateLimitExceeded / userRateLimitExceeded → rate-limited (with Retry-After when sent);
 * - 403 quotaExceeded and the other usage-limit reasons ("Calendar usage limits exceeded",
 *   invitation limits) → quota-exceeded: these last hours, so defer rather than retry soon;
 * - 401, an OAuth invalid_grant (refresh token revoked or expired), a 403 for a missing scope → reauth;
 * - 5xx, 408 and connection failures (no answer at all) → transient;
 * - 409 and 412 → conflict; 410 → gone; 404 → not-found; any other 4xx → permanent.
 * An error with no HTTP status and no known network code is called transient, so that a surprise
 * ends in a bounded number of retries rather than a dropped effect; an OutreachError is permanent
 * unless it says a service was unavailable.
 */
export function classifyGoogleError(error: unknown, now = Date.now()): GoogleErrorClass {
  const { status, reason, code, retryAfter, message } = googleErrorFacts(error);
  const base = { ...(status !== undefined ? { status } : {}), ...(reason !== undefined ? { reason } : {}), message };
  const wait = retryAfterMs(retryAfter, now);
  const withWait = wait === undefined ? base : { ...base, retryAfterMs: wait };

  if (status === undefined) {
    if (isOutreachError(error)) return { kind: error.code === 'unavailable' ? 'transient' : 'permanent', message };
    return { kind: 'transient', ...base, message: code && !message.includes(code) ? `${code}: ${message}` : message };
  }
  if (reason && OAUTH_REAUTH.has(reason) && status < 500) return { kind: 'reauth', ...base };
  if (status === 429) return { kind: 'rate-limited', ...withWait };
  if (status === 403) {
    if (reason && RATE_REASONS.has(reason)) return { kind: 'rate-limited', ...withWait };
    if (reason && QUOTA_REASONS.has(reason)) return { kind: 'quota-exceeded', ...withWait };
    if (reason && SCOPE_REASONS.has(reason)) return { kind: 'reauth', ...base };
    return { kind: 'permanent', ...base };
  }
  if (status === 401) return { kind: 'reauth', ...base };
  if (status >= 500 || status === 408) return { kind: 'transient', ...withWait };
  if (status === 409 || status === 412) return { kind: 'conflict', ...base };
  if (status === 410) return { kind: 'gone', ...base };
  if (status === 404) return { kind: 'not-found', ...base };
  if (status >= 400) return { kind: 'permanent', ...base };
  return { kind: 'transient', ...base };
}

/** Rethrows any failure of a Google call as a GoogleApiError that carries no request (so no token). */
export function toGoogleApiError(operation: string, error: unknown): GoogleApiError | unknown {
  if (error instanceof GoogleApiError || isOutreachError(error)) return error;
  const facts = googleErrorFacts(error);
  if (facts.status === undefined && facts.code === undefined && !NETWORK_MESSAGE.test(facts.message) && !obj(error)?.['config']) {
    // Not an HTTP failure at all (a bug, a bad argument): keep it as it is.
    return error;
  }
  const { message, ...fields } = facts;
  const prefix = facts.status !== undefined ? `${facts.status}${facts.reason ? ` ${facts.reason}` : ''}` : (facts.code ?? 'network error');
  return new GoogleApiError(operation, `Google ${operation} failed (${prefix}): ${message}`, fields);
}

/** The line to show a person, naming the way out where there is one. */
export function describeGoogleError(c: GoogleErrorClass): string {
  switch (c.kind) {
    case 'reauth':
      return `Google Calendar access was revoked or has expired (${c.message}): run \`outreach google connect\` again`;
    case 'rate-limited':
      return `Google Calendar asked us to slow down${c.retryAfterMs !== undefined ? ` for ${Math.ceil(c.retryAfterMs / 1000)} s` : ''}: ${c.message}`;
    case 'quota-exceeded':
      return `Google Calendar usage limits reached (${c.message}); the change is kept and will be retried later`;
    default:
      return c.message;
  }
}

/**
 * How a failed Google call ended, for the retry budget (src/app/effects/retry.ts): a network error
 * with no answer (a reset, a timeout, DNS) did not reach Google; an HTTP status is a refusal (429
 * and the quota refusals are deferred before they get here). Anything else is a refusal, so a
 * surprise still ends after the attempts.
 */
export function classifyGoogleAttempt(error: unknown): FailedAttempt {
  if (isOutreachError(error)) return 'refused';
  const { status, code, message } = googleErrorFacts(error);
  if (status !== undefined) return 'refused';
  return code !== undefined || NETWORK_MESSAGE.test(message) ? 'not-reached' : 'refused';
}

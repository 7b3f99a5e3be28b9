import { describe, expect, it } from 'vitest';
import { OutreachError } from '../../../src/domain/errors.ts';
import { classifyGoogleError, describeGoogleError, GoogleApiError, retryAfterMs, toGoogleApiError } from '../../../src/infra/google/errors.ts';

/** The shape gaxios 7 throws: response with status, Headers and the parsed body. */
const gaxiosLike = (status: number, data: unknown, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`Request failed with status code ${status}`), {
    status,
    config: { url: 'https://www.googleapis.com/calendar/v3/calendars/primary/events', data: 'refresh_token=1%2F%2Fsecret' },
    response: { status, data, headers: new Headers(headers) },
  });
const apiError = (status: number, reason: string, message = reason) => ({ error: { code: status, message, errors: [{ domain: 'global', reason, message }] } });
const networkError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('classifyGoogleError', () => {
  it.each([
    [403, 'rateLimitExceeded', 'rate-limited'],
    [403, 'userRateLimitExceeded', 'rate-limited'],
    [429, 'rateLimitExceeded', 'rate-limited'],
    [403, 'quotaExceeded', 'quota-exceeded'],
    [403, 'dailyLimitExceeded', 'quota-exceeded'],
    [403, 'insufficientPermissions', 'reauth'],
    [403, 'forbiddenForNonOrganizer', 'permanent'],
    [401, 'authError', 'reauth'],
    [409, 'duplicate', 'conflict'],
    [412, 'conditionNotMet', 'conflict'],
    [410, 'fullSyncRequired', 'gone'],
    [410, 'deleted', 'gone'],
    [404, 'notFound', 'not-found'],
    [400, 'invalid', 'permanent'],
    [400, 'timeRangeEmpty', 'permanent'],
    [408, 'timeout', 'transient'],
    [500, 'backendError', 'transient'],
    [502, 'badGateway', 'transient'],
    [503, 'backendError', 'transient'],
  ])('%i %s → %s', (status, reason, kind) => {
    expect(classifyGoogleError(gaxiosLike(status, apiError(status, reason)))).toMatchObject({ kind, status, reason });
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    const now = Date.parse('2031-01-01T00:00:00Z');
    expect(classifyGoogleError(gaxiosLike(429, apiError(429, 'rateLimitExceeded'), { 'retry-after': '30' }), now).retryAfterMs).toBe(30_000);
    const date = new Date(now + 120_000).toUTCString();
    expect(classifyGoogleError(gaxiosLike(403, apiError(403, 'rateLimitExceeded'), { 'Retry-After': date }), now).retryAfterMs).toBe(120_000);
    expect(classifyGoogleError(gaxiosLike(503, apiError(503, 'backendError'), { 'retry-after': '2' }), now).retryAfterMs).toBe(2000);
    expect(classifyGoogleError(gaxiosLike(429, apiError(429, 'rateLimitExceeded')), now).retryAfterMs).toBeUndefined();
    // Plain header objects too (older gaxios, other callers).
    expect(classifyGoogleError({ response: { status: 429, headers: { 'Retry-After': '4' }, data: {} } }).retryAfterMs).toBe(4000);
  });

  it('retryAfterMs: a date in the past is 0, garbage is nothing', () => {
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2031-01-01T00:00:00Z'))).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('invalid_grant from the token endpoint is reauth', () => {
    const e = gaxiosLike(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    expect(classifyGoogleError(e)).toMatchObject({
      kind: 'reauth',
      status: 400,
      reason: 'invalid_grant',
      message: 'invalid_grant: Token has been expired or revoked.',
    });
  });

  it.each([
    ['ECONNRESET', 'request to https://www.googleapis.com failed, reason: socket hang up'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443'],
    ['ETIMEDOUT', 'connect ETIMEDOUT'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND www.googleapis.com'],
  ])('%s is transient', (code, message) => {
    expect(classifyGoogleError(networkError(code, message))).toMatchObject({ kind: 'transient' });
  });

  it('finds a network code down the cause chain (fetch failed → ECONNRESET)', () => {
    const e = new TypeError('fetch failed', { cause: networkError('ECONNRESET', 'socket hang up') });
    const wrapped = toGoogleApiError('events.insert', e) as GoogleApiError;
    expect(wrapped).toBeInstanceOf(GoogleApiError);
    expect(wrapped.code).toBe('ECONNRESET');
    expect(classifyGoogleError(wrapped).kind).toBe('transient');
  });

  it('an OutreachError is permanent unless something was unavailable', () => {
    expect(classifyGoogleError(new OutreachError('config', 'x')).kind).toBe('permanent');
    expect(classifyGoogleError(new OutreachError('unavailable', 'x')).kind).toBe('transient');
  });

  it('a GoogleApiError classifies like the error it replaced', () => {
    const raw = gaxiosLike(429, apiError(429, 'rateLimitExceeded', 'Rate Limit Exceeded'), { 'retry-after': '9' });
    const wrapped = toGoogleApiError('events.list', raw);
    expect(wrapped).toBeInstanceOf(GoogleApiError);
    const { message: wrappedMessage, ...wrappedClass } = classifyGoogleError(wrapped);
    const { message: rawMessage, ...rawClass } = classifyGoogleError(raw);
    expect(wrappedClass).toEqual(rawClass);
    expect(wrappedMessage).toContain(rawMessage);
    expect((wrapped as Error).message).toBe('Google events.list failed (429 rateLimitExceeded): Rate Limit Exceeded');
  });

  it('the GoogleApiError keeps no request (whose body may hold a refresh token)', () => {
    const wrapped = toGoogleApiError('token', gaxiosLike(400, { error: 'invalid_grant', error_description: 'Bad' }));
    const text = JSON.stringify(wrapped, Object.getOwnPropertyNames(wrapped));
    expect(text).not.toContain('secret');
    expect((wrapped as { config?: unknown }).config).toBeUndefined();
    expect((wrapped as Error).cause).toBeUndefined();
  });

  it('leaves an error that is not about HTTP as it is (a bug stays a bug)', () => {
    const bug = new TypeError('x is not a function');
    expect(toGoogleApiError('events.insert', bug)).toBe(bug);
  });

  it('describes reauth with the way out', () => {
    expect(describeGoogleError(classifyGoogleError(gaxiosLike(401, apiError(401, 'authError'))))).toMatch(/outreach google connect/);
  });
});

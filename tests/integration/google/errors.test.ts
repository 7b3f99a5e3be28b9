import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCalendarClient, googleEventIdFor, type CalendarClient, type CalendarEvent } from '../../../src/infra/google/calendar-client.ts';
import { googleConfigFrom, type GoogleConfig } from '../../../src/infra/google/config.ts';
import { classifyGoogleError, GoogleApiError } from '../../../src/infra/google/errors.ts';
import { startCalendarStandIn, type CalendarStandIn } from '../../support/google-calendar-standin/index.ts';

let google: CalendarStandIn;
let config: GoogleConfig;
let client: CalendarClient;
let refreshToken: string;

beforeAll(async () => {
  google = await startCalendarStandIn();
  config = googleConfigFrom(google.env());
});
afterAll(async () => {
  await google.stop();
});
beforeEach(async () => {
  google.clearFaults();
  refreshToken = google.issueRefreshToken();
  client = createCalendarClient({ config, refreshToken });
  // An access token in hand, so that scripted faults meet Calendar calls, not the first refresh.
  await client.listChanges('warm-up');
});

let n = 0;
const event = (): CalendarEvent => ({
  id: googleEventIdFor(`0193a1b2-c3d4-7e5f-8a9b-${String(++n).padStart(12, '0')}`),
  summary: 'Informational interview',
  start: { dateTime: '2031-03-04T15:00:00Z' },
  end: { dateTime: '2031-03-04T15:20:00Z' },
});
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

describe('scripted faults through the real client, classified', () => {
  it('403 rateLimitExceeded, then success on the retry (the client itself does not retry)', async () => {
    google.failNext(1, { status: 403, reason: 'rateLimitExceeded' });
    const e = event();
    const first = await failure(client.insertEvent('primary', e));
    expect(first).toBeInstanceOf(GoogleApiError);
    expect(classifyGoogleError(first)).toMatchObject({ kind: 'rate-limited', status: 403, reason: 'rateLimitExceeded' });
    expect(classifyGoogleError(first).retryAfterMs).toBeUndefined();
    expect(google.calls.filter((c) => c.kind === 'insert' && c.scripted)).toHaveLength(1);
    await expect(client.insertEvent('primary', e)).resolves.toMatchObject({ id: e.id });
  });

  it('403 userRateLimitExceeded is rate-limited too', async () => {
    google.failNext(1, { status: 403, reason: 'userRateLimitExceeded' });
    expect(classifyGoogleError(await failure(client.getEvent('primary', event().id!)))).toMatchObject({
      kind: 'rate-limited',
      reason: 'userRateLimitExceeded',
    });
  });

  it('429 with Retry-After in seconds', async () => {
    google.failNext(1, { status: 429, retryAfter: 7 });
    const c = classifyGoogleError(await failure(client.listChanges('primary')));
    expect(c).toMatchObject({ kind: 'rate-limited', status: 429, reason: 'rateLimitExceeded', retryAfterMs: 7000 });
  });

  it('429 with Retry-After as an HTTP date', async () => {
    const now = Date.parse('2031-03-04T12:00:00Z');
    google.failNext(1, { status: 429, retryAfter: new Date(now + 90_000).toUTCString() });
    const e = await failure(client.insertEvent('primary', event()));
    expect(classifyGoogleError(e, now)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 90_000 });
  });

  it('403 quotaExceeded ("Calendar usage limits exceeded") is quota-exceeded, not a rate limit', async () => {
    google.failNext(1, { status: 403, reason: 'quotaExceeded' });
    const c = classifyGoogleError(await failure(client.insertEvent('primary', event())));
    expect(c).toMatchObject({ kind: 'quota-exceeded', status: 403, reason: 'quotaExceeded' });
    expect(c.message).toContain('Calendar usage limits exceeded');
  });

  it('500 and 503 are transient, even on GET and DELETE (no hidden retries)', async () => {
    const before = google.calls.length;
    google.failNext(1, { status: 500 });
    google.failNext(1, { status: 503, kind: 'delete' });
    expect(classifyGoogleError(await failure(client.getEvent('primary', event().id!)))).toMatchObject({
      kind: 'transient',
      status: 500,
      reason: 'backendError',
    });
    expect(classifyGoogleError(await failure(client.deleteEvent('primary', event().id!)))).toMatchObject({ kind: 'transient', status: 503 });
    expect(google.calls.slice(before).map((c) => `${c.kind} ${c.status}`)).toEqual(['get 500', 'delete 503']);
  });

  it('a connection reset is transient', async () => {
    google.failNext(1, { reset: true });
    const e = await failure(client.insertEvent('primary', event()));
    const c = classifyGoogleError(e);
    expect(c.kind).toBe('transient');
    expect(c.status).toBeUndefined();
    expect(e).toBeInstanceOf(GoogleApiError);
    expect((e as GoogleApiError).code).toBe('ECONNRESET');
  });

  it('a server that is not there (ECONNREFUSED) is transient', async () => {
    const gone = await (await import('../../support/google-calendar-standin/index.ts')).startCalendarStandIn();
    const token = gone.issueRefreshToken();
    const cfg = googleConfigFrom(gone.env());
    await gone.stop();
    const e = await failure(createCalendarClient({ config: cfg, refreshToken: token, timeoutMs: 2000 }).listChanges('primary'));
    expect(classifyGoogleError(e)).toMatchObject({ kind: 'transient' });
    expect((e as GoogleApiError).code).toBe('ECONNREFUSED');
  });

  it('revoked access: 401 on the call, then invalid_grant from the token endpoint → reauth', async () => {
    google.revokeAll();
    const before = google.calls.length;
    const e = await failure(client.insertEvent('primary', event()));
    expect(google.calls.slice(before).map((c) => `${c.kind} ${c.status}`)).toEqual(['insert 401', 'token 400']);
    expect(classifyGoogleError(e)).toMatchObject({ kind: 'reauth', status: 400, reason: 'invalid_grant' });
  });

  it('a scripted 401 that a fresh access token cannot cure is reauth', async () => {
    google.failNext(2, { status: 401 });
    expect(classifyGoogleError(await failure(client.listChanges('primary')))).toMatchObject({ kind: 'reauth', status: 401 });
  });

  it('a token endpoint that fails (5xx) is transient, and is not retried inside the client', async () => {
    const fresh = createCalendarClient({ config, refreshToken });
    const before = google.calls.length;
    google.failNext(1, { status: 503, on: 'token' });
    expect(classifyGoogleError(await failure(fresh.listChanges('primary')))).toMatchObject({ kind: 'transient', status: 503 });
    expect(google.calls.slice(before).map((c) => `${c.kind} ${c.status}`)).toEqual(['token 503']);
  });

  it('invalid_grant on the first refresh (no access token yet) is reauth', async () => {
    const fresh = createCalendarClient({ config, refreshToken: 'never-issued' });
    expect(classifyGoogleError(await failure(fresh.listChanges('primary')))).toMatchObject({ kind: 'reauth', reason: 'invalid_grant' });
  });

  it('409 and 410 from the API are conflict and gone; 400 is permanent', async () => {
    google.failNext(1, { status: 409 });
    google.failNext(1, { status: 410, reason: 'fullSyncRequired' });
    google.failNext(1, { status: 400, reason: 'invalid', message: 'Invalid Value' });
    expect(classifyGoogleError(await failure(client.insertEvent('primary', event())))).toMatchObject({ kind: 'conflict', reason: 'duplicate' });
    expect(classifyGoogleError(await failure(client.listChanges('primary')))).toMatchObject({ kind: 'gone', reason: 'fullSyncRequired' });
    expect(classifyGoogleError(await failure(client.patchEvent('primary', event().id!, {})))).toMatchObject({ kind: 'permanent', status: 400 });
  });

  it('never carries the refresh token in the thrown error or its message', async () => {
    google.revokeAll();
    const e = await failure(client.listChanges('primary'));
    const seen = JSON.stringify(e, Object.getOwnPropertyNames(e)) + String((e as Error).stack) + String((e as Error).message);
    expect(seen).not.toContain(refreshToken);
    expect(seen).not.toContain(google.clientSecret);
  });
});

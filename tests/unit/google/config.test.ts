import { describe, expect, it } from 'vitest';
import { isOutreachError, type OutreachError } from '../../../src/domain/errors.ts';
import { googleConfigFrom, googleEnabled } from '../../../src/infra/google/config.ts';

const SECRET = 'GOCSPX-very-secret-value';
const base = { GOOGLE_CLIENT_ID: 'abc.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: SECRET };

function configError(env: Record<string, string | undefined>): OutreachError {
  try {
    googleConfigFrom(env);
  } catch (e) {
    if (isOutreachError(e, 'config')) return e;
    throw e;
  }
  throw new Error('expected a config error');
}

describe('googleConfigFrom', () => {
  it("has Google's endpoints and the documented defaults", () => {
    expect(googleConfigFrom(base)).toEqual({
      clientId: 'abc.apps.googleusercontent.com',
      clientSecret: SECRET,
      apiRootUrl: 'https://www.googleapis.com/',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      revokeUrl: 'https://oauth2.googleapis.com/revoke',
      calendarId: 'primary',
      sendUpdates: 'all',
    });
  });

  it('reads every variable, and makes the API root a folder', () => {
    const c = googleConfigFrom({
      ...base,
      GOOGLE_API_ROOT_URL: 'http://127.0.0.1:9999/base',
      GOOGLE_OAUTH_TOKEN_URL: 'http://127.0.0.1:9999/token',
      GOOGLE_OAUTH_AUTH_URL: 'http://127.0.0.1:9999/auth',
      GOOGLE_OAUTH_REVOKE_URL: 'http://127.0.0.1:9999/revoke',
      GOOGLE_CALENDAR_ID: 'team@group.calendar.google.com',
      GOOGLE_SEND_UPDATES: 'externalOnly',
    });
    expect(c).toMatchObject({
      apiRootUrl: 'http://127.0.0.1:9999/base/',
      tokenUrl: 'http://127.0.0.1:9999/token',
      authUrl: 'http://127.0.0.1:9999/auth',
      revokeUrl: 'http://127.0.0.1:9999/revoke',
      calendarId: 'team@group.calendar.google.com',
      sendUpdates: 'externalOnly',
    });
  });

  it.each([
    ['GOOGLE_SEND_UPDATES', 'everyone'],
    ['GOOGLE_API_ROOT_URL', 'not a url'],
    ['GOOGLE_API_ROOT_URL', 'ftp://example.com/'],
    ['GOOGLE_OAUTH_TOKEN_URL', 'https://user:pw@example.com/token'],
    ['GOOGLE_OAUTH_AUTH_URL', 'https://example.com/auth?x=1'],
    ['GOOGLE_OAUTH_REVOKE_URL', 'file:///etc/passwd'],
    ['GOOGLE_CALENDAR_ID', 'a/b'],
  ])('names %s when its value is wrong', (variable, raw) => {
    const e = configError({ ...base, [variable]: raw });
    expect(e.field).toBe(variable);
    expect(e.message.startsWith(`${variable}: `)).toBe(true);
    expect(e.message).not.toContain(SECRET);
  });

  it('accepts GOOGLE_SEND_UPDATES in any case', () => {
    expect(googleConfigFrom({ ...base, GOOGLE_SEND_UPDATES: 'NONE' }).sendUpdates).toBe('none');
  });

  it('needs both client credentials, names the missing one, and never repeats the secret', () => {
    expect(configError({}).field).toBe('GOOGLE_CLIENT_ID');
    const noId = configError({ GOOGLE_CLIENT_SECRET: SECRET });
    expect(noId.field).toBe('GOOGLE_CLIENT_ID');
    expect(noId.message).not.toContain(SECRET);
    expect(configError({ GOOGLE_CLIENT_ID: 'x' }).field).toBe('GOOGLE_CLIENT_SECRET');
    const spaced = configError({ ...base, GOOGLE_CLIENT_SECRET: `${SECRET} extra` });
    expect(spaced.field).toBe('GOOGLE_CLIENT_SECRET');
    expect(spaced.message).not.toContain(SECRET);
  });
});

describe('googleEnabled', () => {
  it('is true with both credentials and false with neither (blank counts as unset)', () => {
    expect(googleEnabled(base)).toBe(true);
    expect(googleEnabled({})).toBe(false);
    expect(googleEnabled({ GOOGLE_CLIENT_ID: ' ', GOOGLE_CLIENT_SECRET: '' })).toBe(false);
  });

  it('throws rather than silently switching Google off when only one is set', () => {
    expect(() => googleEnabled({ GOOGLE_CLIENT_ID: 'x' })).toThrow(/GOOGLE_CLIENT_SECRET: must be set/);
    expect(() => googleEnabled({ GOOGLE_CLIENT_SECRET: SECRET })).toThrow(/GOOGLE_CLIENT_ID: must be set/);
  });
});

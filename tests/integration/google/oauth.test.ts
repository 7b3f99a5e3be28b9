import { createServer, type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isOutreachError } from '../../../src/domain/errors.ts';
import { createCalendarClient } from '../../../src/infra/google/calendar-client.ts';
import { googleConfigFrom, type GoogleConfig } from '../../../src/infra/google/config.ts';
import { classifyGoogleError, GoogleApiError } from '../../../src/infra/google/errors.ts';
import { CALENDAR_EVENTS_SCOPE, exchangeCode, revokeToken, startLoopbackConsent, type LoopbackConsent } from '../../../src/infra/google/oauth.ts';
import { loadRefreshToken, saveRefreshToken } from '../../../src/infra/google/token-store.ts';
import { startCalendarStandIn, type CalendarStandIn } from '../../support/google-calendar-standin/index.ts';

let google: CalendarStandIn;
let config: GoogleConfig;
const open: LoopbackConsent[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  google = await startCalendarStandIn();
  config = googleConfigFrom(google.env());
});
afterEach(async () => {
  google.consent = { decision: 'allow' };
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await google.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** What a browser does with the consent URL: GET it, follow the redirect to 127.0.0.1, show the page. */
async function browse(url: string): Promise<{ status: number; text: string; finalUrl: string }> {
  const res = await fetch(url, { redirect: 'follow' });
  return { status: res.status, text: await res.text(), finalUrl: res.url };
}

async function consent(opts: Partial<Parameters<typeof startLoopbackConsent>[0]> = {}) {
  const c = await startLoopbackConsent({ config, ...opts });
  open.push(c);
  return c;
}

const rejectionOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

describe('installed-app loopback consent', () => {
  it('waits on the loopback port asked for (--port), for a machine whose firewall opens one', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = await consent({ port });
    expect(c.redirectUri).toBe(`http://127.0.0.1:${port}/callback`);
    expect(new URL(c.url).searchParams.get('redirect_uri')).toBe(c.redirectUri);
  });

  it('runs end to end: consent URL, browser, code on 127.0.0.1, exchange, token stored encrypted, calendar usable', async () => {
    let opened = '';
    let page: Promise<{ status: number; text: string; finalUrl: string }> | undefined;
    const c = await consent({
      open: (url) => {
        opened = url;
        page = browse(url);
      },
    });
    expect(opened).toBe(c.url);
    const auth = new URL(c.url);
    expect(`${auth.origin}${auth.pathname}`).toBe(config.authUrl);
    expect(Object.fromEntries(auth.searchParams)).toMatchObject({
      client_id: google.clientId,
      redirect_uri: c.redirectUri,
      response_type: 'code',
      access_type: 'offline',
      prompt: 'consent',
      scope: CALENDAR_EVENTS_SCOPE,
      code_challenge_method: 'S256',
    });
    expect(auth.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

    const answer = await c.waitForCode();
    expect(answer).toMatchObject({ redirectUri: c.redirectUri, codeVerifier: c.codeVerifier });
    const shown = await page!;
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('connected to Google Calendar');
    expect(shown.finalUrl.startsWith(c.redirectUri)).toBe(true);

    const tokens = await exchangeCode(config, answer);
    expect(tokens.refreshToken).toMatch(/^1\/\//);
    expect(tokens.accessToken).toMatch(/^ya29\./);
    expect(tokens.scope).toBe(CALENDAR_EVENTS_SCOPE);
    expect(tokens.expiryDate).toBeGreaterThan(Date.now());
    const exchange = google.lastCall('token')!;
    expect(exchange).toMatchObject({ grantType: 'authorization_code', status: 200 });

    const dataDir = mkdtempSync(join(tmpdir(), 'outreach-google-'));
    dirs.push(dataDir);
    const key = randomBytes(32);
    const workspaceId = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    saveRefreshToken(dataDir, key, workspaceId, { refreshToken: tokens.refreshToken, scope: tokens.scope });
    const file = join(dataDir, 'google', `${workspaceId}.json`);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(tokens.refreshToken);
    expect(text).not.toContain(tokens.refreshToken.slice(4, 20));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dataDir, 'google'))).toEqual([`${workspaceId}.json`]);

    const stored = loadRefreshToken(dataDir, key, workspaceId)!;
    expect(stored.refreshToken).toBe(tokens.refreshToken);
    const calendar = createCalendarClient({ config, refreshToken: stored.refreshToken });
    await expect(calendar.listChanges('primary')).resolves.toMatchObject({ items: expect.any(Array) });
  });

  it('the code is single use and useless without the PKCE verifier', async () => {
    const c = await consent({ open: (url) => void browse(url) });
    const answer = await c.waitForCode();
    const wrongVerifier = await rejectionOf(exchangeCode(config, { ...answer, codeVerifier: 'x'.repeat(43) }));
    expect(wrongVerifier).toBeInstanceOf(GoogleApiError);
    expect(classifyGoogleError(wrongVerifier)).toMatchObject({ kind: 'reauth', status: 400, reason: 'invalid_grant' });
    // The stand-in burns a code on any attempt, as Google does.
    expect(classifyGoogleError(await rejectionOf(exchangeCode(config, answer)))).toMatchObject({ reason: 'invalid_grant' });
  });

  it('refuses an answer with another state and keeps waiting for the real one', async () => {
    const c = await consent();
    const forged = await fetch(`${c.redirectUri}?code=forged&state=not-ours`);
    expect(forged.status).toBe(400);
    await browse(c.url);
    const answer = await c.waitForCode();
    expect(answer.code).not.toBe('forged');
  });

  it('says so when access is denied on the consent page', async () => {
    google.consent = { decision: 'deny' };
    const c = await consent({ open: (url) => void browse(url) });
    const e = await rejectionOf(c.waitForCode());
    expect(isOutreachError(e, 'config')).toBe(true);
    expect((e as Error).message).toMatch(/not connected.*access was not allowed.*outreach google connect/);
  });

  it('shows an error Google sent back as text, never as markup', async () => {
    const c = await consent();
    const state = new URL(c.url).searchParams.get('state')!;
    const waiting = rejectionOf(c.waitForCode());
    const res = await fetch(`${c.redirectUri}?state=${state}&error=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    expect(isOutreachError(await waiting, 'config')).toBe(true);
  });

  it('refuses (and revokes) a grant without the calendar events scope', async () => {
    google.consent = { decision: 'allow', grantedScopes: ['openid'] };
    const c = await consent({ open: (url) => void browse(url) });
    const answer = await c.waitForCode();
    const e = await rejectionOf(exchangeCode(config, answer));
    expect(isOutreachError(e, 'config')).toBe(true);
    expect((e as Error).message).toContain(CALENDAR_EVENTS_SCOPE);
    expect(google.lastCall('revoke')?.status).toBe(200);
  });

  it('times out with a clear error when no browser answers', async () => {
    const c = await consent({ timeoutMs: 50 });
    const e = await rejectionOf(c.waitForCode());
    expect(isOutreachError(e, 'unavailable')).toBe(true);
    expect((e as Error).message).toMatch(/no answer from the browser/);
    // And it stopped listening.
    await expect(fetch(c.redirectUri)).rejects.toThrow();
  });

  it('close() stops listening and rejects a pending wait', async () => {
    const c = await consent();
    const waiting = rejectionOf(c.waitForCode());
    await c.close();
    expect(isOutreachError(await waiting, 'unavailable')).toBe(true);
    await expect(fetch(c.redirectUri)).rejects.toThrow();
  });
});

describe('revoke', () => {
  it('revokes a refresh token: the calendar then says reauth; revoking again is already-invalid', async () => {
    const refreshToken = google.issueRefreshToken();
    const calendar = createCalendarClient({ config, refreshToken });
    await calendar.listChanges('primary');
    expect(await revokeToken(config, refreshToken)).toEqual({ alreadyInvalid: false });
    expect(google.isRevoked(refreshToken)).toBe(true);
    const revokeCall = google.lastCall('revoke')!;
    expect(JSON.stringify(revokeCall)).not.toContain(refreshToken);
    expect(classifyGoogleError(await rejectionOf(calendar.listChanges('primary')))).toMatchObject({ kind: 'reauth' });
    expect(await revokeToken(config, refreshToken)).toEqual({ alreadyInvalid: true });
  });

  it('a revoke endpoint that fails is an error, not a silent success', async () => {
    google.failNext(1, { status: 503, kind: 'revoke' });
    const e = await rejectionOf(revokeToken(config, google.issueRefreshToken()));
    expect(classifyGoogleError(e)).toMatchObject({ kind: 'transient', status: 503 });
  });
});

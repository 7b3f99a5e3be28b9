import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { OutreachError } from '../../domain/errors.ts';
import type { GoogleConfig } from './config.ts';
import { GoogleApiError, toGoogleApiError } from './errors.ts';

/** Create, read, change and delete events; nothing else of the account. */
export const CALENDAR_EVENTS_SCOPE = 'https://www.googleapis.com/auth/calendar.events';
/** The wider scope that includes events, accepted when Google grants it instead. */
const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

/** An OAuth2Client whose token, consent and revoke endpoints come from the configuration, without hidden retries. */
export function oauthClient(config: GoogleConfig, opts: { redirectUri?: string; timeoutMs?: number } = {}): OAuth2Client {
  // google-auth-library retries token requests up to 3 times on its own, for seconds; this turns
  // that off (deep-merged under its per-request retry flag): a consent code must not be replayed,
  // and a worker's queue is the one place that decides when to try again.
  const noRetry = { retryConfig: { retry: 0, noResponseRetries: 0 } };
  return new OAuth2Client({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    ...(opts.redirectUri ? { redirectUri: opts.redirectUri } : {}),
    endpoints: { oauth2TokenUrl: config.tokenUrl, oauth2AuthBaseUrl: config.authUrl, oauth2RevokeUrl: config.revokeUrl },
    transporterOptions: { timeout: opts.timeoutMs ?? 30_000, ...noRetry },
  });
}

export type ConsentCode = { code: string; redirectUri: string; codeVerifier: string; scope?: string };

export type LoopbackConsent = {
  /** The consent page to open in a browser (print it too: the browser may be on another screen). */
  url: string;
  redirectUri: string;
  /** The PKCE verifier that exchangeCode needs with the code. */
  codeVerifier: string;
  /** Resolves once the browser comes back with a code; rejects on a refusal or the timeout. */
  waitForCode(): Promise<ConsentCode>;
  /** Stops listening (idempotent); a pending waitForCode rejects. */
  close(): Promise<void>;
};

export type LoopbackConsentOptions = {
  config: GoogleConfig;
  scopes?: string[];
  /** Opens the URL in a browser; failures are ignored (the URL is also returned for printing). */
  open?: (url: string) => unknown;
  /** How long to wait for the browser; default 5 minutes. */
  timeoutMs?: number;
  /** Pre-selects the account on the consent page. */
  loginHint?: string;
  /** The loopback port to wait on (a machine whose firewall opens one); any free port by default. */
  port?: number | undefined;
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;max-width:36em;margin:4em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The installed-app loopback flow (RFC 8252): listens on 127.0.0.1 on a free port, and builds the
 * consent URL with a random state (so another page cannot inject its own code) and a PKCE S256
 * challenge (so a code seen by another local process is useless without the verifier), offline
 * access (a refresh token) and prompt=consent (Google sends a refresh token only on consent).
 * Only 127.0.0.1 is bound: nothing on the network can answer in the browser's place.
 */
export async function startLoopbackConsent(options: LoopbackConsentOptions): Promise<LoopbackConsent> {
  const { config } = options;
  const scopes = options.scopes ?? [CALENDAR_EVENTS_SCOPE];
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const state = randomBytes(16).toString('base64url');
  const codeVerifier = randomBytes(32).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');

  let settle: { resolve: (c: ConsentCode) => void; reject: (e: Error) => void } | undefined;
  const result = new Promise<ConsentCode>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Nobody may be waiting yet when the timeout fires; the rejection is still seen through waitForCode.
  result.catch(() => undefined);
  let done = false;
  let redirectUri = '';

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, title: string, text: string, after?: () => void) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
      res.end(page(title, text), after);
    };
    if (req.method !== 'GET' || url.pathname !== '/callback') return reply(404, 'Not found', 'This address only receives the answer from Google.');
    // A request without our state did not come from the consent we started: refuse it and keep waiting.
    if (!sameText(url.searchParams.get('state') ?? '', state))
      return reply(400, 'Unexpected request', 'This answer does not match the connection Outreach started. Nothing was changed.');
    if (done) return reply(409, 'Already answered', 'Outreach already received an answer; you can close this tab.');
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error || !code) {
      finish();
      const why = error === 'access_denied' ? 'access was not allowed on the consent page' : `Google answered ${error ?? 'without a code'}`;
      reply(400, 'Not connected', `Outreach was not connected to Google Calendar: ${why}. You can close this tab.`);
      settle!.reject(
        new OutreachError('config', `Google Calendar was not connected: ${why}; run \`outreach google connect\` again`, {
          details: { error: error ?? 'no_code' },
        }),
      );
      return;
    }
    finish();
    reply(200, 'Connected', 'Outreach is connected to Google Calendar. You can close this tab and return to the terminal.');
    const scope = url.searchParams.get('scope');
    settle!.resolve({ code, redirectUri, codeVerifier, ...(scope ? { scope } : {}) });
  });

  let timer: NodeJS.Timeout | undefined;
  let closed: Promise<void> | undefined;
  function finish() {
    done = true;
    if (timer) clearTimeout(timer);
    // Stop listening now; the answer being written still goes out (its socket is busy, so not
    // closed as idle), and `connection: close` ends it after.
    void close();
  }
  function close(): Promise<void> {
    if (!done) {
      done = true;
      if (timer) clearTimeout(timer);
      settle!.reject(new OutreachError('unavailable', 'the Google consent was abandoned before the browser answered'));
    }
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    return closed;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  timer = setTimeout(() => {
    if (done) return;
    finish();
    settle!.reject(
      new OutreachError('unavailable', `no answer from the browser within ${Math.round(timeoutMs / 1000)} s; run \`outreach google connect\` again`),
    );
  }, timeoutMs);
  const url = oauthClient(config, { redirectUri }).generateAuthUrl({
    access_type: 'offline',
    prompt: 'consent',
    scope: scopes,
    state,
    code_challenge: codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
    ...(options.loginHint ? { login_hint: options.loginHint } : {}),
  });
  if (options.open) {
    try {
      void Promise.resolve(options.open(url)).catch(() => undefined);
    } catch {
      // No browser here: the caller prints the URL.
    }
  }
  return { url, redirectUri, codeVerifier, waitForCode: () => result, close };
}

export type ExchangedTokens = { refreshToken: string; accessToken: string; scope: string; expiryDate?: number };

const grants = (scope: string, wanted: string) => {
  const granted = scope.split(/\s+/);
  return granted.includes(wanted) || (wanted === CALENDAR_EVENTS_SCOPE && granted.includes(CALENDAR_SCOPE));
};

/**
 * Trades the consent code for tokens at config.tokenUrl. Fails with OutreachError('config') when
 * Google sends no refresh token, or when the person unticked the calendar permission on the consent
 * page (the grant is then revoked, so no useless access stays behind). A refused code is a
 * GoogleApiError (reason invalid_grant). No token appears in any message.
 */
export async function exchangeCode(
  config: GoogleConfig,
  input: { code: string; redirectUri: string; codeVerifier: string; requiredScopes?: string[] },
): Promise<ExchangedTokens> {
  const client = oauthClient(config, { redirectUri: input.redirectUri });
  let tokens;
  try {
    ({ tokens } = await client.getToken({ code: input.code, codeVerifier: input.codeVerifier, redirect_uri: input.redirectUri }));
  } catch (e) {
    throw toGoogleApiError('token', e);
  }
  if (!tokens.access_token) throw new GoogleApiError('token', 'Google token endpoint answered without an access token', { status: 502 });
  if (!tokens.refresh_token) {
    throw new OutreachError(
      'config',
      'Google sent no refresh token: remove Outreach under "Third-party apps with account access" in your Google account, then run `outreach google connect` again',
    );
  }
  const scope = tokens.scope ?? '';
  const missing = (input.requiredScopes ?? [CALENDAR_EVENTS_SCOPE]).filter((s) => !grants(scope, s));
  if (missing.length > 0) {
    await revokeToken(config, tokens.refresh_token).catch(() => undefined);
    throw new OutreachError(
      'config',
      `Google did not grant ${missing.join(', ')}: run \`outreach google connect\` again and allow Outreach to view and edit calendar events`,
      { details: { missing } },
    );
  }
  return { refreshToken: tokens.refresh_token, accessToken: tokens.access_token, scope, ...(tokens.expiry_date ? { expiryDate: tokens.expiry_date } : {}) };
}

/**
 * Revokes a refresh (or access) token at config.revokeUrl; revoking a refresh token also ends the
 * access tokens made from it. A token Google no longer knows counts as done (`alreadyInvalid`).
 */
export async function revokeToken(config: GoogleConfig, token: string): Promise<{ alreadyInvalid: boolean }> {
  try {
    await oauthClient(config).revokeToken(token);
    return { alreadyInvalid: false };
  } catch (e) {
    const error = toGoogleApiError('revoke', e);
    if (error instanceof GoogleApiError && error.status === 400 && error.reason === 'invalid_token') return { alreadyInvalid: true };
    throw error;
  }
}

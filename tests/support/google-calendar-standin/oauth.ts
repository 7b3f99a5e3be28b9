/**
 * The stand-in's authorization server: consent codes (with PKCE), refresh and access tokens,
 * revocation. It checks what Google checks, so a client that skips a step fails here too.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const CALENDAR_EVENTS_SCOPE = 'https://www.googleapis.com/auth/calendar.events';
const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

type Code = { clientId: string; redirectUri: string; challenge?: string; method?: string; scope: string; offline: boolean; expiresAt: number; used: boolean };
type Refresh = { scope: string; revoked: boolean };
type Access = { scope: string; expiresAt: number; refreshToken?: string; revoked: boolean };

export type OAuthError = { status: number; error: string; description: string };
export type TokenResponse = { access_token: string; expires_in: number; scope: string; token_type: 'Bearer'; refresh_token?: string };

/** What the consent page does when a browser arrives: allow (optionally granting fewer scopes) or deny. */
export type ConsentBehaviour = { decision: 'allow' | 'deny'; grantedScopes?: string[] };

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;
const isLoopback = (uri: string) => {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname);
  } catch {
    return false;
  }
};

export class AuthServer {
  private readonly codes = new Map<string, Code>();
  private readonly refreshTokens = new Map<string, Refresh>();
  private readonly accessTokens = new Map<string, Access>();
  consent: ConsentBehaviour = { decision: 'allow' };

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
    private readonly now: () => number,
    readonly accessTokenTtlSeconds: number,
  ) {}

  /** GET /auth: where the browser is sent back to, as a URL, or an error page (status and text). */
  authorize(q: URLSearchParams): { redirect: string } | { status: number; text: string } {
    if (q.get('client_id') !== this.clientId) return { status: 401, text: 'Error 401: invalid_client. The OAuth client was not found.' };
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!isLoopback(redirectUri)) return { status: 400, text: 'Error 400: redirect_uri_mismatch' };
    if (q.get('response_type') !== 'code') return { status: 400, text: 'Error 400: unsupported_response_type' };
    const method = q.get('code_challenge_method') ?? undefined;
    const challenge = q.get('code_challenge') ?? undefined;
    if (method && !['S256', 'plain'].includes(method)) return { status: 400, text: 'Error 400: invalid_request (code_challenge_method)' };
    const back = new URL(redirectUri);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (this.consent.decision === 'deny') {
      back.searchParams.set('error', 'access_denied');
      return { redirect: back.toString() };
    }
    const requested = (q.get('scope') ?? '').split(/\s+/).filter(Boolean);
    const scope = (this.consent.grantedScopes ?? requested).join(' ');
    const code = token('4/0A');
    this.codes.set(code, {
      clientId: this.clientId,
      redirectUri,
      ...(challenge ? { challenge } : {}),
      ...(method ? { method } : {}),
      scope,
      offline: q.get('access_type') === 'offline',
      expiresAt: this.now() + 10 * 60_000,
      used: false,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('scope', scope);
    return { redirect: back.toString() };
  }

  /** POST /token with the form already parsed and the client's Basic credentials, if any. */
  token(form: URLSearchParams, basic?: { id: string; secret: string }): TokenResponse | OAuthError {
    const clientId = basic?.id ?? form.get('client_id') ?? '';
    const secret = basic?.secret ?? form.get('client_secret') ?? '';
    if (clientId !== this.clientId || !same(secret, this.clientSecret)) return { status: 401, error: 'invalid_client', description: 'Unauthorized' };
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code || code.used || code.expiresAt < this.now()) return { status: 400, error: 'invalid_grant', description: 'Malformed auth code.' };
      code.used = true;
      if (form.get('redirect_uri') !== code.redirectUri) return { status: 400, error: 'redirect_uri_mismatch', description: 'Bad Request' };
      if (code.challenge) {
        const verifier = form.get('code_verifier');
        if (!verifier) return { status: 400, error: 'invalid_grant', description: 'Missing code verifier.' };
        const expected = code.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
        if (!same(expected, code.challenge)) return { status: 400, error: 'invalid_grant', description: 'Invalid code verifier.' };
      }
      const refresh = code.offline ? this.issueRefreshToken(code.scope) : undefined;
      return this.access(code.scope, refresh);
    }
    if (grant === 'refresh_token') {
      const refreshToken = form.get('refresh_token') ?? '';
      const refresh = this.refreshTokens.get(refreshToken);
      if (!refresh || refresh.revoked) return { status: 400, error: 'invalid_grant', description: 'Token has been expired or revoked.' };
      const { refresh_token: _new, ...answer } = this.access(refresh.scope, refreshToken);
      return answer;
    }
    return { status: 400, error: 'unsupported_grant_type', description: `Invalid grant_type: ${grant ?? ''}` };
  }

  private access(scope: string, refreshToken?: string): TokenResponse {
    const accessToken = token('ya29.');
    this.accessTokens.set(accessToken, { scope, expiresAt: this.now() + this.accessTokenTtlSeconds * 1000, ...(refreshToken ? { refreshToken } : {}), revoked: false });
    return { access_token: accessToken, expires_in: this.accessTokenTtlSeconds, scope, token_type: 'Bearer', ...(refreshToken ? { refresh_token: refreshToken } : {}) };
  }

  /** POST /revoke: a refresh token takes its access tokens with it; an access token takes its refresh token. */
  revoke(value: string): OAuthError | undefined {
    const refresh = this.refreshTokens.get(value);
    const access = this.accessTokens.get(value);
    const root = refresh && !refresh.revoked ? value : access && !access.revoked ? access.refreshToken : undefined;
    if (!root && !(access && !access.revoked)) return { status: 400, error: 'invalid_token', description: 'Token expired or revoked' };
    if (access) access.revoked = true;
    if (root) {
      this.refreshTokens.get(root)!.revoked = true;
      for (const a of this.accessTokens.values()) if (a.refreshToken === root) a.revoked = true;
    }
    return undefined;
  }

  /** The scope of a live bearer token, or null when it is unknown, expired or revoked. */
  bearer(authorization: string | undefined): string | null {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const access = m ? this.accessTokens.get(m[1]!) : undefined;
    if (!access || access.revoked || access.expiresAt <= this.now()) return null;
    return access.scope;
  }

  static allowsEvents(scope: string): boolean {
    const granted = scope.split(/\s+/);
    return granted.includes(CALENDAR_EVENTS_SCOPE) || granted.includes(CALENDAR_SCOPE);
  }

  // ─── test controls ─────────────────────────────────────────────────────────────────────

  issueRefreshToken(scope = CALENDAR_EVENTS_SCOPE): string {
    const refresh = token('1//0g');
    this.refreshTokens.set(refresh, { scope, revoked: false });
    return refresh;
  }

  isRevoked(refreshToken: string): boolean {
    return this.refreshTokens.get(refreshToken)?.revoked ?? true;
  }

  /** As when the user removes the app's access: every refresh and access token stops working. */
  revokeAll(): void {
    for (const r of this.refreshTokens.values()) r.revoked = true;
    for (const a of this.accessTokens.values()) a.revoked = true;
  }

  /** Ends every access token early (refresh tokens keep working), as Google may do. */
  expireAccessTokens(): void {
    for (const a of this.accessTokens.values()) a.expiresAt = 0;
  }
}

import { googleConfigFrom } from '../infra/google/config.ts';
import { CALENDAR_EVENTS_SCOPE, exchangeCode, revokeToken, startLoopbackConsent } from '../infra/google/oauth.ts';
import { createGmailClient, GMAIL_READONLY_SCOPE, GMAIL_SEND_SCOPE } from '../infra/google/gmail-client.ts';
import { deleteRefreshToken, loadRefreshToken, saveRefreshToken, tokenStoreKeyFrom } from '../infra/google/token-store.ts';

/**
 * The loopback consent flow: prints nothing itself (`onConsentUrl` is told where to send the
 * browser), waits for the code, exchanges it and stores the refresh token encrypted.
 */
export async function connectGoogle(input: {
  dataDir: string;
  workspaceId: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number | undefined;
  /** The loopback port for the browser's return; any free one when absent. */
  port?: number | undefined;
  /** Also ask to send as the seeker and read their mail (`--gmail`). */
  gmail?: boolean | undefined;
  onConsentUrl: (url: string, redirectUri: string) => void;
}): Promise<{ calendarId: string; gmail: string | null }> {
  const config = googleConfigFrom(input.env);
  // The key is checked before the browser dance, so a missing OUTREACH_SECRET_KEY fails at once.
  const key = tokenStoreKeyFrom(input.env);
  const scopes = input.gmail ? [CALENDAR_EVENTS_SCOPE, GMAIL_SEND_SCOPE, GMAIL_READONLY_SCOPE] : [CALENDAR_EVENTS_SCOPE];
  const consent = await startLoopbackConsent({ config, scopes, ...(input.timeoutMs ? { timeoutMs: input.timeoutMs } : {}), port: input.port });
  let gmail: string | null = null;
  input.onConsentUrl(consent.url, consent.redirectUri);
  try {
    const code = await consent.waitForCode();
    const tokens = await exchangeCode(config, code);
    // The account's address: its own mail is never taken for a contact's reply.
    const granted = tokens.scope.split(/\s+/);
    if (input.gmail && granted.includes(GMAIL_READONLY_SCOPE))
      gmail = (await createGmailClient({ config, refreshToken: tokens.refreshToken }).profile()).emailAddress || null;
    saveRefreshToken(input.dataDir, key, input.workspaceId, {
      refreshToken: tokens.refreshToken,
      scope: tokens.scope,
      ...(gmail ? { accountEmail: gmail } : {}),
    });
  } finally {
    await consent.close();
  }
  return { calendarId: config.calendarId, gmail };
}

/** Revokes the stored grant (when there is one) and deletes it. */
export async function disconnectGoogle(input: { dataDir: string; workspaceId: string; env: NodeJS.ProcessEnv }): Promise<{ revoked: boolean | null }> {
  const config = googleConfigFrom(input.env);
  const grant = loadRefreshToken(input.dataDir, tokenStoreKeyFrom(input.env), input.workspaceId);
  const revoked = grant ? await revokeToken(config, grant.refreshToken) : null;
  deleteRefreshToken(input.dataDir, input.workspaceId);
  return { revoked: revoked ? !revoked.alreadyInvalid : null };
}

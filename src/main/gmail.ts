import { OutreachError } from '../domain/errors.ts';
import { googleConfigFrom, googleEnabled } from '../infra/google/config.ts';
import { createGmailClient, GMAIL_READONLY_SCOPE, GMAIL_SEND_SCOPE, type GmailClient } from '../infra/google/gmail-client.ts';
import { loadRefreshToken, tokenStoreKeyFrom } from '../infra/google/token-store.ts';
import type { Config } from './config.ts';

export type GmailAccess = { client: GmailClient; send: boolean; read: boolean; account: string };

/** The workspace's Gmail, from the grant `outreach google connect --gmail` stored (encrypted, 0600); null without one. */
export function gmailAccess(config: Pick<Config, 'dataDir' | 'workspaceId'>, env: NodeJS.ProcessEnv): GmailAccess | null {
  if (!googleEnabled(env)) return null;
  const grant = loadRefreshToken(config.dataDir, tokenStoreKeyFrom(env), config.workspaceId);
  if (!grant) return null;
  const scopes = grant.scope.split(/\s+/);
  const send = scopes.includes(GMAIL_SEND_SCOPE);
  const read = scopes.includes(GMAIL_READONLY_SCOPE);
  if (!send && !read) return null;
  return { client: createGmailClient({ config: googleConfigFrom(env), refreshToken: grant.refreshToken }), send, read, account: grant.accountEmail ?? 'me' };
}

/** For MAIL_TRANSPORT=gmail: the client, or one clear error saying how to connect. */
export function gmailForSending(config: Pick<Config, 'dataDir' | 'workspaceId'>, env: NodeJS.ProcessEnv): GmailAccess {
  const access = gmailAccess(config, env);
  if (!access?.send)
    throw new OutreachError('config', 'MAIL_TRANSPORT: gmail needs Gmail connected with permission to send: run `outreach google connect --gmail`', {
      field: 'MAIL_TRANSPORT',
    });
  return access;
}

import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OutreachError } from '../../domain/errors.ts';
import { decrypt, encrypt, secretKeyFrom, subkey } from '../crypto/secret-key.ts';

export type StoredGoogleGrant = {
  refreshToken: string;
  /** The scopes Google granted, space-separated as the token endpoint returns them. */
  scope: string;
  accountEmail?: string;
};

const FORMAT = 'outreach-google-token/v1';
const PURPOSE = 'google-refresh-token';
/** Workspace ids are UUIDs; anything that could climb out of the folder is refused. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

const fileOf = (dataDir: string, workspaceId: string) => {
  if (!SAFE_ID.test(workspaceId))
    throw new OutreachError('validation', `workspace id ${JSON.stringify(workspaceId)} cannot name a token file`, { field: 'workspaceId' });
  return join(dataDir, 'google', `${workspaceId}.json`);
};

/** The ciphertext is bound to its workspace: a file copied over another workspace's fails to open. */
const aadOf = (workspaceId: string) => `${FORMAT} ${workspaceId}`;

function tokenKey(key: Uint8Array | undefined): Buffer {
  if (!key || key.length === 0) {
    throw new OutreachError(
      'config',
      'OUTREACH_SECRET_KEY: must be set to store the Google refresh token encrypted (generate one with `openssl rand -base64 32`)',
      { field: 'OUTREACH_SECRET_KEY' },
    );
  }
  return subkey(key, PURPOSE);
}

/**
 * The master key for the token store, from OUTREACH_SECRET_KEY only: a key file kept in the same
 * data folder as the tokens would protect them from nothing, so connecting Google asks for the
 * variable and says how to make one when it is missing.
 */
export function tokenStoreKeyFrom(env: Record<string, string | undefined>): Buffer {
  if (!env['OUTREACH_SECRET_KEY']?.trim()) {
    throw new OutreachError(
      'config',
      'OUTREACH_SECRET_KEY: must be set to connect Google Calendar; the refresh token is stored encrypted with it (generate one with `openssl rand -base64 32`)',
      { field: 'OUTREACH_SECRET_KEY' },
    );
  }
  return secretKeyFrom(env);
}

/**
 * Stores the grant for one workspace in `${dataDir}/google/<workspaceId>.json`, mode 0600, the whole
 * grant (token, scope, account) sealed with AES-256-GCM under subkey(key, 'google-refresh-token').
 * Written to a temporary file, flushed and renamed, so a crash leaves the old file or the new one.
 * `key` is the master key (secretKeyFrom / tokenStoreKeyFrom); the token never appears in a message.
 */
export function saveRefreshToken(dataDir: string, key: Uint8Array, workspaceId: string, grant: StoredGoogleGrant): void {
  const file = fileOf(dataDir, workspaceId);
  if (typeof grant.refreshToken !== 'string' || grant.refreshToken.length === 0) {
    throw new OutreachError('validation', 'refusing to store an empty Google refresh token', { field: 'refreshToken' });
  }
  const sealed = encrypt(
    JSON.stringify({ refreshToken: grant.refreshToken, scope: grant.scope, ...(grant.accountEmail ? { accountEmail: grant.accountEmail } : {}) }),
    tokenKey(key),
    aadOf(workspaceId),
  );
  const body = `${JSON.stringify({ format: FORMAT, workspaceId, savedAt: new Date().toISOString(), sealed }, null, 2)}\n`;
  const dir = join(dataDir, 'google');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${workspaceId}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  // A file that existed before keeps its mode through rename on most systems; make sure.
  chmodSync(file, 0o600);
}

/** The stored grant, or null when the workspace has none. A wrong key or an altered file is OutreachError('config'). */
export function loadRefreshToken(dataDir: string, key: Uint8Array, workspaceId: string): StoredGoogleGrant | null {
  const file = fileOf(dataDir, workspaceId);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const broken = (why: string) =>
    new OutreachError('config', `${file}: ${why}; run \`outreach google connect\` again`, { field: 'OUTREACH_SECRET_KEY', details: { file } });
  let stored: { format?: unknown; workspaceId?: unknown; sealed?: unknown };
  try {
    stored = JSON.parse(text) as typeof stored;
  } catch {
    throw broken('is not a stored Google token');
  }
  if (stored.format !== FORMAT || typeof stored.sealed !== 'string') throw broken('is not a stored Google token');
  if (stored.workspaceId !== workspaceId) throw broken(`belongs to workspace ${String(stored.workspaceId)}`);
  const grant = JSON.parse(decrypt(stored.sealed, tokenKey(key), aadOf(workspaceId))) as StoredGoogleGrant;
  if (typeof grant.refreshToken !== 'string' || !grant.refreshToken) throw broken('holds no refresh token');
  return {
    refreshToken: grant.refreshToken,
    scope: typeof grant.scope === 'string' ? grant.scope : '',
    ...(grant.accountEmail ? { accountEmail: grant.accountEmail } : {}),
  };
}

/** Removes the workspace's stored grant; true when there was one. */
export function deleteRefreshToken(dataDir: string, workspaceId: string): boolean;
export function deleteRefreshToken(dataDir: string, key: Uint8Array, workspaceId: string): boolean;
export function deleteRefreshToken(dataDir: string, keyOrId: Uint8Array | string, maybeId?: string): boolean {
  const workspaceId = typeof keyOrId === 'string' ? keyOrId : maybeId!;
  const file = fileOf(dataDir, workspaceId);
  try {
    rmSync(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Where a workspace's token lives (for messages: the path holds no secret). */
export const refreshTokenFile = fileOf;

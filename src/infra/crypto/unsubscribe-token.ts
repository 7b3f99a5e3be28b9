import { createHmac, timingSafeEqual } from 'node:crypto';
import { OutreachError } from '../../domain/errors.ts';
import { id, workspaceId as workspaceIdSchema } from '../../domain/values.ts';
import { subkey } from './secret-key.ts';

export type UnsubscribeSubject = { workspaceId: string; contactId: string };

/*
 * Token: `u1.<payload>.<mac>`, both base64url, payload = JSON {w, c}, mac = HMAC-SHA256 over
 * "u1.<payload>" with a subkey of the secret. The version prefix lets a later format coexist
 * with links already sitting in inboxes. No expiry: an unsubscribe link must keep working.
 */
const VERSION = 'u1';
const MAC_BYTES = 32;

const macKey = (secret: Uint8Array | string) => subkey(secret, 'unsubscribe-token v1');
const mac = (secret: Uint8Array | string, signed: string) => createHmac('sha256', macKey(secret)).update(signed).digest();

export function signUnsubscribeToken(subject: UnsubscribeSubject, secret: Uint8Array | string): string {
  if (!workspaceIdSchema.safeParse(subject.workspaceId).success)
    throw new OutreachError('validation', 'workspaceId: not a workspace id', { field: 'workspaceId' });
  if (!id.safeParse(subject.contactId).success) throw new OutreachError('validation', 'contactId: must be a UUID', { field: 'contactId' });
  const payload = Buffer.from(JSON.stringify({ w: subject.workspaceId, c: subject.contactId }), 'utf8').toString('base64url');
  const signed = `${VERSION}.${payload}`;
  return `${signed}.${mac(secret, signed).toString('base64url')}`;
}

/** The subject of a genuine token, or null for anything else; it never throws on input from the link. */
export function verifyUnsubscribeToken(token: unknown, secret: Uint8Array | string): UnsubscribeSubject | null {
  if (typeof token !== 'string' || token.length > 512) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const [, payload, macText] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(macText)) return null;
  const given = Buffer.from(macText, 'base64url');
  // Only the one canonical spelling: base64url's last character carries padding bits a decoder ignores.
  if (given.length !== MAC_BYTES || given.toString('base64url') !== macText) return null;
  if (!timingSafeEqual(given, mac(secret, `${VERSION}.${payload}`))) return null;
  try {
    const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { w?: unknown; c?: unknown };
    const w = workspaceIdSchema.safeParse(data.w);
    const c = id.safeParse(data.c);
    return w.success && c.success ? { workspaceId: w.data, contactId: c.data } : null;
  } catch {
    return null;
  }
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a public base URL: https, except on a loopback host where a developer runs without TLS.
 * Mail clients drop a plain-http List-Unsubscribe, and the token must not travel in clear.
 */
export function checkPublicUrl(publicUrl: string, field = 'OUTREACH_PUBLIC_URL'): URL {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new OutreachError('config', `${field}: must be an absolute URL such as https://outreach.example.com`, { field });
  }
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new OutreachError('config', `${field}: must use https (plain http only for localhost or 127.0.0.1), not ${url.protocol}//${url.host}`, { field });
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new OutreachError('config', `${field}: must be a base URL without credentials, query or fragment`, { field });
  }
  return url;
}

/** Checked base URLs by what was given: one per deployment, asked for once per email. */
const checkedBases = new Map<string, string>();

export function unsubscribeUrl(publicUrl: string, token: string): string {
  let base = checkedBases.get(publicUrl);
  if (base === undefined) {
    base = checkPublicUrl(publicUrl).toString().replace(/\/+$/, '');
    if (checkedBases.size >= 16) checkedBases.clear();
    checkedBases.set(publicUrl, base);
  }
  return `${base}/u/${encodeURIComponent(token)}`;
}

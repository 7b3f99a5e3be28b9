import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scryptSync } from 'node:crypto';
import { OutreachError } from '../../domain/errors.ts';

const VAR = 'OUTREACH_SECRET_KEY';
const KEY_BYTES = 32;
const HOW_TO = 'generate one with `openssl rand -base64 32`';

/**
 * The workspace's master key, from OUTREACH_SECRET_KEY, read in this order:
 *  1. exactly 64 hex digits → those 32 bytes;
 *  2. base64 or base64url that decodes to exactly 32 bytes (43 or 44 characters) → those bytes;
 *  3. any other string of at least 32 characters → a passphrase, stretched to 32 bytes with
 *     scrypt (N=2^15, r=8, p=1, fixed salt). scrypt rather than a bare hash because a
 *     passphrase can be guessed offline from anything it protects (the refresh tokens).
 * The value itself never appears in an error message.
 */
export function secretKeyFrom(env: Record<string, string | undefined>): Buffer {
  const raw = env[VAR]?.trim();
  if (!raw) throw new OutreachError('config', `${VAR}: must be set (${HOW_TO})`, { field: VAR });
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return Buffer.from(raw, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(raw)) {
    const bytes = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  if (raw.length < 32) {
    throw new OutreachError(
      'config',
      `${VAR}: must be 32 random bytes in base64 or hex, or a passphrase of at least 32 characters; it has ${raw.length} (${HOW_TO})`,
      { field: VAR },
    );
  }
  return scryptSync(raw.normalize('NFC'), 'outreach/OUTREACH_SECRET_KEY/v1', KEY_BYTES, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
}

/**
 * One master key serves several purposes (AES for stored tokens, HMAC for unsubscribe links);
 * each gets its own subkey so that no output of one can be replayed against the other.
 */
export function subkey(key: Uint8Array | string, purpose: string): Buffer {
  const ikm = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (ikm.length === 0) throw new OutreachError('config', `${VAR}: the key is empty`, { field: VAR });
  // Every unsubscribe link (one per email) and every sealed token needs a subkey of the same
  // master key: the derivation is remembered per key and purpose, and each caller gets a copy.
  const memo = typeof key === 'string' ? undefined : derivedFor(key, purpose);
  if (memo) return Buffer.from(memo);
  const derived = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), `outreach ${purpose}`, KEY_BYTES));
  if (typeof key !== 'string') remember(key, purpose, derived);
  return Buffer.from(derived);
}

/**
 * Subkeys already derived, held by the master key's object (so they go when it goes, and no copy
 * of the key is kept as a string). Each entry keeps the key bytes it was derived from: a key
 * object whose bytes were changed since is derived again, never served a stale subkey.
 */
const derivedKeys = new WeakMap<Uint8Array, Map<string, { from: Buffer; key: Buffer }>>();

function derivedFor(key: Uint8Array, purpose: string): Buffer | undefined {
  const hit = derivedKeys.get(key)?.get(purpose);
  return hit && hit.from.equals(key) ? hit.key : undefined;
}

function remember(key: Uint8Array, purpose: string, derived: Buffer) {
  let byPurpose = derivedKeys.get(key);
  if (!byPurpose) derivedKeys.set(key, (byPurpose = new Map()));
  byPurpose.set(purpose, { from: Buffer.from(key), key: derived });
}

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const aesKey = (key: Uint8Array) => subkey(key, 'aes-256-gcm v1');
const aadBytes = (aad: string | Uint8Array | undefined) => (aad === undefined ? undefined : typeof aad === 'string' ? Buffer.from(aad, 'utf8') : aad);

/**
 * AES-256-GCM. The result is `v1.<iv>.<ciphertext>.<tag>` in base64url, safe to store in an event.
 * `aad` binds the ciphertext to its context (say, the workspace id): the same ciphertext moved
 * to another context fails to decrypt instead of being accepted.
 */
export function encrypt(plaintext: string | Uint8Array, key: Uint8Array, aad?: string | Uint8Array): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', aesKey(key), iv);
  const extra = aadBytes(aad);
  if (extra) cipher.setAAD(extra);
  const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
  return [FORMAT, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The bytes `encrypt` sealed; throws OutreachError('config') for a wrong key, another aad, or altered data. */
export function decryptBytes(sealed: string, key: Uint8Array, aad?: string | Uint8Array): Buffer {
  const parts = sealed.split('.');
  const fail = (why: string) => new OutreachError('config', `cannot decrypt a stored secret (${why}): was ${VAR} changed?`, { field: VAR });
  if (parts.length !== 4 || parts[0] !== FORMAT) throw fail('not a v1 ciphertext');
  const [, ivText, bodyText, tagText] = parts as [string, string, string, string];
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw fail('malformed');
  const decipher = createDecipheriv('aes-256-gcm', aesKey(key), iv, { authTagLength: TAG_BYTES });
  const extra = aadBytes(aad);
  if (extra) decipher.setAAD(extra);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]);
  } catch {
    throw fail('authentication failed');
  }
}

export const decrypt = (sealed: string, key: Uint8Array, aad?: string | Uint8Array): string => decryptBytes(sealed, key, aad).toString('utf8');

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { randomBytesPooled } from './random-pool.ts';

/** A sealed value as stored: the prefix says it is ciphertext, so plaintext is never mistaken for it. */
export const SEALED_PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const isSealed = (v: unknown): v is string => typeof v === 'string' && v.startsWith(SEALED_PREFIX);

/**
 * AES-256-GCM of the value's JSON. The subject is the additional data, so a value cannot be moved
 * from one contact's event to another's without failing authentication.
 */
export function sealValue(key: Buffer, value: unknown, subject: string): string {
  const iv = randomBytesPooled(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(subject, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

export class SealedValueError extends Error {
  readonly code = 'unavailable' as const;
  constructor(message: string) {
    super(message);
    this.name = 'SealedValueError';
  }
}

export function openValue(key: Buffer, sealed: string, subject: string): unknown {
  const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SealedValueError(`a sealed value of ${subject} is truncated`);
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(subject, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  try {
    const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    return JSON.parse(text);
  } catch {
    throw new SealedValueError(`a sealed value of ${subject} failed authentication (wrong key or altered data)`);
  }
}

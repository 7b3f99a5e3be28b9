import { createCipheriv, createDecipheriv } from 'node:crypto';
import { randomInto } from './random-pool.ts';

/** A sealed value as stored: the prefix says it is ciphertext, so plaintext is never mistaken for it. */
export const SEALED_PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const isSealed = (v: unknown): v is string => typeof v === 'string' && v.startsWith(SEALED_PREFIX);

/** The additional data of the last subject sealed for: an event's fields share one subject. */
let lastSubject = '';
let lastAad = Buffer.alloc(0);
const aadOf = (subject: string) => {
  if (subject !== lastSubject) {
    lastAad = Buffer.from(subject, 'utf8');
    lastSubject = subject;
  }
  return lastAad;
};

/**
 * AES-256-GCM of the value's JSON. The subject is the additional data, so a value cannot be moved
 * from one contact's event to another's without failing authentication. Stored as
 * prefix + base64url(iv | ciphertext | tag), assembled in one buffer (a field is sealed per
 * personal value, several per command: each copy counted).
 */
export function sealValue(key: Buffer, value: unknown, subject: string): string {
  const plain = Buffer.from(JSON.stringify(value), 'utf8');
  // GCM is a stream mode: the ciphertext is as long as the plaintext.
  const out = Buffer.allocUnsafe(IV_BYTES + plain.length + TAG_BYTES);
  const iv = randomInto(out, 0, IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadOf(subject));
  const n = cipher.update(plain).copy(out, IV_BYTES);
  // final() of GCM adds no bytes (it computes the tag); should it ever, they are kept.
  const tail = cipher.final();
  if (n + tail.length !== plain.length) throw new Error('AES-GCM gave a ciphertext of another length than its plaintext');
  tail.copy(out, IV_BYTES + n);
  cipher.getAuthTag().copy(out, IV_BYTES + plain.length);
  return SEALED_PREFIX + out.toString('base64url');
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

import { OutreachError } from '../../../domain/errors.ts';

/** RFC 4648 §7 "base32hex", lowercased: exactly the characters Google accepts in an event id. */
const ALPHABET = '0123456789abcdefghijklmnopqrstuv';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Google's rule for client-chosen event ids: base32hex characters, 5 to 1024 of them. */
export const isValidGoogleEventId = (id: string) => /^[0-9a-v]{5,1024}$/.test(id);

function base32hex(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The Calendar event id for a meeting: the 16 bytes of its UUID in lowercase base32hex without
 * padding (26 characters). The same meeting always gets the same id, so a retried insert meets
 * a 409 instead of making a second event, and the poller can tell the events the product owns.
 */
export function googleEventIdFor(meetingId: string): string {
  if (!UUID.test(meetingId)) throw new OutreachError('validation', `meeting id ${JSON.stringify(meetingId)} is not a UUID`, { field: 'meetingId' });
  return base32hex(Buffer.from(meetingId.replace(/-/g, ''), 'hex'));
}

/** The meeting id behind an id made by googleEventIdFor, or null for any other event id. */
export function meetingIdFromGoogleEventId(eventId: string): string | null {
  if (!/^[0-9a-v]{26}$/.test(eventId)) return null;
  let buffer = 0;
  let bits = 0;
  const bytes: number[] = [];
  for (const ch of eventId) {
    buffer = (buffer << 5) | ALPHABET.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
      buffer &= (1 << bits) - 1;
    }
  }
  // 26 characters carry 130 bits: the last 2 must be the zero padding base32hex adds.
  if (bytes.length !== 16 || buffer !== 0) return null;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { googleEventIdFor, isValidGoogleEventId, meetingIdFromGoogleEventId } from '../../../src/infra/google/calendar-client.ts';

describe('googleEventIdFor', () => {
  it('is deterministic: the same meeting id always gives the same event id, whatever its case', () => {
    const id = uuidv7();
    expect(googleEventIdFor(id)).toBe(googleEventIdFor(id));
    expect(googleEventIdFor(id.toUpperCase())).toBe(googleEventIdFor(id));
  });

  it('matches RFC 4648 base32hex of the 16 bytes, lowercase, unpadded', () => {
    expect(googleEventIdFor('00000000-0000-0000-0000-000000000000')).toBe('0'.repeat(26));
    expect(googleEventIdFor('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(`${'v'.repeat(25)}s`);
    // RFC 4648 §10 test vector: BASE32-HEX("foobar") = "CPNMUOJ1E8======"; here 16 bytes starting with it.
    const bytes = Buffer.alloc(16);
    Buffer.from('foobar').copy(bytes);
    const hex = bytes.toString('hex');
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    expect(googleEventIdFor(uuid).startsWith('cpnmuoj1e8')).toBe(true);
  });

  it('is always valid for Google: base32hex characters only, 5 to 1024 long', () => {
    for (let i = 0; i < 500; i++) {
      const id = googleEventIdFor(i % 2 ? uuidv7() : randomUUID());
      expect(id).toMatch(/^[0-9a-v]{26}$/);
      expect(isValidGoogleEventId(id)).toBe(true);
    }
  });

  it('differs for different meetings and maps back to the meeting id', () => {
    const ids = Array.from({ length: 1000 }, () => uuidv7());
    const eventIds = new Set(ids.map(googleEventIdFor));
    expect(eventIds.size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(meetingIdFromGoogleEventId(googleEventIdFor(id))).toBe(id);
  });

  it('recognises only ids it could have made', () => {
    expect(meetingIdFromGoogleEventId('abc123')).toBeNull();
    expect(meetingIdFromGoogleEventId('w'.repeat(26))).toBeNull();
    // Non-zero padding bits: not the image of any UUID.
    expect(meetingIdFromGoogleEventId(`${'0'.repeat(25)}1`)).toBeNull();
  });

  it('refuses a meeting id that is not a UUID', () => {
    expect(() => googleEventIdFor('meeting-1')).toThrow(/not a UUID/);
  });

  it("knows Google's rule for ids", () => {
    expect(isValidGoogleEventId('abcd')).toBe(false);
    expect(isValidGoogleEventId('abcde')).toBe(true);
    expect(isValidGoogleEventId('ABCDE')).toBe(false);
    expect(isValidGoogleEventId('abcdw')).toBe(false);
    expect(isValidGoogleEventId('a'.repeat(1025))).toBe(false);
  });
});

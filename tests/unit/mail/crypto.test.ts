import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isOutreachError } from '../../../src/domain/errors.ts';
import { decrypt, encrypt, secretKeyFrom, subkey } from '../../../src/infra/crypto/secret-key.ts';
import { signUnsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from '../../../src/infra/crypto/unsubscribe-token.ts';

const key = randomBytes(32);
const subject = { workspaceId: 'coach-7_a', contactId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' };

const flip = (token: string, at: number) => {
  const chars = [...token];
  chars[at] = chars[at] === 'A' ? 'B' : 'A';
  return chars.join('');
};

describe('unsubscribe token', () => {
  it('verifies what it signed, and is URL-safe', () => {
    const token = signUnsubscribeToken(subject, key);
    expect(token).toMatch(/^u1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(verifyUnsubscribeToken(token, key)).toEqual(subject);
  });

  it('is the same for the same subject, so every email to a contact carries one link', () => {
    expect(signUnsubscribeToken(subject, key)).toBe(signUnsubscribeToken({ ...subject }, key));
  });

  it('rejects a token signed with another secret', () => {
    expect(verifyUnsubscribeToken(signUnsubscribeToken(subject, randomBytes(32)), key)).toBeNull();
  });

  it('rejects any altered character of the payload or the MAC', () => {
    const token = signUnsubscribeToken(subject, key);
    for (const at of [3, 10, token.length - 5, token.length - 1]) expect(verifyUnsubscribeToken(flip(token, at), key)).toBeNull();
  });

  it('rejects a payload swapped in from another contact with the old MAC', () => {
    const mine = signUnsubscribeToken(subject, key).split('.');
    const theirs = signUnsubscribeToken({ ...subject, contactId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c' }, key).split('.');
    expect(verifyUnsubscribeToken(`u1.${theirs[1]}.${mine[2]}`, key)).toBeNull();
  });

  it('returns null for garbage of every shape, never throwing', () => {
    const garbage: unknown[] = [
      '',
      'u1',
      'u1..',
      'u2.a.b',
      'u1.%%%.###',
      `u1.${'A'.repeat(10)}.${'A'.repeat(43)}`,
      'x'.repeat(10_000),
      null,
      undefined,
      42,
      {},
      ['u1'],
    ];
    for (const g of garbage) expect(verifyUnsubscribeToken(g, key)).toBeNull();
  });

  it('rejects a correctly signed payload that does not hold a workspace and a contact id', () => {
    // Signed by hand with the right subkey: only the shape check stands between it and a result.
    const forge = (payload: unknown) => {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      const mac = createHmac('sha256', subkey(key, 'unsubscribe-token v1')).update(`u1.${body}`).digest('base64url');
      return `u1.${body}.${mac}`;
    };
    expect(verifyUnsubscribeToken(forge({ w: subject.workspaceId, c: subject.contactId }), key)).toEqual(subject);
    expect(verifyUnsubscribeToken(forge({ w: subject.workspaceId, c: 'not-a-uuid' }), key)).toBeNull();
    expect(verifyUnsubscribeToken(forge({ w: '../etc', c: subject.contactId }), key)).toBeNull();
    expect(verifyUnsubscribeToken(forge([1, 2]), key)).toBeNull();
    expect(() => signUnsubscribeToken({ workspaceId: 'has space', contactId: subject.contactId }, key)).toThrow(/workspaceId/);
    expect(() => signUnsubscribeToken({ workspaceId: 'w', contactId: 'not-a-uuid' }, key)).toThrow(/contactId/);
  });

  it('builds the link under the public URL, https unless on loopback', () => {
    expect(unsubscribeUrl('https://outreach.example', 'u1.a.b')).toBe('https://outreach.example/u/u1.a.b');
    expect(unsubscribeUrl('https://example.org/outreach/', 'u1.a.b')).toBe('https://example.org/outreach/u/u1.a.b');
    expect(unsubscribeUrl('http://localhost:3000', 't')).toBe('http://localhost:3000/u/t');
    expect(unsubscribeUrl('http://127.0.0.1:3000/', 't')).toBe('http://127.0.0.1:3000/u/t');
    expect(() => unsubscribeUrl('http://outreach.example', 't')).toThrow(/OUTREACH_PUBLIC_URL: must use https/);
    expect(() => unsubscribeUrl('outreach.example', 't')).toThrow(/OUTREACH_PUBLIC_URL/);
    expect(() => unsubscribeUrl('ftp://outreach.example', 't')).toThrow(/OUTREACH_PUBLIC_URL/);
  });
});

describe('secretKeyFrom', () => {
  const hex = randomBytes(32).toString('hex');
  it('reads 64 hex digits, base64 and base64url of 32 bytes as those bytes', () => {
    expect(secretKeyFrom({ OUTREACH_SECRET_KEY: hex }).toString('hex')).toBe(hex);
    const bytes = randomBytes(32);
    expect(secretKeyFrom({ OUTREACH_SECRET_KEY: bytes.toString('base64') }).equals(bytes)).toBe(true);
    expect(secretKeyFrom({ OUTREACH_SECRET_KEY: bytes.toString('base64url') }).equals(bytes)).toBe(true);
  });

  it('stretches a passphrase of 32+ characters to 32 bytes, the same every time', () => {
    const phrase = 'correct horse battery staple, and then some';
    const a = secretKeyFrom({ OUTREACH_SECRET_KEY: phrase });
    expect(a.length).toBe(32);
    expect(a.equals(secretKeyFrom({ OUTREACH_SECRET_KEY: phrase }))).toBe(true);
    expect(a.equals(secretKeyFrom({ OUTREACH_SECRET_KEY: `${phrase}!` }))).toBe(false);
  });

  it('names OUTREACH_SECRET_KEY when it is missing or short, without echoing it', () => {
    for (const value of [undefined, '', '   ']) {
      let error: unknown;
      try {
        secretKeyFrom({ OUTREACH_SECRET_KEY: value });
      } catch (e) {
        error = e;
      }
      expect(isOutreachError(error, 'config')).toBe(true);
      expect((error as Error).message).toMatch(/^OUTREACH_SECRET_KEY: must be set/);
    }
    try {
      secretKeyFrom({ OUTREACH_SECRET_KEY: 'hunter2-too-short' });
      expect.unreachable();
    } catch (e) {
      expect(isOutreachError(e, 'config')).toBe(true);
      expect((e as Error).message).toMatch(/^OUTREACH_SECRET_KEY: .*at least 32 characters/);
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});

describe('encrypt / decrypt (AES-256-GCM)', () => {
  it('round-trips, with a fresh IV each time', () => {
    const sealed = encrypt('1//refresh-token-ü', key, 'workspace:w1');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toBe(encrypt('1//refresh-token-ü', key, 'workspace:w1'));
    expect(decrypt(sealed, key, 'workspace:w1')).toBe('1//refresh-token-ü');
  });

  it('refuses a wrong key, another aad and altered bytes with a config error', () => {
    const sealed = encrypt('secret', key, 'workspace:w1');
    const parts = sealed.split('.');
    const tampered = [parts[0], parts[1], flip(parts[2]!, 0), parts[3]].join('.');
    for (const attempt of [
      () => decrypt(sealed, randomBytes(32), 'workspace:w1'),
      () => decrypt(sealed, key, 'workspace:w2'),
      () => decrypt(sealed, key),
      () => decrypt(tampered, key, 'workspace:w1'),
      () => decrypt('v1.garbage', key),
      () => decrypt('', key),
    ]) {
      expect(attempt).toThrow(/cannot decrypt/);
      try {
        attempt();
      } catch (e) {
        expect(isOutreachError(e, 'config')).toBe(true);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { keyCache } from '../../../src/infra/crypto/key-cache.ts';

describe('the data key cache', () => {
  it('gives back the key remembered for a subject, null for a forgotten one, nothing for one never seen', () => {
    const cache = keyCache(10, 32);
    const key = randomBytes(32);
    cache.set('contact:a', key);
    cache.set('contact:b', null);
    expect(cache.get('contact:a')).toEqual(key);
    expect(cache.get('contact:b')).toBeNull();
    expect(cache.get('contact:c')).toBeUndefined();
  });

  it('holds at most its bound, forgetting the least recently used, and reuses their slots without mixing keys', () => {
    const cache = keyCache(4, 32);
    const keys = Array.from({ length: 10 }, () => randomBytes(32));
    keys.forEach((k, i) => cache.set(`contact:${i}`, k));
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.get('contact:0')).toBeUndefined();
    for (const i of [8, 9]) expect(cache.get(`contact:${i}`)).toEqual(keys[i]);
    keys.forEach((k, i) => {
      const held = cache.get(`contact:${i}`);
      if (held) expect(held).toEqual(k);
    });
  });

  it('hands out copies: a key a caller holds does not change when its slot is given to another subject', () => {
    const cache = keyCache(2, 32);
    const first = randomBytes(32);
    cache.set('contact:a', first);
    const held = cache.get('contact:a')!;
    const second = randomBytes(32);
    cache.set('contact:b', second);
    cache.set('contact:c', randomBytes(32));
    expect(cache.get('contact:a')).toBeUndefined();
    expect(held).toEqual(first);
  });

  it('turns a remembered key into a tombstone when the subject is forgotten', () => {
    const cache = keyCache(10, 32);
    cache.set('contact:a', randomBytes(32));
    cache.set('contact:a', null);
    expect(cache.get('contact:a')).toBeNull();
    cache.delete('contact:a');
    expect(cache.get('contact:a')).toBeUndefined();
  });

  it('refuses a key of another length', () => {
    expect(() => keyCache(2, 32).set('contact:a', randomBytes(16))).toThrow(/32 bytes/);
  });
});

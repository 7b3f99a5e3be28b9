import { describe, expect, it } from 'vitest';
import { boundedMap } from '../../../src/domain/bounded-map.ts';

describe('a bounded map', () => {
  it('never holds more than its most', () => {
    const m = boundedMap<number, number>(10);
    for (let i = 0; i < 1000; i++) {
      m.set(i, i);
      expect(m.size).toBeLessThanOrEqual(10);
    }
  });

  it('keeps at least the half of its most that was set last', () => {
    const m = boundedMap<number, number>(100);
    for (let i = 0; i < 1000; i++) m.set(i, i);
    for (let i = 950; i < 1000; i++) expect(m.get(i)).toBe(i);
    expect(m.has(0)).toBe(false);
  });

  it('keeps an entry that is read while many others come and go', () => {
    const m = boundedMap<string, number>(100);
    m.set('kept', 1);
    for (let i = 0; i < 5000; i++) {
      m.set(`other-${i}`, i);
      if (i % 20 === 0) expect(m.get('kept')).toBe(1);
    }
    expect(m.has('other-0')).toBe(false);
  });

  it('tells each entry it drops, with its value, and not one it was told to delete', () => {
    const dropped: [string, number][] = [];
    const m = boundedMap<string, number>(2, (k, v) => dropped.push([k, v]));
    m.set('a', 1);
    m.set('b', 2);
    m.delete('b');
    m.set('c', 3);
    m.set('d', 4);
    expect(dropped[0]).toEqual(['a', 1]);
    expect(dropped.map(([k]) => k)).not.toContain('b');
  });

  it('replaces a value set again, in either generation', () => {
    const m = boundedMap<string, number>(100);
    for (let i = 0; i < 60; i++) m.set(`k${i}`, i);
    m.set('k0', 10);
    m.set('k59', 590);
    expect([m.get('k0'), m.get('k1'), m.get('k59')]).toEqual([10, 1, 590]);
    expect(m.size).toBe(60);
  });

  it('refuses a bound that could hold nothing', () => {
    expect(() => boundedMap(1)).toThrow(/2 entries or more/);
  });
});

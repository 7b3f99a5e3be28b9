import { boundedMap } from '../../../domain/bounded-map.ts';

/**
 * A pure function remembered by a text key, for work that depends on its inputs alone and costs more
 * than looking it up (the least recently used go once `max` are held, so memory stays bounded).
 */
export function memoized<A, R>(fn: (a: A) => R, keyOf: (a: A) => string, max = 10_000): (a: A) => R {
  const seen = boundedMap<string, R>(max);
  return (a) => {
    const key = keyOf(a);
    let r = seen.get(key);
    if (r === undefined) {
      r = fn(a);
      seen.set(key, r);
    }
    return r;
  };
}

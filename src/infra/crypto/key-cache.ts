import { boundedMap } from '../../domain/bounded-map.ts';

/**
 * Subjects' data keys remembered in one buffer, a fixed slot each, with forgotten subjects as
 * tombstones. A Map of 50,000 Buffers held ~10 MB of heap in Buffer and ArrayBuffer objects for
 * 1.6 MB of keys; a rebuild keeps it full. The least recently used go once `max` are held (see
 * boundedMap). A key read out is a copy: the slot may hold another subject's key by the time a
 * caller is done with it.
 */
export function keyCache(max: number, keyBytes: number) {
  const slab = Buffer.alloc(max * keyBytes);
  const free: number[] = [];
  let unused = 0;
  const release = (slot: number) => {
    if (slot < 0) return;
    slab.fill(0, slot * keyBytes, (slot + 1) * keyBytes);
    free.push(slot);
  };
  /** The subject's slot, or -1 for a subject forgotten. */
  const slots = boundedMap<string, number>(max, (_, slot) => release(slot));
  const drop = (subject: string) => {
    const slot = slots.get(subject);
    if (slot === undefined) return;
    slots.delete(subject);
    release(slot);
  };
  return {
    /** The key, null when forgotten, undefined when not remembered. */
    get(subject: string): Buffer | null | undefined {
      const slot = slots.get(subject);
      if (slot === undefined) return undefined;
      return slot < 0 ? null : Buffer.from(slab.subarray(slot * keyBytes, (slot + 1) * keyBytes));
    },
    set(subject: string, key: Buffer | null): void {
      drop(subject);
      if (key === null) {
        slots.set(subject, -1);
        return;
      }
      if (key.length !== keyBytes) throw new Error(`a data key is ${keyBytes} bytes, not ${key.length}`);
      const slot = free.pop() ?? unused++;
      key.copy(slab, slot * keyBytes);
      slots.set(subject, slot);
    },
    delete: drop,
    get size() {
      return slots.size;
    },
  };
}

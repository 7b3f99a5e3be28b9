import type { SendCounter } from '../../src/app/effects/email/send-counter.ts';

/** The daily-limit counter in memory, for tests that run an effect without Redis. */
export function memoryCounter(): SendCounter & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const holders = new Map<string, Set<string>>();
  return {
    counts,
    async reserve(workspaceId, day, limit, effect) {
      const key = `${workspaceId}|${day}`;
      const held = holders.get(key) ?? new Set<string>();
      if (effect !== undefined && held.has(effect)) return true;
      const n = counts.get(key) ?? 0;
      if (n >= limit) return false;
      counts.set(key, n + 1);
      if (effect !== undefined) holders.set(key, held.add(effect));
      return true;
    },
  };
}

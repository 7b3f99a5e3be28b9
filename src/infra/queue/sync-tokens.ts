import type { Redis } from 'ioredis';
import type { SyncTokens } from '../../app/effects/calendar/poll.ts';

/** Sync tokens in Redis: derived state, since losing one only means a full sync. */
export function redisSyncTokens(redis: Redis, prefix: string): SyncTokens {
  const key = (ws: string) => `${prefix}:calendar-sync:${ws}`;
  return {
    get: (ws) => redis.get(key(ws)),
    set: async (ws, token) => {
      await redis.set(key(ws), token);
    },
    clear: async (ws) => {
      await redis.del(key(ws));
    },
  };
}

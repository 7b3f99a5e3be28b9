import type { Redis } from 'ioredis';
import type { SendCounter } from '../../app/effects/daily-limit.ts';

// Check and increment in one step, so two workers cannot both take the last slot of a day.
const RESERVE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 259200)
return 1`;

export function redisSendCounter(redis: Redis, prefix: string): SendCounter {
  return {
    async reserve(workspaceId, day, limit) {
      const r = await redis.eval(RESERVE, 1, `${prefix}:sent:${workspaceId}:${day}`, String(limit));
      return r === 1;
    },
  };
}

import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SendCounter } from '../../app/effects/daily-limit.ts';

// Check and increment in one step, so two workers cannot both take the last slot of a day.
const RESERVE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 259200)
return 1`;
const RESERVE_SHA = createHash('sha1').update(RESERVE).digest('hex');

const isNoScript = (e: unknown) => e instanceof Error && e.message.startsWith('NOSCRIPT');

export function redisSendCounter(redis: Redis, prefix: string): SendCounter {
  return {
    async reserve(workspaceId, day, limit) {
      const key = `${prefix}:sent:${workspaceId}:${day}`;
      // By its hash, as the script is one send after another; the text only when Redis does not know it (yet, or any more).
      let r: unknown;
      try {
        r = await redis.evalsha(RESERVE_SHA, 1, key, String(limit));
      } catch (e) {
        if (!isNoScript(e)) throw e;
        r = await redis.eval(RESERVE, 1, key, String(limit));
      }
      return r === 1;
    },
  };
}

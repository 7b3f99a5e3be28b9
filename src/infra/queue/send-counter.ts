import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SendCounter } from '../../app/effects/email/send-counter.ts';

// Check and take in one step, so two workers cannot both take the last slot of a day. The day's
// slots are a set of effect keys: an effect that already holds one (its retry) keeps it.
const RESERVE = `
if redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], 259200)
return 1`;
const RESERVE_SHA = createHash('sha1').update(RESERVE).digest('hex');

const isNoScript = (e: unknown) => e instanceof Error && e.message.startsWith('NOSCRIPT');

export function redisSendCounter(redis: Redis, prefix: string): SendCounter {
  return {
    async reserve(workspaceId, day, limit, effect = randomUUID()) {
      // A set (the counter it replaced was a string under :sent:, hence the new name).
      const key = `${prefix}:sends:${workspaceId}:${day}`;
      // By its hash, as the script is one send after another; the text only when Redis does not know it (yet, or any more).
      let r: unknown;
      try {
        r = await redis.evalsha(RESERVE_SHA, 1, key, String(limit), effect);
      } catch (e) {
        if (!isNoScript(e)) throw e;
        r = await redis.eval(RESERVE, 1, key, String(limit), effect);
      }
      return r === 1;
    },
  };
}

import { Redis, type RedisOptions } from 'ioredis';
import { OutreachError } from '../domain/errors.ts';

export type RedisRole = 'worker' | 'producer';

export const redisUrlFrom = (env: NodeJS.ProcessEnv = process.env) => env['REDIS_URL'] || 'redis://127.0.0.1:6379';

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

/**
 * Workers block on Redis and must wait through a restart (BullMQ requires maxRetriesPerRequest null);
 * producers (the CLI, the reactor's adds) should fail fast with one clear error instead of hanging.
 * A producer gives up connecting only while it has never been connected: once it has, a lost
 * connection (Redis restarting) is tried again for as long as the process keeps it open, or a
 * long-running worker's reactor, daily-limit counter and sync tokens would be cut off for good.
 * Its commands still fail at once while it is down (no offline queue); the callers retry them.
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  let connected = false;
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 3000,
          lazyConnect: true,
          retryStrategy: (n) => (connected ? Math.min(2000, 100 * n) : n > 3 ? null : 100 * n),
          ...extra,
        };
  const redis = new Redis(url, options);
  redis.once('ready', () => {
    connected = true;
  });
  // Errors surface through the commands that fail; an unhandled 'error' event would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

export function redisUnavailable(url: string, cause?: unknown): OutreachError {
  return new OutreachError(
    'unavailable',
    `REDIS_URL: cannot reach Redis at ${redactUrl(url)} (start one with \`docker compose up -d redis\` or your system's redis-server)`,
    { field: 'REDIS_URL', cause },
  );
}

/** Connect (for lazy producers) and ping, turning any failure into the one clear error. */
export async function ensureReachable(redis: Redis, url: string): Promise<void> {
  try {
    if (redis.status === 'wait') await redis.connect();
    await redis.ping();
  } catch (e) {
    throw redisUnavailable(url, e);
  }
}

/**
 * Queues and delayed jobs live in Redis; an evicting policy would silently drop them. Returns the
 * warning (for the caller to print loudly) or null.
 */
export async function evictionWarning(redis: Redis): Promise<string | null> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy && policy !== 'noeviction') {
      return `WARNING: Redis maxmemory-policy is "${policy}", not "noeviction": under memory pressure Redis may delete queued and delayed jobs. Set maxmemory-policy noeviction.`;
    }
    return null;
  } catch {
    // Managed Redis often forbids CONFIG; the check is advice, not a gate.
    return null;
  }
}

/** Deletes the keys under one prefix (never the whole database: other prefixes may share it). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Heartbeat } from '../../app/worker-health.ts';

/** How often a worker process says it is alive, and how long Redis keeps the word of one that died. */
export const HEARTBEAT_EVERY_MS = 15_000;
const KEPT_MS = 5 * 60_000;

const keyOf = (prefix: string, pid: number, host: string) => `${prefix}:heartbeat:${host}:${pid}`;

/**
 * Says every 15 s that this process runs these workers (a key of the run's prefix, kept 5 minutes
 * after the last word, so a reader can tell "died 2 minutes ago" from "never ran"). A clean stop
 * removes it at once: no worker is running from then on.
 */
export function startHeartbeat(redis: Redis, prefix: string, workers: readonly string[], everyMs = HEARTBEAT_EVERY_MS) {
  const host = hostname();
  const key = keyOf(prefix, process.pid, host);
  const beat = () =>
    redis
      .set(key, JSON.stringify({ workers: [...workers], pid: process.pid, host, at: new Date().toISOString() } satisfies Heartbeat), 'PX', KEPT_MS)
      .catch(() => undefined);
  void beat();
  const timer = setInterval(beat, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.del(key).catch(() => undefined);
    },
  };
}

/** Every worker process heard from in the last 5 minutes, the latest first. */
export async function readHeartbeats(redis: Redis, prefix: string): Promise<Heartbeat[]> {
  const beats: Heartbeat[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:heartbeat:*`, 'COUNT', 200);
    cursor = next;
    const values = keys.length ? await redis.mget(...keys) : [];
    for (const v of values) {
      try {
        if (v) beats.push(JSON.parse(v) as Heartbeat);
      } catch {
        // A value we did not write: not a heartbeat.
      }
    }
  } while (cursor !== '0');
  return beats.sort((a, b) => b.at.localeCompare(a.at));
}

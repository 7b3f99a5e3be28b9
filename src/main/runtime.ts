import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import { pollEveryMsFrom } from './calendar-settings.ts';
import { systemClock, type Clock } from '../app/clock.ts';
import type { EventStore } from '../eventstore/port.ts';
import { openEventStore } from './event-store.ts';
import { createRedis, deleteKeysWithPrefix, ensureReachable, evictionWarning, redisUrlFrom } from '../infra/redis.ts';
import { queuePrefixFrom } from '../infra/queue/names.ts';
import { createBullScheduler, createQueues, type Queues } from '../infra/queue/scheduler.ts';
import { redisSendCounter } from '../infra/queue/send-counter.ts';
import { snapshot, type QueueSnapshot } from '../infra/queue/idle.ts';
import type { EffectScheduler } from '../app/effects/effect.ts';
import type { SendCounter } from '../app/effects/email/send-counter.ts';

/**
 * The long-lived parts the reactor and workers share, opened from configuration. Redis is checked
 * up front so a missing server gives one clear error naming REDIS_URL instead of a hang.
 */
export type Runtime = {
  config: Config;
  env: NodeJS.ProcessEnv;
  store: EventStore;
  clock: Clock;
  redisUrl: string;
  prefix: string;
  producer: Redis;
  /** A fresh blocking connection for each BullMQ worker. */
  workerConnection(): Redis;
  queues: Queues;
  scheduler: EffectScheduler;
  /** OUTREACH_CALENDAR_POLL_MS, validated. */
  pollEveryMs: number;
  counter: SendCounter;
  warnings: string[];
  /** Jobs per queue and state, and the next due times. */
  snapshots(nextCount?: number): Promise<QueueSnapshot[]>;
  /** Deletes every Redis key of this prefix (a fresh demo's stale jobs); never another prefix's. */
  deleteQueueKeys(): Promise<void>;
  close(): Promise<void>;
};

export async function openRuntime(config: Config, env: NodeJS.ProcessEnv = process.env, opts: { store?: EventStore; clock?: Clock } = {}): Promise<Runtime> {
  const redisUrl = redisUrlFrom(env);
  const pollEveryMs = pollEveryMsFrom(env);
  const prefix = env['OUTREACH_QUEUE_PREFIX'] || queuePrefixFrom(env);
  const producer = createRedis(redisUrl, 'producer');
  try {
    await ensureReachable(producer, redisUrl);
  } catch (e) {
    producer.disconnect();
    throw e;
  }
  const warnings: string[] = [];
  const eviction = await evictionWarning(producer);
  if (eviction) warnings.push(eviction);
  const store = opts.store ?? (await openEventStore(config, env));
  const clock = opts.clock ?? systemClock;
  const queues = createQueues(producer, prefix);
  const workers: Redis[] = [];
  return {
    config,
    env,
    store,
    clock,
    redisUrl,
    prefix,
    producer,
    queues,
    warnings,
    pollEveryMs,
    scheduler: createBullScheduler({
      connection: producer,
      prefix,
      queues,
      clock,
      attempts: Number(env['OUTREACH_JOB_ATTEMPTS'] || 6),
      retryBaseMs: Number(env['OUTREACH_RETRY_BASE_MS'] || 2000),
      pollEveryMs,
    }),
    counter: redisSendCounter(producer, prefix),
    snapshots: (nextCount) => Promise.all(Object.values(queues).map((q) => snapshot(q, nextCount))),
    deleteQueueKeys: async () => {
      await deleteKeysWithPrefix(producer, prefix);
    },
    workerConnection() {
      const c = createRedis(redisUrl, 'worker');
      workers.push(c);
      return c;
    },
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      for (const c of workers) c.disconnect();
      producer.disconnect();
      if (!opts.store) await store.close();
    },
  };
}

import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Config } from '../../src/main/config.ts';
import { openRuntime, type Runtime } from '../../src/main/runtime.ts';
import { runWorkers } from '../../src/main/workers.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { TEST_SECRET_KEY } from './app.ts';

export const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

/** A key prefix of this test run's own: the shared Redis is never flushed, only these keys removed. */
export const testPrefix = () => `outreach-test-${randomUUID().slice(0, 8)}`;

export async function deleteKeys(prefix: string) {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The environment a worker process of this test sees. */
export const pipelineEnv = (prefix: string, dataDir: string, smtpUrl: string, extra: Record<string, string> = {}) => ({
  REDIS_URL,
  OUTREACH_QUEUE_PREFIX: prefix,
  OUTREACH_DATA_DIR: dataDir,
  SMTP_URL: smtpUrl,
  OUTREACH_RETRY_BASE_MS: '50',
  OUTREACH_JOB_LOCK_MS: '1500',
  OUTREACH_RATE_LIMIT_WAIT_MS: '200',
  OUTREACH_SECRET_KEY: TEST_SECRET_KEY,
  OUTREACH_PUBLIC_URL: 'https://outreach.example',
  ...extra,
});

/** The runtime over a store the test already has, with this test's Redis prefix. */
export async function testRuntime(store: EventStore, dataDir: string, env: Record<string, string>): Promise<Runtime> {
  const config: Config = { dataDir, workspaceId: 'test', eventStore: { kind: 'sqlite', file: `${dataDir}/events.db` } };
  return openRuntime(config, { ...process.env, ...env }, { store });
}

/** The reactor and the email worker in this process until nothing is due now. */
export const workUntilIdle = (rt: Runtime) => runWorkers(rt, { only: ['reactor', 'email'], untilIdle: true, json: false, quiet: true });

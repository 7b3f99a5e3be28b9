import type { FastifyInstance } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { snapshot } from '../../infra/queue/idle.ts';
import { OutreachError } from '../../domain/errors.ts';
import type { ApiDeps } from '../context.ts';
import { withTimeout, type Metrics } from '../metrics.ts';
import { anyObject, errorResponses } from '../openapi.ts';

const CHECK_MS = 1500;

async function check(what: () => Promise<unknown>, label: string): Promise<{ ok: boolean; error?: string }> {
  try {
    await withTimeout(what(), CHECK_MS, label);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export async function redisReachable(deps: ApiDeps): Promise<boolean> {
  if (!deps.redis) return false;
  return (await check(() => pingRedis(deps), 'redis')).ok;
}

async function pingRedis(deps: ApiDeps) {
  if (!deps.redis) throw new Error('no Redis configured');
  if (deps.redis.status !== 'ready') throw new Error(`Redis connection is ${deps.redis.status}`);
  return deps.redis.ping();
}

export function operationRoutes(app: FastifyInstance, deps: ApiDeps, metrics: Metrics) {
  app.get('/healthz', {
    schema: { summary: 'The process is up (no dependencies checked)', tags: ['operations'], security: [], response: { 200: anyObject } },
  }, async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  });

  app.get('/readyz', {
    schema: {
      summary: 'Ready to serve: the event store and Redis answer; 503 otherwise', tags: ['operations'], security: [],
      response: { 200: anyObject, 503: anyObject },
    },
  }, async (_request, reply) => {
    const [eventStore, redis] = await Promise.all([
      check(() => deps.store.headPosition(), 'event store'),
      check(() => pingRedis(deps), 'redis'),
    ]);
    const ready = eventStore.ok && redis.ok;
    return reply.code(ready ? 200 : 503).header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'unavailable', checks: { eventStore, redis } });
  });

  app.get('/metrics', {
    schema: { summary: 'Prometheus metrics: queue depths, job durations, projection lag, emails sent/bounced/deferred', tags: ['operations'], response: { 200: { type: 'string' }, ...errorResponses(401) } },
  }, async (_request, reply) => {
    const text = await metrics.render();
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
  });

  app.get('/api/queues', {
    schema: {
      summary: 'Queue health: jobs per queue and state, and the next delayed jobs', tags: ['operations'],
      response: { 200: anyObject, ...errorResponses(401, 503) },
    },
  }, async (_request, reply) => {
    if (!deps.queues || !(await redisReachable(deps))) throw new OutreachError('unavailable', 'Redis is not reachable: queue counts are unknown');
    const queues = await withTimeout(Promise.all(Object.values(deps.queues).map((q) => snapshot(q))), 3000, 'queues')
      .catch((e: unknown) => { throw new OutreachError('unavailable', `Redis: ${e instanceof Error ? e.message : String(e)}`); });
    void reply.header('cache-control', 'no-store');
    return { queues };
  });

  if (deps.queues) {
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath('/queues');
    createBullBoard({
      queues: Object.values(deps.queues).map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'Outreach queues' } },
    });
    void app.register(serverAdapter.registerPlugin(), { prefix: '/queues' });
  }
}

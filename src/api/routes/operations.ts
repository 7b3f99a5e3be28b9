import type { FastifyInstance } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { ErrorCode } from 'bullmq';
import { OutreachError } from '../../domain/errors.ts';
import { workerHealth } from '../../app/worker-health.ts';
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

/** Whether an email worker said it was alive in the last minute; without a way to ask, nothing is claimed. */
async function workersCheck(deps: ApiDeps): Promise<{ ok: boolean; error?: string; running?: string[]; lastSeenAt?: string | null }> {
  if (!deps.heartbeats) return { ok: true, running: [] };
  try {
    const health = workerHealth(await withTimeout(deps.heartbeats(), CHECK_MS, 'workers'), deps.clock());
    return { ok: health.sending, running: health.running, lastSeenAt: health.lastSeenAt, ...(health.warning ? { error: health.warning } : {}) };
  } catch (e) {
    return { ok: false, error: `could not read the workers' heartbeats: ${e instanceof Error ? e.message : String(e)}` };
  }
}

type BoardError = {
  status: 404 | 409 | 500;
  key:
    | 'ERRORS.JOB_NOT_FOUND'
    | 'ERRORS.JOB_BELONGS_TO_JOB_SCHEDULER'
    | 'ERRORS.JOB_NOT_DELAYED'
    | 'ERRORS.JOB_IS_ACTIVE'
    | 'ERRORS.JOB_NOT_RETRIABLE'
    | 'ERRORS.QUEUE_NOT_PAUSED'
    | 'ERRORS.QUEUE_HAS_ACTIVE_JOBS'
    | 'ERRORS.INTERNAL_SERVER_ERROR';
};

/**
 * BullMQ's refusals to obliterate carry no code, only these messages (Bull Board matches them the
 * same way). Bull Board checks that the queue is paused first, but a resume in between still reaches here.
 */
const OBLITERATE_REFUSALS: Record<string, BoardError> = {
  'Cannot obliterate non-paused queue': { status: 409, key: 'ERRORS.QUEUE_NOT_PAUSED' },
  'Cannot obliterate queue with active jobs': { status: 409, key: 'ERRORS.QUEUE_HAS_ACTIVE_JOBS' },
};

/**
 * An error thrown inside a Bull Board action, as an answer. BullMQ refuses an action on a job in
 * the wrong state (promote a job that is not delayed, retry one that has not failed, remove one
 * that is locked) with a negative numeric `code`, and to obliterate a queue that is not paused with
 * a message: the request met the queue's current state, so 404 or 409, not 500. Anything else stays
 * a server error.
 */
export function boardError(error: unknown): BoardError {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (Object.hasOwn(OBLITERATE_REFUSALS, message)) return OBLITERATE_REFUSALS[message]!;
  switch (code) {
    case ErrorCode.JobNotExist:
    case ErrorCode.ParentJobNotExist:
      return { status: 404, key: 'ERRORS.JOB_NOT_FOUND' };
    case ErrorCode.JobBelongsToJobScheduler:
      return { status: 409, key: 'ERRORS.JOB_BELONGS_TO_JOB_SCHEDULER' };
    case ErrorCode.JobNotInState:
      return { status: 409, key: / delayed state/.test(message) ? 'ERRORS.JOB_NOT_DELAYED' : 'ERRORS.JOB_NOT_RETRIABLE' };
    case ErrorCode.JobLockNotExist:
    case ErrorCode.JobLockMismatch:
      return { status: 409, key: 'ERRORS.JOB_IS_ACTIVE' };
    default:
      return typeof code === 'number' && code < 0 ? { status: 409, key: 'ERRORS.JOB_NOT_RETRIABLE' } : { status: 500, key: 'ERRORS.INTERNAL_SERVER_ERROR' };
  }
}

export function operationRoutes(app: FastifyInstance, deps: ApiDeps, metrics: Metrics) {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: { summary: 'The process is up (no dependencies checked)', tags: ['operations'], security: [], response: { 200: anyObject } },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
    },
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        summary:
          'Ready to serve: the event store and Redis answer (503 otherwise); `degraded` with `checks.workers` when no email worker was heard from in the last minute (emails are not being sent)',
        tags: ['operations'],
        security: [],
        response: { 200: anyObject, 503: anyObject },
      },
    },
    async (_request, reply) => {
      const [eventStore, redis, workers] = await Promise.all([
        check(() => deps.store.headPosition(), 'event store'),
        check(() => pingRedis(deps), 'redis'),
        workersCheck(deps),
      ]);
      const ready = eventStore.ok && redis.ok;
      // Without a worker the API still serves (`serve` runs none by design), but nothing is sent: 200, degraded, and why.
      return reply
        .code(ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status: ready ? (workers.ok ? 'ready' : 'degraded') : 'unavailable', checks: { eventStore, redis, workers } });
    },
  );

  app.get(
    '/metrics',
    {
      config: { access: 'staff' },
      schema: {
        summary: 'Prometheus metrics: queue depths, job durations, projection lag, emails sent/bounced/deferred (admin or coach)',
        tags: ['operations'],
        response: { 200: { type: 'string' }, ...errorResponses(401, 403) },
      },
    },
    async (_request, reply) => {
      const text = await metrics.render();
      return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
    },
  );

  app.get(
    '/api/queues',
    {
      config: { access: 'staff' },
      schema: {
        summary: 'Queue health: jobs per queue and state, and the next delayed jobs (admin or coach)',
        tags: ['operations'],
        response: { 200: anyObject, ...errorResponses(401, 403, 503) },
      },
    },
    async (_request, reply) => {
      if (!deps.queueSnapshots || !(await redisReachable(deps))) throw new OutreachError('unavailable', 'Redis is not reachable: queue counts are unknown');
      const queues = await withTimeout(deps.queueSnapshots(), 3000, 'queues').catch((e: unknown) => {
        throw new OutreachError('unavailable', `Redis: ${e instanceof Error ? e.message : String(e)}`);
      });
      void reply.header('cache-control', 'no-store');
      return { queues };
    },
  );

  if (deps.queues) {
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath('/queues');
    createBullBoard({
      // Read-only: the board's page sends its actions as bare PUTs a cookie alone cannot be trusted with
      // (see csrfRefusal); queues are acted on with the CLI (outreach jobs, outreach reactor replay).
      queues: Object.values(deps.queues).map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'Outreach queues' } },
    });
    // Bull Board's own handler answers 500 for everything its actions throw; see boardError.
    serverAdapter.setErrorHandler((error) => {
      const statusCode = (error as { statusCode?: unknown }).statusCode;
      // Fastify's own errors inside the board (a body it cannot parse, one too large) keep their 4xx.
      if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500)
        return { status: statusCode as 400, body: { error: { key: 'ERRORS.INVALID_REQUEST_BODY' }, message: error.message } };
      const { status, key } = boardError(error);
      return { status, body: { error: { key }, message: error.message } };
    });
    void app.register(serverAdapter.registerPlugin(), { prefix: '/queues' });
  }
}

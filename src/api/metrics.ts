import client from 'prom-client';
import type { Queue } from 'bullmq';
import type { ReadModels } from '../read-models/queries.ts';
import type { EventStore } from '../eventstore/port.ts';
import { boundedMap } from '../domain/bounded-map.ts';

/** Emails per result event in the log; the event type names the kind of email. */
const SENT_KINDS: Record<string, string> = {
  OutreachEmailSent: 'outreach',
  NudgeSent: 'nudge',
  PrepBriefSent: 'prep_brief',
  ThankYouSent: 'thank_you',
  KeepInTouchSent: 'keep_in_touch',
};

/**
 * Counts of event types, read from the log on each scrape from where the last one stopped (with a
 * time budget, so the first scrape of a large log spreads over a few). The log is the truth, so
 * these are counters across restarts of this process.
 */
export class EventTally {
  position: bigint | null = null;
  readonly counts = new Map<string, number>();
  constructor(private readonly store: EventStore) {}

  async catchUp(budgetMs = 2000, batch = 5000): Promise<boolean> {
    const deadline = performance.now() + budgetMs;
    for (;;) {
      const events = await this.store.readAll({ after: this.position, maxCount: batch });
      for (const e of events) this.counts.set(e.type, (this.counts.get(e.type) ?? 0) + 1);
      if (events.length > 0) this.position = events.at(-1)!.position;
      if (events.length < batch) return true;
      if (performance.now() > deadline) return false;
    }
  }

  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }
}

export const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
};

const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'] as const;
const SEEN_LIMIT = 20_000;

/**
 * A job that a worker took and then put back to wait (the daily send limit was reached) has been
 * started more often than it has been tried: a retry after a failure counts as an attempt made, a
 * deferral does not.
 */
const wasDeferred = (job: { attemptsStarted?: number; attemptsMade?: number }) => (job.attemptsStarted ?? 0) > (job.attemptsMade ?? 0);

export type MetricsDeps = {
  store: EventStore;
  readModels: ReadModels;
  queues: Record<string, Queue> | null;
  redisUp: () => Promise<boolean>;
};

export function createMetrics(deps: MetricsDeps) {
  const register = new client.Registry();
  client.collectDefaultMetrics({ register });
  const tally = new EventTally(deps.store);
  const seenJobs = boundedMap<string, true>(SEEN_LIMIT);

  const queueList = (): [string, Queue][] => (deps.queues ? Object.entries(deps.queues) : []);

  const redisUp = new client.Gauge({ name: 'outreach_redis_up', help: '1 when Redis answered this scrape', registers: [register] });
  const queueJobs = new client.Gauge({
    name: 'outreach_queue_jobs',
    help: 'jobs per queue and state (BullMQ)',
    labelNames: ['queue', 'state'],
    registers: [register],
  });
  const deferred = new client.Gauge({
    name: 'outreach_emails_deferred',
    help: 'email jobs waiting again after a worker deferred them (daily send limit), among the first 1000 delayed',
    registers: [register],
  });
  const jobDuration = new client.Histogram({
    name: 'outreach_job_duration_seconds',
    help: 'processing time of completed jobs (from the jobs BullMQ keeps), observed once each',
    labelNames: ['queue'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [register],
  });
  const head = new client.Gauge({ name: 'outreach_event_log_head_position', help: 'position of the last event in the log', registers: [register] });
  const lag = new client.Gauge({
    name: 'outreach_projection_lag_events',
    help: 'events in the log not yet applied by the projection',
    labelNames: ['projection'],
    registers: [register],
  });
  const checkpoint = new client.Gauge({
    name: 'outreach_projection_checkpoint',
    help: 'log position each projection has applied',
    labelNames: ['projection'],
    registers: [register],
  });
  const sent = new client.Counter({
    name: 'outreach_emails_sent_total',
    help: 'emails sent, from the result events in the log',
    labelNames: ['kind'],
    registers: [register],
  });
  for (const kind of Object.values(SENT_KINDS)) sent.inc({ kind }, 0);
  const bounced = new client.Counter({ name: 'outreach_emails_bounced_total', help: 'permanent SMTP refusals (EmailBounced events)', registers: [register] });
  const failed = new client.Counter({
    name: 'outreach_emails_failed_total',
    help: 'emails that ran out of retries (EmailFailed events)',
    registers: [register],
  });
  const http = new client.Histogram({
    name: 'outreach_http_request_duration_seconds',
    help: 'API requests by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [register],
  });

  /** Counters only go up: add what the log gained since the last scrape. */
  const lastValues = new Map<string, number>();
  const advance = (counter: client.Counter<string>, key: string, value: number, labels?: Record<string, string>) => {
    const delta = value - (lastValues.get(key) ?? 0);
    if (delta <= 0) return;
    lastValues.set(key, value);
    if (labels) counter.inc(labels, delta);
    else counter.inc(delta);
  };

  async function collectQueues() {
    queueJobs.reset();
    let up = false;
    try {
      up = await deps.redisUp();
    } catch {
      up = false;
    }
    redisUp.set(up ? 1 : 0);
    if (!up) return;
    for (const [name, queue] of queueList()) {
      try {
        const counts = await withTimeout(queue.getJobCounts(...JOB_STATES), 2000, `queue ${name}`);
        for (const state of JOB_STATES) queueJobs.set({ queue: name, state }, counts[state] ?? 0);
        const completed = await withTimeout(queue.getCompleted(0, 199), 2000, `queue ${name}`);
        for (const job of completed) {
          if (!job?.id || !job.processedOn || !job.finishedOn) continue;
          const key = `${name}|${job.id}|${job.finishedOn}`;
          if (seenJobs.has(key)) continue;
          seenJobs.set(key, true);
          jobDuration.observe({ queue: name }, Math.max(0, job.finishedOn - job.processedOn) / 1000);
        }
        if (name === 'email') {
          const delayed = await withTimeout(queue.getDelayed(0, 999), 2000, `queue ${name}`);
          deferred.set(delayed.filter((j) => j && wasDeferred(j)).length);
        }
      } catch {
        redisUp.set(0);
        return;
      }
    }
  }

  async function collectLog() {
    const h = await deps.store.headPosition();
    head.set(h === null ? 0 : Number(h));
    lag.reset();
    checkpoint.reset();
    for (const p of deps.readModels.lag(h)) {
      lag.set({ projection: p.name }, p.lag);
      checkpoint.set({ projection: p.name }, p.checkpoint);
    }
    await tally.catchUp();
    for (const [type, kind] of Object.entries(SENT_KINDS)) advance(sent, `sent|${kind}`, tally.count(type), { kind });
    advance(bounced, 'bounced', tally.count('EmailBounced'));
    advance(failed, 'failed', tally.count('EmailFailed'));
  }

  return {
    register,
    tally,
    observeRequest(method: string, route: string, status: number, seconds: number) {
      http.observe({ method, route, status: String(status) }, seconds);
    },
    async render(): Promise<string> {
      await Promise.all([collectQueues(), collectLog()]);
      return register.metrics();
    },
    contentType: register.contentType,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmtpServer, type SmtpStandIn } from '../support/smtp-server.ts';
import { startCalendarStandIn, type CalendarStandIn } from '../support/google-calendar-standin/index.ts';
import { appSandbox } from '../support/app.ts';
import { deleteKeys, pipelineEnv, testPrefix } from '../support/pipeline.ts';
import { faultScale, reportScenario } from '../support/faults.ts';
import {
  killAll,
  seededRandom,
  sleep,
  spawnOutreach,
  startPrivateRedis,
  stopChild,
  failuresAndTail,
  tail,
  waitUntil,
  type Child,
  type PrivateRedis,
} from '../support/fault-procs.ts';
import { connectCalendar, deliveries, Ledger, mixedWorkload, repeatedMessages, resultIdOfMessage } from '../support/fault-workload.ts';

/*
 * Redis holds only what the log can derive again. (a) The worker's Redis is shut down and started
 * again in the middle of a run: the worker reconnects on its own and finishes everything.
 * (b) The run's keys are deleted in the middle of a run: `reactor replay --from 0` derives every
 * job again, the running worker finishes what was due, and skips what already had its result event.
 * The workload uses both queues: thank-yous, booking confirmations and Google events, meeting
 * requests and their nudges.
 */

const SIZE = faultScale({ held: 30, booked: 15, requested: 15 }, { held: 500, booked: 200, requested: 200 });
const FINISH_MS = faultScale(45_000, 240_000);
/** Email or calendar jobs in flight at once in the worker (each queue's default concurrency). */
const CONCURRENCY = 10;
const SECRET = pipelineEnv('', '', '').OUTREACH_SECRET_KEY;

let smtp: SmtpStandIn;
let google: CalendarStandIn;
const prefixes: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  smtp = await startSmtpServer();
  google = await startCalendarStandIn();
});
afterAll(async () => {
  killAll();
  for (const c of cleanups.reverse()) await c();
  for (const p of prefixes) await deleteKeys(p);
  await smtp?.stop();
  await google?.stop();
});

async function sandbox(redisUrl?: string) {
  smtp.reset();
  const prefix = testPrefix();
  prefixes.push(prefix);
  const s = await appSandbox({ configure: false, env: { ...process.env, OUTREACH_SECRET_KEY: SECRET } });
  cleanups.push(process.env['OUTREACH_FAULT_KEEP'] ? () => console.log(`kept ${s.dir}`) : s.cleanup);
  const env: Record<string, string> = {
    ...pipelineEnv(prefix, s.dir, smtp.url, redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...google.env(),
    OUTREACH_WORKSPACE: 'test',
  };
  const w = await mixedWorkload(s.ctx, SIZE);
  await connectCalendar(s.ctx, s.dir, env, google);
  const ledger = new Ledger(s.store, w);
  const allDone = async () => (await ledger.refresh()).done().length === ledger.due().length;
  return { ...s, prefix, env, ledger, allDone, logFile: join(s.dir, 'worker.log'), insertsBefore: google.calls.filter((c) => c.kind === 'insert').length };
}

describe('Redis lost in the middle of a run', () => {
  it(
    'redis-restarted: the worker reconnects to a Redis shut down and started again, and finishes everything',
    async () => {
      const started = Date.now();
      const rnd = seededRandom();
      const redisDir = mkdtempSync(join(tmpdir(), 'outreach-redis-'));
      cleanups.push(() => rmSync(redisDir, { recursive: true, force: true }));
      let redis: PrivateRedis | undefined;
      let worker: Child | undefined;
      try {
        redis = await startPrivateRedis(redisDir, join(redisDir, 'redis.log'));
        const s = await sandbox(redis.url);
        const due = s.ledger.due().length;
        const d0 = deliveries(smtp, google);
        worker = spawnOutreach(['worker'], s.env, s.logFile);
        const third = Math.ceil(due / 3);
        await waitUntil(() => deliveries(smtp, google) - d0 >= third || worker!.proc.exitCode !== null, FINISH_MS, 5);
        const atShutdown = deliveries(smtp, google) - d0;
        await redis.shutdown();
        const downMs = Number(process.env['OUTREACH_FAULT_DOWN_MS']) || rnd.int(300, 3000);
        await sleep(downMs);
        await redis.start();
        const restartedAt = Date.now();
        const finished = await waitUntil(s.allDone, FINISH_MS, 250);
        const finishMs = Date.now() - restartedAt;
        const code = await stopChild(worker);

        const done = s.ledger.done().length;
        const r = reportScenario({
          name: 'redis-restarted',
          due,
          done,
          lost: due - done,
          twice: repeatedMessages(smtp),
          note: `shut down after ${atShutdown} deliveries, down ${downMs} ms (seed ${rnd.seed}); all done ${finished ? `${finishMs} ms after the restart` : 'never'}; worker exit ${code}; total ${Date.now() - started} ms`,
        });
        expect(r.lost, failuresAndTail(s.logFile, 40)).toBe(0);
        expect(r.twice).toBeLessThanOrEqual(CONCURRENCY);
        expect(code).toBe(0);
      } finally {
        if (worker) await stopChild(worker, 2_000);
        await redis?.stop();
      }
    },
    faultScale(90_000, 600_000),
  );

  it(
    'redis-keys-deleted: replay from 0 re-derives what is due and skips every effect already done',
    async () => {
      const started = Date.now();
      let worker: Child | undefined;
      try {
        const s = await sandbox();
        const due = s.ledger.due().length;
        const d0 = deliveries(smtp, google);
        worker = spawnOutreach(['worker'], s.env, s.logFile);
        await waitUntil(() => deliveries(smtp, google) - d0 >= Math.ceil(due / 3) || worker!.proc.exitCode !== null, FINISH_MS, 5);
        await deleteKeys(s.prefix);
        // What already had its result event when the jobs were derived again must not happen again.
        const doneAtReplay = new Set((await s.ledger.refresh()).done().map((e) => e.resultId));
        const mailsAtReplay = smtp.messages.length;
        const callsAtReplay = google.calls.length;
        const replay = spawnOutreach(['reactor', 'replay', '--from', '0'], s.env, s.logFile);
        const replayCode = await replay.exited;
        expect(replayCode, tail(s.logFile)).toBe(0);
        const replayedAt = Date.now();
        const finished = await waitUntil(s.allDone, FINISH_MS, 250);
        const finishMs = Date.now() - replayedAt;
        const code = await stopChild(worker);

        const resent = smtp.messages.slice(mailsAtReplay).filter((m) => doneAtReplay.has(resultIdOfMessage(m.parsed.messageId))).length;
        const byId = new Map(s.ledger.due().map((e) => [e.resultId, e]));
        const doneMeetings = new Set(
          [...doneAtReplay]
            .map((id) => byId.get(id))
            .filter((e) => e?.kind === 'google-create')
            .map((e) => e!.meeting),
        );
        const { googleEventIdFor } = await import('../../src/app/effects/calendar/event-id.ts');
        const doneEventIds = new Set([...doneMeetings].map(googleEventIdFor));
        const reinserted = google.calls
          .slice(callsAtReplay)
          .filter(
            (c) => (c.kind === 'insert' || c.kind === 'update') && doneEventIds.has(String(c.eventId ?? (c.body as { id?: string } | undefined)?.id)),
          ).length;
        const conflicts = google.calls.slice(callsAtReplay).filter((c) => c.kind === 'insert' && c.status === 409).length;

        const done = s.ledger.done().length;
        const r = reportScenario({
          name: 'redis-keys-deleted',
          due,
          done,
          lost: due - done,
          twice: repeatedMessages(smtp),
          note: `keys deleted with ${doneAtReplay.size} effects done; after the replay ${resent} mails and ${reinserted} Google writes repeated an effect already done, ${conflicts} inserts answered 409; all done ${finished ? `${finishMs} ms after the replay` : 'never'}; total ${Date.now() - started} ms`,
        });
        expect(r.lost, failuresAndTail(s.logFile, 40)).toBe(0);
        expect(resent).toBe(0);
        expect(reinserted).toBe(0);
        expect(r.twice).toBeLessThanOrEqual(CONCURRENCY);
        expect(code).toBe(0);
      } finally {
        if (worker) await stopChild(worker, 2_000);
      }
    },
    faultScale(90_000, 600_000),
  );
});

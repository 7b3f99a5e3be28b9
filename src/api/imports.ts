import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { importContacts, type ImportReport } from '../app/contact-import.ts';
import type { AppContext } from '../app/handle.ts';
import { OutreachError } from '../domain/errors.ts';
import { describe, HttpRefusal, type ErrorBody } from './errors.ts';

/** An import as `GET /api/imports/:id` shows it. */
export type ImportJob = {
  id: string;
  workspace: string;
  state: 'running' | 'done' | 'failed';
  /** Rows handled so far, of `rows` (known once the file is parsed). */
  processed: number;
  rows: number | null;
  startedAt: string;
  finishedAt: string | null;
  report: ImportReport | null;
  error: ErrorBody['error'] | null;
};

export type ImportJobs = {
  start(ctx: AppContext, text: string): ImportJob;
  get(id: string): ImportJob | undefined;
  /** Stops the running imports at their next row and waits for them (rows done so far stay stored). */
  close(): Promise<void>;
};

export type ImportJobsOptions = {
  /** Imports running at once in this server; one more is 429. */
  maxRunning?: number;
  /** Finished imports remembered for GET (the oldest are dropped first). */
  keep?: number;
  /** How long an import may hold the event loop before it lets other requests in. */
  sliceMs?: number;
  log?: (line: string) => void;
};

class Stopped extends Error {}

/**
 * CSV imports as jobs that run beside the requests, not in one: the import yields to the event loop
 * every few milliseconds (while the file is parsed, while the log is read for duplicates, between
 * rows), so health checks, unsubscribe clicks and the dashboard keep answering during a 5 MB file.
 * Jobs live in this process's memory: after a restart an unfinished import's rows so far are
 * stored (each row is its own command) and importing the file again skips them as duplicates.
 */
export function createImportJobs(opts: ImportJobsOptions = {}): ImportJobs {
  const maxRunning = opts.maxRunning ?? 2;
  const keep = opts.keep ?? 100;
  const sliceMs = opts.sliceMs ?? 10;
  const jobs = new Map<string, ImportJob>();
  const running = new Map<string, Promise<void>>();
  let stopping = false;

  const pause = () => {
    let since = performance.now();
    return async () => {
      if (stopping) throw new Stopped('the server is stopping');
      if (performance.now() - since < sliceMs) return;
      await nextTurn();
      since = performance.now();
    };
  };

  const forgetOldest = () => {
    for (const [id, job] of jobs) {
      if (jobs.size <= keep) return;
      if (job.state !== 'running') jobs.delete(id);
    }
  };

  async function run(job: ImportJob, ctx: AppContext, text: string) {
    try {
      job.report = await importContacts(
        ctx,
        text,
        (done, total) => {
          job.processed = done;
          job.rows = total;
        },
        { pause: pause() },
      );
      job.processed = job.report.rows;
      job.rows = job.report.rows;
      job.state = 'done';
    } catch (e) {
      job.state = 'failed';
      job.error =
        e instanceof Stopped
          ? { code: 'unavailable', message: `import stopped: ${e.message}; import the file again (rows stored are skipped)` }
          : describe(e).body.error;
      if (!(e instanceof OutreachError) && !(e instanceof Stopped)) opts.log?.(`import ${job.id}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      job.finishedAt = ctx.clock();
      running.delete(job.id);
      forgetOldest();
    }
  }

  return {
    start(ctx, text) {
      if (stopping) throw new OutreachError('unavailable', 'the server is stopping');
      const same = [...running.keys()].map((id) => jobs.get(id)!).find((j) => j.workspace === ctx.workspaceId);
      if (same) throw new OutreachError('illegal_state', `an import into workspace ${ctx.workspaceId} is running (${same.id}); wait for it to finish`);
      if (running.size >= maxRunning) throw new HttpRefusal(429, 'busy', `${running.size} imports are running; try again when one has finished`);
      const job: ImportJob = {
        id: randomUUID(),
        workspace: ctx.workspaceId,
        state: 'running',
        processed: 0,
        rows: null,
        startedAt: ctx.clock(),
        finishedAt: null,
        report: null,
        error: null,
      };
      jobs.set(job.id, job);
      running.set(job.id, run(job, ctx, text));
      return job;
    },
    get: (id) => jobs.get(id),
    async close() {
      stopping = true;
      await Promise.all(running.values());
    },
  };
}

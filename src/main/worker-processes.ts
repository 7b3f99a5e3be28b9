import { fork, type ChildProcess } from 'node:child_process';
import type { Log } from '../app/log.ts';

import { WORKER_PROCESS_ENV } from './worker-env.ts';

export { WORKER_PROCESS_ENV };
/** More unexpected exits than this within the window and the run gives up instead of restarting. */
const RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** Exit codes that restarting cannot mend: bad input and configuration (see cli/define.ts). */
const FATAL_EXITS = new Set([2, 7]);

export type ChildMessage = { kind: 'idle'; idle: boolean; head: string | null } | { kind: 'tally'; tally: Record<string, number> };
export type ParentMessage = { kind: 'stop' };

export type WorkerProcessesOptions = {
  plan: string[][];
  /** The CLI's entry script and the arguments every process gets besides its workers (--json, --workspace …). */
  entry: string;
  args: string[];
  untilIdle: boolean;
  log: Log;
};

type Child = { proc: ChildProcess; quiet: number; head: string | null; exited: boolean };

/**
 * Runs each entry of the plan as an `outreach worker --only …` process of its own and stays until
 * they have all stopped: on a signal (passed on to each), once all are idle together (untilIdle:
 * each says whether it is, the run ends when every one has said so three times over with the log
 * at the same head), or when one keeps failing. A process that exits unexpectedly is started
 * again. Returns every process's counts summed, and the exit code the run ends with.
 */
export function runWorkerProcesses(opts: WorkerProcessesOptions): Promise<{ tally: Record<string, number>; exitCode: number }> {
  const tally: Record<string, number> = {};
  const children = new Map<number, Child>();
  const exits: number[] = [];
  let stopping = false;
  let exitCode = 0;

  return new Promise((resolve) => {
    const stopAll = () => {
      stopping = true;
      for (const c of children.values()) if (!c.exited) c.proc.kill('SIGTERM');
    };
    const onSignal = () => {
      opts.log.info({ reason: 'signal' }, 'stopping');
      stopAll();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const finishIfDone = () => {
      if (![...children.values()].every((c) => c.exited)) return;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve({ tally, exitCode });
    };
    const allIdle = () => {
      const all = [...children.values()];
      if (stopping || !opts.untilIdle || !all.every((c) => c.quiet >= 3) || new Set(all.map((c) => c.head)).size !== 1) return;
      stopping = true;
      for (const c of all) c.proc.send({ kind: 'stop' } satisfies ParentMessage);
    };
    const onExit = (slot: number, child: Child, code: number | null, signal: NodeJS.Signals | null) => {
      child.exited = true;
      if (stopping) return finishIfDone();
      opts.log.error({ process: slot, pid: child.proc.pid, code, signal }, 'process exited');
      const now = Date.now();
      exits.push(now);
      while (exits[0]! < now - RESTART_WINDOW_MS) exits.shift();
      const fatal = code !== null && FATAL_EXITS.has(code);
      if (!fatal && exits.length <= RESTARTS) return start(slot);
      exitCode = fatal ? code! : 1;
      opts.log.error(
        { process: slot, exits: exits.length, withinMs: RESTART_WINDOW_MS },
        fatal ? 'giving up: the process cannot start' : 'giving up: processes keep exiting',
      );
      stopAll();
      finishIfDone();
    };
    const start = (slot: number) => {
      const workers = opts.plan[slot]!;
      const proc = fork(opts.entry, ['worker', '--only', workers.join(','), ...(opts.untilIdle ? ['--until-idle'] : []), ...opts.args], {
        env: { ...process.env, [WORKER_PROCESS_ENV]: String(slot) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const child: Child = { proc, quiet: 0, head: null, exited: false };
      children.set(slot, child);
      opts.log.info({ process: slot, pid: proc.pid, workers: workers.join(',') }, 'process started');
      proc.on('message', (m: ChildMessage) => {
        if (m.kind === 'tally') for (const [k, v] of Object.entries(m.tally)) tally[k] = (tally[k] ?? 0) + v;
        if (m.kind !== 'idle') return;
        child.quiet = m.idle ? child.quiet + 1 : 0;
        child.head = m.head;
        allIdle();
      });
      // 'close', not 'exit': the counts sent just before exiting have arrived by then.
      proc.on('close', (code, signal) => onExit(slot, child, code, signal));
    };
    opts.plan.forEach((_, slot) => start(slot));
  });
}

/** In a worker process: tell the parent how idle it is, hear when to stop, hand over the counts. */
export function workerProcessLink() {
  const send = (m: ChildMessage) => process.send?.(m);
  const stop = new Promise<void>((resolve) => {
    process.on('message', (m: ParentMessage) => {
      if (m.kind === 'stop') resolve();
    });
  });
  return {
    coordinated: { report: (idle: boolean, head: string | null) => send({ kind: 'idle', idle, head }), stop },
    done(tally: Record<string, number>) {
      send({ kind: 'tally', tally });
      // The channel would keep this process alive after its work is done.
      process.disconnect?.();
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/*
 * Processes for the fault scenarios: `outreach` workers spawned as children (so SIGKILL is real),
 * a private redis-server that can be shut down and started again, and a seeded random source so a
 * failing run can be repeated (OUTREACH_FAULT_SEED).
 */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** mulberry32: small, seeded, good enough to pick delays. */
export function seededRandom(seed = Number(process.env['OUTREACH_FAULT_SEED'] || Math.floor(Math.random() * 2 ** 31))) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > until) return false;
    await sleep(everyMs);
  }
}

/** Every child this module started and that has not exited yet: killed by killAll (afterAll). */
const alive = new Set<ChildProcess>();

export type Child = {
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** Resolves when the worker logs that it started (or the process exits first). */
  started: Promise<void>;
  logFile: string;
};

/** `node bin/outreach.js <args>` with the test's environment; output goes to a log file for post-mortems. */
export function spawnOutreach(args: string[], env: Record<string, string>, logFile: string): Child {
  mkdirSync(join(logFile, '..'), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`--- ${new Date().toISOString()} outreach ${args.join(' ')}\n`);
  const proc = spawn(process.execPath, ['bin/outreach.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.pipe(log, { end: false });
  proc.stderr!.pipe(log, { end: false });
  alive.add(proc);
  let seen = '';
  const started = new Promise<void>((resolve) => {
    const look = (d: Buffer) => {
      seen = (seen + d.toString('utf8')).slice(-200);
      if (/\bstarted\b/.test(seen)) {
        proc.stderr!.off('data', look);
        resolve();
      }
    };
    proc.stderr!.on('data', look);
    proc.once('exit', () => resolve());
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, signal) => {
      alive.delete(proc);
      // Let the pipes drain before closing the log.
      setTimeout(() => {
        log.end(`--- exit code=${code} signal=${signal}\n`);
      }, 20);
      resolve(code);
    });
  });
  return { proc, exited, started, logFile };
}

export async function sigkill(child: Child) {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  await child.exited;
}

/** Asks a child to finish (SIGTERM: active jobs complete), SIGKILL after graceMs. */
export async function stopChild(child: Child, graceMs = 20_000) {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return child.exited;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  const code = await child.exited;
  clearTimeout(timer);
  return code;
}

export function killAll() {
  for (const p of alive) p.kill('SIGKILL');
}

export const tail = (file: string, lines = 30) => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};

/** The log's lines about errors and failed jobs, then its end: what a loss is explained by. */
export const failuresAndTail = (file: string, lines = 30) => {
  try {
    const all = readFileSync(file, 'utf8').trim().split('\n');
    const failures = all.filter((l) => /\b(failed|error|ERROR|WARN)\b/.test(l) && !/\bstopped\b/.test(l)).slice(-lines);
    return [...failures, '--- end of the log:', ...all.slice(-10)].join('\n');
  } catch {
    return '(no log)';
  }
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export type PrivateRedis = {
  port: number;
  url: string;
  /** SHUTDOWN (the AOF is written), then wait for the process to exit. */
  shutdown(): Promise<void>;
  /** Start again on the same port and directory. */
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** A redis-server of this test's own on a free loopback port, with an append-only file in `dir`. */
export async function startPrivateRedis(dir: string, logFile: string): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const ping = async () => {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  };
  const start = async () => {
    mkdirSync(dir, { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    const p = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir, '--maxmemory-policy', 'noeviction'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    p.stdout!.pipe(log);
    p.stderr!.pipe(log);
    proc = p;
    alive.add(p);
    exited = new Promise<void>((r) =>
      p.once('exit', () => {
        alive.delete(p);
        r();
      }),
    );
    if (!(await waitUntil(ping, 10_000))) throw new Error(`private redis-server on ${port} did not answer: ${tail(logFile)}`);
  };
  const shutdown = async () => {
    if (!proc) return;
    const r = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    // SHUTDOWN answers by closing the connection.
    await r.call('SHUTDOWN').catch(() => undefined);
    r.disconnect();
    const timer = setTimeout(() => proc?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    proc = null;
  };
  await start();
  return {
    port,
    url,
    start,
    shutdown,
    async stop() {
      if (!proc) return;
      proc.kill('SIGKILL');
      await exited;
      proc = null;
    },
  };
}

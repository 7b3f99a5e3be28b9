/**
 * `outreach start` runs the whole tool in one process: the API and dashboard, the projector and the
 * workers. A seeker who runs it and adds someone sees the request go out; `/readyz` tells from the
 * workers' heartbeats whether emails are being sent, and says so when they are not (`serve` alone).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox } from '../support/cli.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/pipeline.ts';

const prefix = testPrefix();
const env = { REDIS_URL, OUTREACH_QUEUE_PREFIX: prefix, SMTP_URL: '' };
const sandbox = cliSandbox(env);
const { run } = sandbox;
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  sandbox.cleanup();
  await deleteKeys(prefix);
});

/** Starts a long-running command and waits for the line that gives its URL. */
async function launch(args: string[]): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, ['bin/outreach.js', ...args], {
    env: { ...process.env, OUTREACH_DATA_DIR: sandbox.dataDir, OUTREACH_WORKSPACE: 'default', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const until = Date.now() + 20_000;
  let url: string | undefined;
  while (!(url = /is serving (http:\/\/\S+)/.exec(text)?.[1]) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  if (!url) throw new Error(`no URL from outreach ${args.join(' ')}:\n${text}`);
  return { child, url, out: () => text };
}

const readyz = async (url: string) => (await fetch(new URL('/readyz', url))).json();
const stop = async (child: ChildProcess) => {
  child.kill('SIGTERM');
  return new Promise<number | null>((r) => child.once('exit', r));
};

async function eventually<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('not within the time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('outreach start', () => {
  beforeAll(async () => {
    const configured = await run([
      'workspace',
      'configure',
      '--owner-name',
      'Sam Seeker',
      '--owner-email',
      'sam@seeker.example',
      '--timezone',
      'Europe/London',
      '--objective',
      'how analytics teams hire their first analyst',
      '--business-hours',
      '00:00-23:59',
      '--business-days',
      'mon-sun',
      '--review',
      'none',
    ]);
    expect(configured.code, configured.stderr).toBe(0);
  });

  it('serves the dashboard and sends the request email from the same process; stops cleanly on SIGTERM', async () => {
    const { child, url, out } = await launch(['start', '--port', '0']);
    expect(out()).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/#token=/);
    const ready = await eventually(async () => {
      const r = await readyz(url);
      return r.checks.workers.ok ? r : undefined;
    });
    expect(ready).toMatchObject({ status: 'ready', checks: { workers: { ok: true, running: ['calendar', 'email', 'reactor'] } } });
    expect((await fetch(url)).status).toBe(200);

    expect((await run(['contact', 'add', '--name', 'Priya Natarajan', '--email', 'priya@example.org'])).code).toBe(0);
    expect((await run(['meeting', 'request', 'priya', '--minutes', '20'])).code).toBe(0);
    const sent = await eventually(async () => {
      if (!existsSync(join(sandbox.dataDir, 'outbox'))) return undefined;
      const files = readdirSync(join(sandbox.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
      return files.length ? files : undefined;
    });
    expect(sent).toHaveLength(1);
    expect(await stop(child)).toBe(0);
    expect(out()).toMatch(/stopping reason=signal/);
  });

  it('`serve` alone runs no worker: /readyz is degraded and says that emails are not being sent', async () => {
    const { child, url, out } = await launch(['serve', '--port', '0']);
    expect(out()).toMatch(/No worker runs here, so no email is sent/);
    // Readiness may say 'unavailable' while its first Redis connection is still being made (a loaded machine).
    const r = await eventually(async () => {
      const answer = await readyz(url);
      return answer.status === 'unavailable' ? undefined : answer;
    });
    expect(r.status).toBe('degraded');
    expect(r.checks.workers).toMatchObject({ ok: false, running: [] });
    expect(r.checks.workers.error).toMatch(/^emails are not being sent: no worker running/);
    expect(await stop(child)).toBe(0);
  });
});

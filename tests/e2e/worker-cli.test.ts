import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliSandbox } from '../support/cli.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/pipeline.ts';

const prefix = testPrefix();
const sandbox = cliSandbox({ REDIS_URL, OUTREACH_QUEUE_PREFIX: prefix, OUTREACH_RETRY_BASE_MS: '50', SMTP_URL: '' });
const { run } = sandbox;
afterAll(async () => {
  sandbox.cleanup();
  await deleteKeys(prefix);
});

const past = (min: number) => new Date(Date.now() - min * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

describe('the worker commands', () => {
  beforeAll(async () => {
    await run([
      'workspace',
      'configure',
      '--owner-name',
      'Sam Seeker',
      '--owner-email',
      'sam@seeker.example',
      '--timezone',
      'Europe/London',
      '--objective',
      'Learn how data teams hire',
      '--business-hours',
      '00:00-23:59',
      '--business-days',
      'mon-sun',
      '--thank-you-delay',
      'PT1S',
    ]);
    const contact = JSON.parse((await run(['contact', 'add', '--name', 'Ada Lovelace', '--email', 'ada@example.org', '--json'])).stdout).id;
    const meeting = JSON.parse((await run(['meeting', 'request', '--contact', contact, '--minutes', '20', '--channel', 'phone', '--json'])).stdout).id;
    await run(['meeting', 'book', '--meeting', meeting, '--at', past(60), '--past']);
    const held = await run(['meeting', 'held', meeting, '--at', past(30), '--minutes', '25']);
    expect(held.code).toBe(0);
  });

  it('`worker --until-idle` sends what is due into the outbox and exits', async () => {
    const r = await run(['worker', '--until-idle', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ sent: 1 });
    const outbox = (await run(['outbox', '--json'])).json();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ to: 'Ada Lovelace <ada@example.org>' });
    expect(outbox[0].subject).toMatch(/Thank you/);
  });

  it('`jobs` shows counts per queue and the next due times', async () => {
    const jobs = (await run(['jobs', '--json'])).json();
    const email = jobs.find((q: { queue: string }) => q.queue === 'email');
    expect(email.counts.completed).toBeGreaterThanOrEqual(1);
    expect(email.next.map((n: { name: string }) => n.name)).toContain('keep-in-touch');
  });

  it('a Redis that does not answer gives one clear error naming REDIS_URL', async () => {
    const r = await run(['jobs'], { REDIS_URL: 'redis://:hunter2@127.0.0.1:1' });
    expect(r.code).toBe(6);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('REDIS_URL: cannot reach Redis at redis://:***@127.0.0.1:1');
    expect(r.stderr).not.toContain('hunter2');
  });

  it('a typo in an overriding template fails when the worker starts, naming the file and the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outreach-templates-'));
    writeFileSync(join(dir, 'thank-you.subject.txt'), 'Thanks, {{contactFristName}}\n');
    try {
      const r = await run(['worker', '--until-idle'], { OUTREACH_TEMPLATES_DIR: dir });
      expect(r.code).toBe(7);
      expect(r.stderr).toMatch(/thank-you\.subject\.txt/);
      expect(r.stderr).toMatch(/contactFristName/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops gracefully on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/outreach.js', 'worker'], {
      env: { ...process.env, OUTREACH_DATA_DIR: sandbox.dataDir, REDIS_URL, OUTREACH_QUEUE_PREFIX: prefix, SMTP_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    // A signal before the worker has started (a loaded machine) would meet no handler yet: wait for 'started'.
    const until = Date.now() + 60_000;
    // 'projector-started' comes earlier and contains the word too.
    const startedLine = /INFO: started workers=/;
    while (!startedLine.test(err) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(err).toMatch(startedLine);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(err).toMatch(/stopping reason=signal/);
    expect(err).toMatch(/stopped/);
  }, 90_000);
});

describe('the start-up check of Redis', () => {
  const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
  // Needs a Redis of its own with another eviction policy; the shared one must not be reconfigured.
  it.skipIf(!hasRedisServer)('warns loudly when maxmemory-policy is not noeviction', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      const r = await run(['jobs'], { REDIS_URL: `redis://127.0.0.1:${port}` });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/WARNING: Redis maxmemory-policy is "allkeys-lru", not "noeviction"/);
    } finally {
      server.kill('SIGTERM');
    }
  });
});

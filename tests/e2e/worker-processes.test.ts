import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
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
const lines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

let people = 0;
/** A contact met half an hour ago: their thank-you is due now. */
async function meetingHeld() {
  people += 1;
  const contact = JSON.parse((await run(['contact', 'add', '--name', `Ada Lovelace ${people}`, '--email', `ada${people}@example.org`, '--json'])).stdout).id;
  const meeting = JSON.parse((await run(['meeting', 'request', '--contact', contact, '--minutes', '20', '--channel', 'phone', '--json'])).stdout).id;
  await run(['meeting', 'book', '--meeting', meeting, '--at', past(60), '--past']);
  expect((await run(['meeting', 'held', meeting, '--at', past(30), '--minutes', '25'])).code).toBe(0);
}

/** The thank-yous in the outbox, by recipient: each must be there once. */
async function thankYous() {
  const outbox = (await run(['outbox', '--json'])).json() as { to: string; subject: string }[];
  return outbox.filter((m) => /Thank you/.test(m.subject)).map((m) => m.to);
}

describe('`outreach worker --processes`', () => {
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
    for (let i = 0; i < 5; i++) await meetingHeld();
  }, 120_000);

  it('runs the workers in two processes until idle: each thank-you sent once, by the email process, the counts summed', async () => {
    const r = await run(['worker', '--processes', '2', '--until-idle', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ sent: 5 });
    const sent = await thankYous();
    expect(sent).toHaveLength(5);
    expect(new Set(sent).size).toBe(5);
    const logged = lines(r.stderr);
    const started = logged.filter((l) => l['event'] === 'process started');
    expect(started.map((l) => l['workers'])).toEqual(['reactor,calendar,projector', 'email']);
    expect(new Set(started.map((l) => l['pid'])).size).toBe(2);
    expect(logged.filter((l) => l['event'] === 'sent').every((l) => l['process'] === 1)).toBe(true);
    expect(logged.filter((l) => l['event'] === 'started').map((l) => l['process'])).toEqual(expect.arrayContaining([0, 1]));
  }, 120_000);

  it('starts a process again when it is killed, and what was due is still sent once', async () => {
    const child = spawn(process.execPath, ['bin/outreach.js', 'worker', '--processes', '2', '--json'], {
      env: { ...process.env, OUTREACH_DATA_DIR: sandbox.dataDir, OUTREACH_WORKSPACE: 'default', REDIS_URL, OUTREACH_QUEUE_PREFIX: prefix, SMTP_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const until = async (done: () => boolean, what: string) => {
      const deadline = Date.now() + 60_000;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (!done()) throw new Error(`${what} did not happen: ${err.slice(-2000)}`);
    };
    try {
      const emailProcesses = () => lines(err).filter((l) => l['event'] === 'process started' && l['process'] === 1);
      await until(() => lines(err).filter((l) => l['event'] === 'started').length === 2, 'both processes starting');
      process.kill(emailProcesses()[0]!['pid'] as number, 'SIGKILL');
      await until(() => emailProcesses().length === 2, 'the email process starting again');
      await meetingHeld();
      await until(() => lines(err).filter((l) => l['event'] === 'sent').length === 1, 'the new thank-you being sent');
      expect(lines(err).find((l) => l['event'] === 'process exited')).toMatchObject({ process: 1, signal: 'SIGKILL' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await new Promise<number | null>((r) => child.once('exit', r))).toBe(0);
    const sent = await thankYous();
    expect(sent).toHaveLength(6);
    expect(new Set(sent).size).toBe(6);
  }, 120_000);

  it('refuses a number of processes that is not a whole number from 1 to 16, naming --processes', async () => {
    for (const bad of ['0', 'two', '17']) {
      const r = await run(['worker', '--processes', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--processes/);
    }
  });
});

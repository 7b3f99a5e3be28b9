import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCalendarStandIn, type CalendarStandIn } from '../support/google-calendar-standin/index.ts';
import { cliSandbox } from '../support/cli.ts';

let google: CalendarStandIn;
let sandbox: ReturnType<typeof cliSandbox>;
const SECRET = 'a-long-enough-secret-key-for-the-token-store-0123';
beforeAll(async () => {
  google = await startCalendarStandIn();
  sandbox = cliSandbox({ ...google.env(), OUTREACH_SECRET_KEY: SECRET });
  await sandbox.run([
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
  ]);
});
afterAll(async () => {
  sandbox.cleanup();
  await google.stop();
});

/** `google connect` as a person runs it: the printed consent URL is opened in a "browser" (a plain GET that follows redirects). */
function connect(env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['bin/outreach.js', 'google', 'connect', '--json'], {
      env: { ...process.env, OUTREACH_DATA_DIR: sandbox.dataDir, OUTREACH_WORKSPACE: 'default', ...google.env(), OUTREACH_SECRET_KEY: SECRET, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let opened = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      const url = stderr.match(/(http:\/\/127\.0\.0\.1:\d+\/\S*auth\S*)/)?.[1];
      if (url && !opened) {
        opened = true;
        void fetch(url, { redirect: 'follow' }).then((r) => r.text());
      }
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('outreach google', () => {
  it('connect runs the loopback consent flow, stores the refresh token encrypted and records CalendarConnected', async () => {
    const r = await connect();
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ connected: true, calendarId: 'primary' });
    const stored = readFileSync(join(sandbox.dataDir, 'google', 'default.json'), 'utf8');
    expect(stored).not.toMatch(/refresh|1\/\/|ya29/i);
    const events = (await sandbox.run(['events', '--json'])).stdout;
    expect(events).toContain('"CalendarConnected"');
    expect(events).not.toMatch(/refreshToken|access_token/);
    const status = (await sandbox.run(['google', 'status', '--json'])).json();
    expect(status).toMatchObject({ connected: true, calendarId: 'primary' });
  });

  it('connect without OUTREACH_SECRET_KEY fails at once, naming it', async () => {
    const r = await connect({ OUTREACH_SECRET_KEY: '' });
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/OUTREACH_SECRET_KEY/);
  });

  it('disconnect revokes the grant, deletes the token and records CalendarDisconnected', async () => {
    const r = await sandbox.run(['google', 'disconnect', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ connected: false, revoked: true });
    const status = (await sandbox.run(['google', 'status'])).stdout;
    expect(status).toMatch(/Not connected/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startCalendarStandIn, type CalendarStandIn } from '../support/google-calendar-standin/index.ts';
import { startSmtpServer, type SmtpStandIn } from '../support/smtp-server.ts';
import { cliSandbox } from '../support/cli.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/pipeline.ts';
import { redisContents } from '../support/redis-dump.ts';
import { loadRefreshToken } from '../../src/infra/google/token-store.ts';
import { secretKeyFrom } from '../../src/infra/crypto/secret-key.ts';

// The secrets of a full run; each distinctive, so a match can only be a leak.
const API_TOKEN = `apitok-${randomBytes(20).toString('hex')}`;
const SMTP_PASSWORD = `smtp-pw-${randomBytes(12).toString('hex')}`;
const SECRET_KEY = randomBytes(32).toString('base64');
const prefix = testPrefix();

let google: CalendarStandIn;
let smtp: SmtpStandIn;
let sandbox: ReturnType<typeof cliSandbox>;
let refreshToken = '';
/** A seeker's token (printed once by `token create`, by design) and a browser session made with it. */
let seekerToken = '';
let sessionId = '';
let completed = false;
/** Everything every process of the run printed, stdout and stderr. */
const logs: string[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/outreach.js', ...args], {
    env: { ...process.env, OUTREACH_DATA_DIR: sandbox.dataDir, OUTREACH_WORKSPACE: 'default', ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      logs.push(`$ outreach ${args.join(' ')}\n${out}`);
      r(code);
    }),
  );
  return { child, output: () => out, exited };
}
const run = async (args: string[], env: Record<string, string> = {}) => {
  const p = start(args, env);
  const code = await p.exited;
  return { code, output: p.output() };
};

const baseEnv = () => ({
  ...google.env(),
  REDIS_URL,
  OUTREACH_QUEUE_PREFIX: prefix,
  OUTREACH_RETRY_BASE_MS: '50',
  OUTREACH_JOB_ATTEMPTS: '2',
  OUTREACH_SECRET_KEY: SECRET_KEY,
  OUTREACH_API_TOKEN: API_TOKEN,
  OUTREACH_CALENDAR_POLL_MS: '500',
  SMTP_URL: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`,
});

beforeAll(async () => {
  google = await startCalendarStandIn();
  smtp = await startSmtpServer({ auth: { user: 'mailer', pass: SMTP_PASSWORD } });
  sandbox = cliSandbox();
}, 30_000);
afterAll(async () => {
  await google.stop();
  await smtp.stop();
  sandbox.cleanup();
  await deleteKeys(prefix);
});

describe('a full run with every secret set', () => {
  it('runs: configure, connect Google, serve the API and use it, send over SMTP (also with a wrong password), sync the calendar', async () => {
    const past = (min: number) => new Date(Date.now() - min * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const future = (min: number) => new Date(Date.now() + min * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    expect(
      (
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
        ])
      ).code,
    ).toBe(0);

    // Google: the loopback consent flow, as a person runs it.
    const connect = start(['google', 'connect']);
    let opened = false;
    const until = Date.now() + 20_000;
    while (!opened && Date.now() < until) {
      const url = connect.output().match(/(http:\/\/127\.0\.0\.1:\d+\/\S*auth\S*)/)?.[1];
      if (url) {
        opened = true;
        await fetch(url, { redirect: 'follow' }).then((r) => r.text());
      } else await new Promise((r) => setTimeout(r, 50));
    }
    expect(await connect.exited).toBe(0);
    refreshToken = loadRefreshToken(sandbox.dataDir, secretKeyFrom({ OUTREACH_SECRET_KEY: SECRET_KEY }), 'default')!.refreshToken;
    expect(refreshToken.length).toBeGreaterThan(8);
    expect((await run(['google', 'status'])).code).toBe(0);

    // A seeker's token: `token create` prints it once, by design; that output is the one place it may be.
    const made = start(['token', 'create', '--role', 'seeker', '--workspace', 'default', '--name', 'laptop', '--json']);
    expect(await made.exited).toBe(0);
    seekerToken = (JSON.parse(made.output().trim().split('\n').at(-1)!) as { token: string }).token;
    logs.pop();
    expect(seekerToken).toMatch(/^otk_/);

    // The API, used with the token in each place a client puts it, and with wrong ones.
    const port = await freePort();
    const serve = start(['serve', '--port', String(port)]);
    const base = `http://127.0.0.1:${port}`;
    const waitUntil = Date.now() + 20_000;
    while (
      Date.now() < waitUntil &&
      !(await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      await new Promise((r) => setTimeout(r, 100));
    const auth = { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' };
    const added = await fetch(`${base}/api/contacts`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'Ada Lovelace', email: 'ada@example.org' }),
    });
    expect(added.status).toBeLessThan(300);
    const contactId = ((await added.json()) as { id: string }).id;
    expect((await fetch(`${base}/api/contacts`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${base}/?token=${API_TOKEN}`, { redirect: 'manual' })).status).toBeLessThan(400);
    expect((await fetch(`${base}/api/contacts`, { headers: { authorization: `Bearer ${API_TOKEN}x` } })).status).toBe(401);
    expect((await fetch(`${base}/api/contacts?token=${API_TOKEN.slice(0, -1)}`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: auth })).status).toBe(200);
    // The seeker's token, and a browser session made from it (its id is as secret as a token).
    expect((await fetch(`${base}/api/contacts`, { headers: { authorization: `Bearer ${seekerToken}` } })).status).toBe(200);
    const login = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: seekerToken }),
    });
    expect(login.status).toBe(201);
    sessionId = /outreach_session=([^;]+)/.exec(String(login.headers.get('set-cookie')))![1]!;
    const cookie = { cookie: `outreach_session=${sessionId}`, origin: base, 'content-type': 'application/json' };
    expect((await fetch(`${base}/api/dashboard`, { headers: cookie })).status).toBe(200);
    expect((await fetch(`${base}/api/contacts`, { method: 'POST', headers: cookie, body: JSON.stringify({ name: 'Via Session' }) })).status).toBe(201);
    expect((await fetch(`${base}/api/session`, { headers: { cookie: `outreach_session=${sessionId}x` } })).status).toBe(401);

    // Meetings through the CLI: one held (thank-you), one booked ahead (confirmation, Google insert).
    const ok = async (args: string[]) => {
      const r = await run([...args, '--json']);
      expect(r.code, r.output).toBe(0);
      return JSON.parse(r.output.trim().split('\n').at(-1)!);
    };
    const held = (await ok(['meeting', 'request', '--contact', contactId, '--minutes', '20', '--channel', 'phone'])).id;
    await ok(['meeting', 'book', '--meeting', held, '--at', past(120), '--past']);
    await ok(['meeting', 'held', held, '--at', past(60), '--minutes', '20']);
    const other = (await ok(['contact', 'add', '--name', 'Grace Hopper', '--email', 'grace@example.org'])).id;
    const ahead = (await ok(['meeting', 'request', '--contact', other, '--minutes', '20', '--channel', 'phone'])).id;
    await ok(['meeting', 'book', '--meeting', ahead, '--at', future(3 * 24 * 60)]);

    // A worker with a wrong SMTP password: its failures are logged and stored; the password in use is not.
    expect(
      (await run(['worker', '--until-idle', '--only', 'reactor,email'], { SMTP_URL: `smtp://mailer:wrong-${SMTP_PASSWORD}@127.0.0.1:${smtp.port}` })).code,
    ).toBe(0);
    await run(['reactor', 'replay', '--from', '0']);
    const worked = await run(['worker', '--until-idle']);
    expect(worked.code, worked.output).toBe(0);
    expect((await run(['worker', '--until-idle', '--json'])).code).toBe(0);
    expect(smtp.messages.length, logs.slice(-6).join('\n')).toBeGreaterThan(0);
    expect(google.events.all().length).toBeGreaterThan(0);
    for (const args of [['jobs'], ['jobs', '--json'], ['events', '--json'], ['projections', 'status'], ['contact', 'show', contactId, '--json']])
      await run(args);
    serve.child.kill('SIGTERM');
    await serve.exited;
    expect(logs.join('\n').length).toBeGreaterThan(1000);
    completed = true;
  }, 180_000);

  const forms = (secret: string) => [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
  const leaks = (text: string) => ({
    'API token': forms(API_TOKEN).filter((f) => text.includes(f)),
    'SMTP password': forms(SMTP_PASSWORD).filter((f) => text.includes(f)),
    'refresh token': forms(refreshToken).filter((f) => text.includes(f)),
    "seeker's token": forms(seekerToken).filter((f) => text.includes(f)),
    'session id': forms(sessionId).filter((f) => text.includes(f)),
    'secret key': [...forms(SECRET_KEY), Buffer.from(SECRET_KEY, 'base64').toString('hex')].filter((f) => text.includes(f)),
  });
  const none = { 'API token': [], 'SMTP password': [], 'refresh token': [], "seeker's token": [], 'session id': [], 'secret key': [] };

  it('no log line of any process holds the API token, the SMTP password, the refresh token or the secret key', () => {
    expect(completed, 'the run above finished').toBe(true);
    expect(leaks(logs.join('\n'))).toEqual(none);
  });

  it("nor does any file of the data folder (tokens are encrypted at rest) or any of the run's Redis keys", async () => {
    expect(completed, 'the run above finished').toBe(true);
    const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
    const text = files(sandbox.dataDir)
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n');
    expect(leaks(text)).toEqual(none);
    expect(leaks((await redisContents(prefix)).text)).toEqual(none);
  });
});

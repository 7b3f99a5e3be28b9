import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/pipeline.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'outreach-demo-'));
const prefix = testPrefix();
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await deleteKeys(prefix);
});
const demo = (args: string[] = [], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/demo.js', '--no-serve', ...args], {
    env: { ...process.env, OUTREACH_DATA_DIR: dataDir, OUTREACH_WORKSPACE: '', OUTREACH_QUEUE_PREFIX: prefix, REDIS_URL, SMTP_URL: '', ...env },
    encoding: 'utf8',
  });

describe('npm run demo', () => {
  it('runs the whole email side on the embedded defaults: thank-yous for past meetings now, later follow-ups scheduled', () => {
    const r = demo();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ContactAdded\s+13/);
    expect(r.stdout).toMatch(/ThankYouSent\s+4/);
    expect(r.stdout).toMatch(/Scheduled follow-ups/);
    expect(r.stdout).toMatch(/keep-in-touch/);
    expect(r.stdout).toMatch(/Funnel:\n\s+added 13 → requested 9 → booked 6 → held 4 → thanked 4 → leads 1/);
    expect(r.stdout).toMatch(/referrals per interview: 1\.8 \(the method asks for 2/);
    const emails = readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(emails.length).toBeGreaterThanOrEqual(4);
  });

  it('a second run sends nothing new', () => {
    const before = readdirSync(join(dataDir, 'outbox')).length;
    const r = demo(['--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.created).toBe(false);
    expect(out.emails.sent).toBe(0);
    expect(out.events).toMatchObject({ ContactAdded: 13, MeetingRequested: 9, MeetingBooked: 6, MeetingHeld: 4, ThankYouSent: 4 });
    expect(out.funnel).toEqual({ added: 13, requested: 9, booked: 6, held: 4, thanked: 4, leads: 1 });
    expect(out.calendarFiles).toBe(6);
    expect(readdirSync(join(dataDir, 'outbox')).length).toBe(before);
  });

  it('with no Redis to be had, fails with one message saying how to get one', () => {
    const r = demo([], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/REDIS_URL: cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*docker compose up -d redis/);
  });
});

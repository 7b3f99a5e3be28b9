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

  it('reads as a real month: meetings on weekdays in business hours, each booked before it is held, each thanked within hours, nothing in the future', () => {
    const r = spawnSync(process.execPath, ['bin/outreach.js', 'events', '--json'], {
      env: { ...process.env, OUTREACH_DATA_DIR: dataDir, OUTREACH_WORKSPACE: 'demo' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; stream: string; data: Record<string, any> });
    const of = (type: string) => events.filter((e) => e.type === type);
    const local = (iso: string, zone: string) => new Date(new Date(iso).toLocaleString('en-US', { timeZone: zone }));
    for (const b of of('MeetingBooked')) {
      const at = local(b.data['start'], b.data['timezone']);
      expect([1, 2, 3, 4, 5], `${b.data['start']} in ${b.data['timezone']}`).toContain(at.getDay());
      expect(at.getHours()).toBeGreaterThanOrEqual(9);
      expect(at.getHours()).toBeLessThan(17);
    }
    const now = Date.now();
    for (const h of of('MeetingHeld')) {
      const booked = of('MeetingBooked').find((b) => b.stream === h.stream)!;
      expect(Date.parse(booked.data['bookedAt'])).toBeLessThan(Date.parse(h.data['heldAt']));
      expect(Date.parse(h.data['heldAt'])).toBeLessThan(now);
      const thanked = of('ThankYouSent').find((t) => t.stream === h.stream)!;
      const hours = (Date.parse(thanked.data['sentAt']) - Date.parse(h.data['heldAt'])) / 3_600_000;
      expect(hours).toBeGreaterThanOrEqual(1);
      expect(hours).toBeLessThanOrEqual(4);
    }
    const times = events.flatMap((e) =>
      Object.entries(e.data)
        .filter(([k]) => k.endsWith('At'))
        .map(([, v]) => Date.parse(String(v))),
    );
    expect(Math.max(...times)).toBeLessThanOrEqual(now);
    expect(Math.min(...times)).toBeGreaterThan(now - 6 * 7 * 86_400_000);
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

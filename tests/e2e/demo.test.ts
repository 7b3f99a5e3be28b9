import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dataDir = mkdtempSync(join(tmpdir(), 'outreach-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const demo = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/demo.js', ...args], { env: { ...process.env, OUTREACH_DATA_DIR: dataDir, OUTREACH_WORKSPACE: '' }, encoding: 'utf8' });

describe('npm run demo', () => {
  it('runs the command side on the embedded defaults and prints counts per event type', () => {
    const r = demo();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ContactAdded\s+12/);
    expect(r.stdout).toMatch(/MeetingHeld\s+4/);
  });

  it('a second run adds nothing', () => {
    const r = demo('--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.created).toBe(false);
    expect(out.events).toMatchObject({ ContactAdded: 12, MeetingRequested: 8, MeetingBooked: 6, MeetingHeld: 4, JobLeadReported: 1 });
  });
});

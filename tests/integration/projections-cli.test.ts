import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectionCommands } from '../../src/cli/commands/projections.ts';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { generateLog } from '../unit/projections/support/generated-log.ts';

let dataDir: string;
const saved = { dir: process.env['OUTREACH_DATA_DIR'], store: process.env['EVENT_STORE'] };

/** `outreach projections …` in this process (main.ts registers the commands; this is the same wiring). */
async function outreach(...args: string[]) {
  const program = new Command('outreach').exitOverride();
  projectionCommands(program);
  program.commands.forEach(function deep(c: Command) {
    c.exitOverride();
    c.commands.forEach(deep);
  });
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  process.exitCode = undefined;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outreach-projcli-'));
  process.env['OUTREACH_DATA_DIR'] = dataDir;
  delete process.env['EVENT_STORE'];
  const store = openSqliteEventStore(join(dataDir, 'events.db'));
  for (const e of generateLog({ seed: 5, events: 2000, workspaces: 3 })) {
    await store.append(e.stream, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }]);
  }
  await store.close();
});

afterAll(() => {
  if (saved.dir === undefined) delete process.env['OUTREACH_DATA_DIR'];
  else process.env['OUTREACH_DATA_DIR'] = saved.dir;
  if (saved.store !== undefined) process.env['EVENT_STORE'] = saved.store;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('outreach projections', () => {
  it('status before any projector ran shows every projection the whole log behind', async () => {
    const r = await outreach('projections', 'status', '--json');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ head: 2000 });
    expect(r.json().projections.every((p: { checkpoint: number; lag: number }) => p.checkpoint === 0 && p.lag === 2000)).toBe(true);
  });

  it('rebuild applies the whole log and says how many events, how long and how fast', async () => {
    const r = await outreach('projections', 'rebuild', '--json');
    expect(r.code).toBe(0);
    const report = r.json();
    expect(report).toMatchObject({ events: 2000, position: 2000 });
    expect(report.projections).toContain('follow-ups');
    expect(report.eventsPerSecond).toBeGreaterThan(0);
    expect(report.seconds).toBeGreaterThan(0);
  });

  it('status afterwards shows no lag', async () => {
    const r = await outreach('projections', 'status');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^log head: 2000$/m);
    expect(r.stdout).toMatch(/^ {2}follow-ups +checkpoint +2000 +lag 0$/m);
  });

  it('rebuild --name rebuilds one projection and ends with a line for people', async () => {
    const r = await outreach('projections', 'rebuild', '--name', 'funnel');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Rebuilt funnel: 2,000 events in \d+\.\d s \([\d,]+ events\/s\)\n$/);
  });

  it('an unknown name is a validation error naming the option and the known names', async () => {
    const r = await outreach('projections', 'rebuild', '--name', 'nope', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: 'validation', field: 'name', message: expect.stringContaining('known: contacts, pipeline') } });
  });
});

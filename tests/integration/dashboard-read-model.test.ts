import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/app/clock.ts';
import { configureWorkspace } from '../../src/app/workspace-commands.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { levelsCovered, type LevelsCovered } from '../../src/read-models/coach.ts';
import { funnelTotals, funnelWeeks } from '../../src/read-models/projections/funnel.ts';
import { openProjectionsDb, projectionsFile } from '../../src/read-models/projector/database.ts';
import { openReadModels, type ReadModels } from '../../src/read-models/queries.ts';
import { rangeParams, within, type Range } from '../../src/read-models/range.ts';
import { startProjectorWorker } from '../../workers/projector.ts';
import { silentLog } from '../support/tally-log.ts';

/**
 * The dashboard's figures as it computed them before it was shaped for speed (a correlated EXISTS
 * per contact for "met"), kept here as the reference the faster query must equal.
 */
function levelsCoveredBefore(db: Database, ws: string | undefined, range: Range): LevelsCovered[] {
  const LADDER = `CASE level WHEN 'entry' THEN 0 WHEN 'mid' THEN 1 WHEN 'senior' THEN 2 WHEN 'executive' THEN 3 ELSE 4 END`;
  const rows = db
    .prepare(
      `SELECT c.industry AS industry, c.level AS level, MAX(${within('c.added_at')}) AS listed,
        MAX(EXISTS (SELECT 1 FROM pipeline m WHERE m.contact_id = c.contact_id AND ${within('m.held_at')})) AS met
      FROM contacts c
      WHERE ${ws === undefined ? '1' : 'c.workspace_id = @workspaceId'} AND c.industry IS NOT NULL AND c.level IS NOT NULL
      GROUP BY c.industry, c.level ORDER BY c.industry, ${LADDER}`,
    )
    .all({ workspaceId: ws ?? null, ...rangeParams(range) }) as { industry: string; level: string; listed: number; met: number }[];
  const by = new Map<string, LevelsCovered>();
  for (const r of rows) {
    if (!r.listed && !r.met) continue;
    const entry = by.get(r.industry) ?? { industry: r.industry, listed: [], met: [] };
    if (r.listed) entry.listed.push(r.level);
    if (r.met) entry.met.push(r.level);
    by.set(r.industry, entry);
  }
  return [...by.values()];
}

const WORKSPACES = ['seeker-a', 'seeker-b', 'seeker-c'];
let dir: string;
let db: Database;
let models: ReadModels;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dashboard-read-model-'));
  const store = openSqliteEventStore(join(dir, 'events.db'));
  for (const [i, workspaceId] of WORKSPACES.entries()) {
    const ctx = { store, clock: systemClock, workspaceId, actor: 'test' };
    await seedDemo(ctx);
    await configureWorkspace(ctx, { ownerName: `Seeker ${i}` });
  }
  const projector = await startProjectorWorker({ store, dataDir: dir, log: silentLog });
  await projector.caughtUp;
  await projector.stop();
  await store.close();
  db = openProjectionsDb(projectionsFile(dir));
  models = openReadModels(dir);
}, 120_000);

afterAll(() => {
  models?.close();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every week boundary the seeded month spans, open at either end, and a range with nothing in it. */
function ranges(): Range[] {
  const start = Date.now() - 40 * 86_400_000;
  const days = Array.from({ length: 8 }, (_, i) => new Date(start + i * 7 * 86_400_000).toISOString());
  return [
    {},
    { from: '2000-01-01T00:00:00.000Z', to: '2000-02-01T00:00:00.000Z' },
    ...days.map((from) => ({ from })),
    ...days.map((to) => ({ to })),
    ...days.slice(1).map((to, i) => ({ from: days[i]!, to })),
  ];
}

describe('the dashboard from read models shaped for it', () => {
  it('levels covered equal the per-contact computation, for every seeker and all of them, in every range', () => {
    let compared = 0;
    for (const ws of [undefined, ...WORKSPACES, 'nobody'])
      for (const range of ranges()) {
        const expected = levelsCoveredBefore(db, ws, range);
        expect(levelsCovered(db, ws, range), `${ws} ${JSON.stringify(range)}`).toEqual(expected);
        compared += expected.length;
      }
    expect(compared).toBeGreaterThan(0);
  });

  it("the weeks across all workspaces, kept as events arrive, equal every seeker's weeks summed", () => {
    const STAGES = 'SUM(added) AS added, SUM(requested) AS requested, SUM(booked) AS booked, SUM(held) AS held, SUM(thanked) AS thanked, SUM(leads) AS leads';
    const summed = db.prepare(`SELECT week, ${STAGES} FROM funnel GROUP BY week ORDER BY week`).all();
    expect(summed.length).toBeGreaterThan(1);
    expect(funnelWeeks(db, undefined)).toEqual(summed);
    expect(funnelTotals(db, undefined)).toEqual(db.prepare(`SELECT ${STAGES.replaceAll('SUM', 'total')} FROM funnel`).get());
    for (const ws of WORKSPACES)
      expect(funnelWeeks(db, ws)).toEqual(db.prepare(`SELECT week, ${STAGES} FROM funnel WHERE workspace_id = ? GROUP BY week ORDER BY week`).all(ws));
  });

  it('the same answer on every request: due times worked out once are the ones worked out again', () => {
    const now = new Date().toISOString();
    const first = JSON.stringify(models.dashboard({ now }));
    expect(JSON.parse(first).followUpsDue.length).toBeGreaterThan(0);
    expect(JSON.stringify(models.dashboard({ now }))).toBe(first);
    for (const workspaceId of WORKSPACES) expect(models.dashboard({ workspaceId, now })).toEqual(models.dashboard({ workspaceId, now }));
  });
});

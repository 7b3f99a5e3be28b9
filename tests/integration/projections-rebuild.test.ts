import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projections } from '../../src/read-models/projections/index.ts';
import { rebuildProjections } from '../../src/read-models/projector/projector.ts';
import { createProjector } from '../../src/read-models/projector/apply.ts';
import { openProjectionsDb, projectionsFile } from '../../src/read-models/projector/database.ts';
import { openReadModels, readModelNames } from '../../src/read-models/queries.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { generateLog, prng } from '../unit/projections/support/generated-log.ts';
import { expectSameTables, tablesOf } from '../unit/projections/support/tables.ts';
import { bySize } from '../support/sizes.ts';

const EVENTS = bySize(25_000, 100_000);
/** Live batches average ~70 events: the replayed batch comes a third of the way in. */
const REPLAYED_BATCH = EVENTS / 250;

// A test of the projections, not of disk commits: tmpfs when there is one (appending the events one
// by one costs ~40 µs a commit on disk here, ~4 times more than in memory).
const scratch = () => mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'outreach-proj-'));

describe('rebuild from zero equals live processing', () => {
  let dir: string;
  let store: SqliteEventStore;
  const timings: Record<string, number> = {};
  const timed = async <T>(label: string, work: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[label] = Math.round(performance.now() - t0);
    }
  };

  beforeAll(async () => {
    dir = scratch();
    store = openSqliteEventStore(join(dir, 'events.db'));
    await timed('append', async () => {
      // Streams interleave at random in the generated order; each event is its own append, as commands make them.
      for (const e of generateLog({ seed: 20261129, events: EVENTS, workspaces: 40, concurrency: 300 })) {
        await store.append(e.stream, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }]);
      }
    });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`projections rebuild test timings (ms): ${JSON.stringify(timings)}\n`);
  });

  it(`on ${EVENTS.toLocaleString('en-US')} generated events: small irregular live batches (one processed twice) give the very rows of a rebuild`, async () => {
    const liveDir = join(dir, 'live');
    const live = openProjectionsDb(projectionsFile(liveDir));
    const projector = createProjector(live, projections);
    const rng = prng(7);
    let after: bigint | null = null;
    let batches = 0;
    await timed('live', async () => {
      for (;;) {
        // Mostly a handful of events, now and then a few hundred, as a live projector sees them.
        const batch = await store.readAll({ after, maxCount: rng.chance(0.85) ? rng.int(1, 25) : rng.int(26, 800) });
        if (batch.length === 0) break;
        projector.apply(batch, after);
        batches += 1;
        if (batches === REPLAYED_BATCH) {
          // As after a crash between the commit and moving on: the same batch comes again.
          const before = tablesOf(projectionsFile(liveDir));
          expect(projector.apply(batch, after)).toBe(0);
          expectSameTables(tablesOf(projectionsFile(liveDir)), before);
        }
        after = batch[batch.length - 1]!.position;
      }
    });
    expect(batches).toBeGreaterThan(EVENTS / 100);
    live.close();

    const rebuiltDir = join(dir, 'rebuilt');
    const report = await timed('rebuild', () => rebuildProjections({ store, dataDir: rebuiltDir }));
    expect(report.events).toBe(EVENTS);

    const expected = await timed('dump', () => tablesOf(projectionsFile(rebuiltDir)));
    const rowCount = [...expected.values()].reduce((n, rows) => n + rows.length, 0);
    expect(rowCount).toBeGreaterThan(EVENTS / 2);
    expectSameTables(tablesOf(projectionsFile(liveDir)), expected);
  }, 120_000);

  it('the read models answer alike from both, for every list and the dashboard', () => {
    const a = openReadModels(join(dir, 'live'));
    const b = openReadModels(join(dir, 'rebuilt'));
    try {
      const now = '2026-09-01T12:00:00Z';
      for (const name of readModelNames) {
        for (const workspaceId of [undefined, 'ws-0007']) {
          const q = { ...(workspaceId ? { workspaceId } : {}), limit: 200, offset: 0, now };
          const rows = a.list(name, q);
          expect(rows, `${name} ${workspaceId ?? 'all'}`).toEqual(b.list(name, q));
          if (!workspaceId) expect(rows.total, `${name} has rows to compare`).toBeGreaterThan(0);
        }
      }
      expect(a.dashboard({ now })).toEqual(b.dashboard({ now }));
      expect(a.workspaces()).toEqual(b.workspaces());
      expect(a.workspaces()).toHaveLength(40);
    } finally {
      a.close();
      b.close();
    }
  });

  it('rebuilding one projection alone gives its rows again and leaves the others as they were', async () => {
    const liveDir = join(dir, 'live');
    const before = tablesOf(projectionsFile(liveDir));
    const report = await rebuildProjections({ store, dataDir: liveDir, name: 'follow-ups' });
    expect(report.projections).toEqual(['follow-ups']);
    expectSameTables(tablesOf(projectionsFile(liveDir)), before);
  }, 60_000);
});

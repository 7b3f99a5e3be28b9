import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/read-models/projector/projector.ts';
import { openProjectionsDb, projectionsFile } from '../../src/read-models/projector/database.ts';
import { resetForRebuild } from '../../src/read-models/projector/checkpoints.ts';
import { funnel } from '../../src/read-models/projections/funnel.ts';
import { silentLog } from '../support/tally-log.ts';
import { openReadModels } from '../../src/read-models/queries.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { startProjectorWorker } from '../../workers/projector.ts';
import { generateLog } from '../unit/projections/support/generated-log.ts';
import { expectSameTables, tablesOf } from '../unit/projections/support/tables.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setup(events: number) {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'outreach-projw-'));
  const store = openSqliteEventStore(join(dir, 'events.db'), { pollIntervalMs: 20 });
  const log = [...generateLog({ seed: 99, events, workspaces: 8, concurrency: 60 })];
  let next = 0;
  const append = async (n: number) => {
    for (const e of log.slice(next, next + n)) await store.append(e.stream, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }]);
    next = Math.min(log.length, next + n);
  };
  const stops: (() => Promise<void>)[] = [];
  const start = () => {
    const w = startProjectorWorker({ store, dataDir: join(dir, 'data'), log: silentLog });
    stops.push(() => w.stop());
    return w;
  };
  cleanup = async () => {
    for (const stop of stops) await stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, store, log, append, start };
}

const until = async (done: () => boolean | Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** What a rebuild from zero makes of the same store, to compare the worker's rows with. */
async function rebuiltTables(dir: string, store: SqliteEventStore) {
  await rebuildProjections({ store, dataDir: join(dir, 'expected') });
  return tablesOf(projectionsFile(join(dir, 'expected')));
}

describe('the projector worker', () => {
  it('catches up, then follows appends as they come, ending with the rows a rebuild gives', async () => {
    const { dir, store, append, start } = await setup(6000);
    await append(3000);
    const worker = start();
    await worker.caughtUp;
    expect(worker.position()).toBe(await store.headPosition());
    for (let i = 0; i < 30; i++) await append(100);
    await until(async () => worker.position() === (await store.headPosition()));
    await worker.stop();
    expectSameTables(tablesOf(projectionsFile(join(dir, 'data'))), await rebuiltTables(dir, store));
  });

  it('shows its lag while behind, and none once it has caught up', async () => {
    const { dir, store, append, start } = await setup(2000);
    await append(2000);
    const models = openReadModels(join(dir, 'data'));
    try {
      expect(models.lag(await store.headPosition()).every((l) => l.lag === 2000)).toBe(true);
      const worker = start();
      await worker.caughtUp;
      expect(models.lag(await store.headPosition()).every((l) => l.lag === 0 && l.checkpoint === 2000)).toBe(true);
    } finally {
      models.close();
    }
  });

  it('resumes from its checkpoints after a restart, without applying anything twice', async () => {
    const { dir, store, append, start } = await setup(4000);
    await append(2000);
    const first = start();
    await first.caughtUp;
    await first.stop();
    await append(2000);
    const second = start();
    await second.caughtUp;
    await second.stop();
    expectSameTables(tablesOf(projectionsFile(join(dir, 'data'))), await rebuiltTables(dir, store));
  });

  it('keeps following while `projections rebuild` resets one projection under it, and both end with the rows a rebuild gives', async () => {
    const { dir, store, append, start } = await setup(8000);
    await append(5000);
    const worker = start();
    await worker.caughtUp;
    const appending = (async () => {
      for (let i = 0; i < 30; i++) await append(100);
    })();
    await rebuildProjections({ store, dataDir: join(dir, 'data'), name: 'contacts', batchSize: 500 });
    await appending;
    await until(async () => worker.position() === (await store.headPosition()));
    await worker.stop();
    expectSameTables(tablesOf(projectionsFile(join(dir, 'data'))), await rebuiltTables(dir, store));
  });

  it('goes back and applies the whole log again to a projection another process reset under it', async () => {
    const { dir, store, append, start } = await setup(6000);
    await append(4000);
    const worker = start();
    await worker.caughtUp;
    // What `projections rebuild --name funnel` in another process does first.
    const other = openProjectionsDb(projectionsFile(join(dir, 'data')));
    other.transaction(() => resetForRebuild(other, funnel)).immediate();
    other.close();
    await append(2000);
    await until(async () => worker.position() === (await store.headPosition()));
    await worker.stop();
    expectSameTables(tablesOf(projectionsFile(join(dir, 'data'))), await rebuiltTables(dir, store));
  });

  it('stops with the error when an event cannot be applied, leaving the checkpoint before it', async () => {
    const { dir, store, append, start } = await setup(1000);
    await append(1000);
    // An event no projection can read: a ContactAdded without data, as a bug elsewhere might write.
    await store.append('contact-broken', [
      { id: '01900000-0000-7000-8000-0000000000aa', type: 'ContactAdded', data: null, metadata: { workspaceId: 'ws-0001' } },
    ] as never);
    const worker = start();
    await expect(worker.done).rejects.toThrow();
    await expect(worker.caughtUp).rejects.toThrow();
    const models = openReadModels(join(dir, 'data'));
    try {
      expect(models.lag(await store.headPosition()).every((l) => l.checkpoint <= 1000)).toBe(true);
    } finally {
      models.close();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import type { StreamAppend } from '../../src/eventstore/port.ts';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { withSealedPersonalData } from '../../src/infra/crypto/sealing-store.ts';
import { openSubjectKeys } from '../../src/infra/crypto/subject-keys.ts';
import { personalDataRules } from '../../src/main/personal-data.ts';
import { createProjector } from '../../src/read-models/projector/apply.ts';
import { openProjectionsDb, projectionsFile } from '../../src/read-models/projector/database.ts';
import { rebuildProjections } from '../../src/read-models/projector/projector.ts';
import { projections } from '../../src/read-models/projections/index.ts';
import { generateLog } from '../unit/projections/support/generated-log.ts';
import { expectSameTables, tablesOf } from '../unit/projections/support/tables.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/*
 * The rebuild reads the log in large batches and opens sealed fields only when a projection reads
 * them; the live projector applies what arrives, a few events at a time, opened as they are read.
 * Over a generated log written sealed (contacts forgotten, their keys gone), both build the same
 * read models.
 */
describe('projections rebuild over a sealed log', () => {
  it('builds the same read models as applying the log event by event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outreach-rebuild-sealed-'));
    dirs.push(dir);
    const store = withSealedPersonalData(
      openSqliteEventStore(join(dir, 'events.db')),
      openSubjectKeys(join(dir, 'keys.db'), randomBytes(32)),
      personalDataRules,
    );
    try {
      let batch: StreamAppend[] = [];
      const flush = async () => {
        for (const r of await store.appendMany(batch)) if (r.status === 'rejected') throw r.reason;
        batch = [];
      };
      for (const e of generateLog({ seed: 17, events: 4000, workspaces: 6, concurrency: 40 })) {
        batch.push({
          stream: e.stream,
          events: [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }],
          expected: e.revision === 0 ? 'no_stream' : e.revision - 1,
        });
        if (batch.length === 100) await flush();
      }
      await flush();

      const db = openProjectionsDb(projectionsFile(join(dir, 'live')));
      const projector = createProjector(db, projections);
      let after: bigint | null = null;
      for (;;) {
        const [event] = await store.readAll({ after, maxCount: 1 });
        if (!event) break;
        projector.apply([event], after);
        after = event.position;
      }
      db.close();

      await rebuildProjections({ store, dataDir: join(dir, 'rebuilt'), batchSize: 700 });
      expectSameTables(tablesOf(projectionsFile(join(dir, 'rebuilt'))), tablesOf(projectionsFile(join(dir, 'live'))));
    } finally {
      await store.close();
    }
  }, 60_000);
});

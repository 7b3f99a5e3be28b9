import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import type { AppContext } from '../../src/app/handle.ts';
import { systemClock, type Clock } from '../../src/app/clock.ts';
import { configureWorkspace } from '../../src/app/workspace-commands.ts';

/** An application context on a fresh SQLite file. */
export async function appSandbox(opts: { clock?: Clock; workspaceId?: string; configure?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-app-'));
  const store = openSqliteEventStore(join(dir, 'events.db'));
  const ctx: AppContext = { store, clock: opts.clock ?? systemClock, workspaceId: opts.workspaceId ?? 'test', actor: 'test' };
  if (opts.configure !== false) {
    await configureWorkspace(ctx, { ownerName: 'Sam Seeker', ownerEmail: 'sam@example.com', objective: 'Learn how data teams hire', timezone: 'Europe/London' });
  }
  return { ctx, store, dir, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

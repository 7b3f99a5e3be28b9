import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../../src/main/event-store.ts';
import type { AppContext } from '../../src/app/handle.ts';
import { systemClock, type Clock } from '../../src/app/clock.ts';
import { configureWorkspace } from '../../src/app/workspace-commands.ts';

/** The master key the tests' worker processes get (pipelineEnv): the sandbox wraps its keys with it too. */
export const TEST_SECRET_KEY = 'test-secret-key-that-is-long-enough-1234';

/**
 * An application context on a fresh SQLite file, opened as the application opens it (personal
 * fields sealed, keys in the folder's keys.db). Pass the env a child process of the same folder
 * will get when it sets OUTREACH_SECRET_KEY, so both wrap keys with the same master key.
 */
export async function appSandbox(opts: { clock?: Clock; workspaceId?: string; configure?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-app-'));
  const store = await openEventStore(
    { eventStore: { kind: 'sqlite', file: join(dir, 'events.db') }, dataDir: dir },
    opts.env ?? { ...process.env, OUTREACH_SECRET_KEY: TEST_SECRET_KEY },
  );
  const ctx: AppContext = { store, clock: opts.clock ?? systemClock, workspaceId: opts.workspaceId ?? 'test', actor: 'test' };
  if (opts.configure !== false) {
    await configureWorkspace(ctx, {
      ownerName: 'Sam Seeker',
      ownerEmail: 'sam@example.com',
      objective: 'Learn how data teams hire',
      timezone: 'Europe/London',
    });
  }
  return {
    ctx,
    store,
    dir,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

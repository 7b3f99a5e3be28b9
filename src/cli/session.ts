import { loadConfig, type Config } from '../main/config.ts';
import { systemClock } from '../app/clock.ts';
import type { AppContext } from '../app/handle.ts';
import { openEventStore } from '../main/event-store.ts';

export type Session = { ctx: AppContext; config: Config; close(): Promise<void> };

/** Everything a command needs, opened from the environment and closed when it ends. */
export async function openSession(opts: { workspace?: string }, actor = 'cli'): Promise<Session> {
  const config = loadConfig(process.env, opts.workspace === undefined ? {} : { workspace: opts.workspace });
  const store = await openEventStore(config);
  return {
    config,
    ctx: { store, clock: systemClock, workspaceId: config.workspaceId, actor },
    close: () => store.close(),
  };
}

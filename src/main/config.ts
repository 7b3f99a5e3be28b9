import { resolve } from 'node:path';
import { OutreachError } from '../domain/errors.ts';
import { workspaceId } from '../domain/values.ts';

export type Config = {
  dataDir: string;
  workspaceId: string;
  eventStore: { kind: 'sqlite'; file: string } | { kind: 'esdb'; connectionString: string };
};

/** Configuration comes from the environment (and a --workspace flag); every default works with no account. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: { workspace?: string } = {}): Config {
  const dataDir = resolve(env['OUTREACH_DATA_DIR'] || './data');
  const ws = overrides.workspace ?? (env['OUTREACH_WORKSPACE'] || 'default');
  const parsed = workspaceId.safeParse(ws);
  if (!parsed.success) throw new OutreachError('validation', `workspace: ${parsed.error.issues[0]!.message}`, { field: 'workspace' });
  const kind = env['EVENT_STORE'] || 'sqlite';
  let eventStore: Config['eventStore'];
  if (kind === 'sqlite') {
    eventStore = { kind, file: resolve(dataDir, 'events.db') };
  } else if (kind === 'esdb') {
    const connectionString = env['ESDB_CONNECTION_STRING'];
    if (!connectionString)
      throw new OutreachError('config', 'ESDB_CONNECTION_STRING: must be set when EVENT_STORE=esdb (for example esdb://localhost:2113?tls=false)', {
        field: 'ESDB_CONNECTION_STRING',
      });
    eventStore = { kind, connectionString };
  } else {
    throw new OutreachError('config', `EVENT_STORE: must be sqlite or esdb, not ${kind}`, { field: 'EVENT_STORE' });
  }
  return { dataDir, workspaceId: parsed.data, eventStore };
}

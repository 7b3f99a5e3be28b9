import type { Config } from '../app/config.ts';
import type { EventStore } from './port.ts';
import { openSqliteEventStore } from './sqlite/store.ts';

/** The configured adapter. EventStoreDB's client is loaded only when it is used. */
export async function openEventStore(config: Config['eventStore']): Promise<EventStore> {
  if (config.kind === 'sqlite') return openSqliteEventStore(config.file);
  const { openEsdbEventStore } = await import('./esdb/store.ts');
  return openEsdbEventStore(config.connectionString);
}

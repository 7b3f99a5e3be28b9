import type { Config } from './config.ts';
import { personalDataRules } from './personal-data.ts';
import { secretKeyOrKeyFile } from '../infra/crypto/key-file.ts';
import { openSubjectKeys, subjectKeysFile } from '../infra/crypto/subject-keys.ts';
import type { EventStore } from '../eventstore/port.ts';
import { withSealedPersonalData } from '../infra/crypto/sealing-store.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../eventstore/sqlite/store.ts';

/** The configured adapter alone, holding whatever it is given. EventStoreDB's client is loaded only when it is used. */
export async function openAdapter(config: Config['eventStore']): Promise<EventStore> {
  if (config.kind === 'sqlite') return openSqliteEventStore(config.file);
  const { openEsdbEventStore } = await import('../eventstore/esdb/store.ts');
  return openEsdbEventStore(config.connectionString);
}

/**
 * The event store the application uses: the configured adapter with personal fields sealed per
 * subject, the keys in `<data dir>/keys.db` wrapped by OUTREACH_SECRET_KEY (or data/secret.key).
 */
export async function openEventStore(config: Pick<Config, 'eventStore' | 'dataDir'>, env: NodeJS.ProcessEnv = process.env): Promise<EventStore> {
  const adapter = await openAdapter(config.eventStore);
  try {
    // With SQLite, the keys made meanwhile commit just before each batch of events, in the same flush.
    const host = 'beforeEachBatch' in adapter ? (adapter as SqliteEventStore) : undefined;
    const keys = openSubjectKeys(subjectKeysFile(config.dataDir), secretKeyOrKeyFile(env, config.dataDir).key, host);
    return withSealedPersonalData(adapter, keys, personalDataRules);
  } catch (e) {
    await adapter.close();
    throw e;
  }
}

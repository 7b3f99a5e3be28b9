import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { eventStoreContract } from './eventstore.contract.ts';

eventStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-contract-'));
  return { store: openSqliteEventStore(join(dir, 'events.db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

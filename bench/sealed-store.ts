import { randomBytes } from 'node:crypto';
import { personalDataRules } from '../src/main/personal-data.ts';
import type { SqliteEventStore } from '../src/eventstore/sqlite/store.ts';
import { withSealedPersonalData } from '../src/infra/crypto/sealing-store.ts';
import { openSubjectKeys } from '../src/infra/crypto/subject-keys.ts';

/** The store as the CLI, API and workers open it: personal fields sealed per contact, keys in `keysFile`, committed before each batch of events. */
export const sealedStore = (inner: SqliteEventStore, keysFile: string) =>
  withSealedPersonalData(inner, openSubjectKeys(keysFile, randomBytes(32), inner), personalDataRules);

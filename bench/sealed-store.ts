import { randomBytes } from 'node:crypto';
import { personalDataRules } from '../src/main/personal-data.ts';
import type { EventStore } from '../src/eventstore/port.ts';
import { withSealedPersonalData } from '../src/infra/crypto/sealing-store.ts';
import { openSubjectKeys } from '../src/infra/crypto/subject-keys.ts';

/** The store as the CLI, API and workers open it: personal fields sealed per contact, keys in `keysFile`. */
export const sealedStore = (inner: EventStore, keysFile: string): EventStore =>
  withSealedPersonalData(inner, openSubjectKeys(keysFile, randomBytes(32)), personalDataRules);

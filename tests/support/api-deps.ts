import type { Queue } from 'bullmq';
import type { ApiDeps } from '../../src/api/context.ts';
import { unsubscribeVerifier } from '../../src/main/api.ts';
import { snapshot } from '../../src/infra/queue/idle.ts';
import { openAccessStore } from '../../src/infra/access/access-store.ts';

/**
 * The parts of ApiDeps the composition root derives from the secret key, the queues and the data
 * folder, for tests that build a server themselves. Tokens and sessions live in memory unless an
 * access.db path is given.
 */
export function apiWiring(
  secret: Buffer | string,
  queues: Record<'email' | 'calendar', Queue> | null,
  accessFile = ':memory:',
): Pick<ApiDeps, 'verifyUnsubscribe' | 'queues' | 'queueSnapshots' | 'access'> {
  return {
    verifyUnsubscribe: unsubscribeVerifier(secret),
    queues,
    queueSnapshots: queues ? () => Promise.all(Object.values(queues).map((q) => snapshot(q))) : null,
    access: openAccessStore(accessFile),
  };
}

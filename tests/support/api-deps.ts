import type { Queue } from 'bullmq';
import type { ApiDeps } from '../../src/api/context.ts';
import { unsubscribeVerifier } from '../../src/main/api.ts';
import { snapshot } from '../../src/infra/queue/idle.ts';

/** The parts of ApiDeps the composition root derives from the secret key and the queues, for tests that build a server themselves. */
export function apiWiring(
  secret: Buffer | string,
  queues: Record<'email' | 'calendar', Queue> | null,
): Pick<ApiDeps, 'verifyUnsubscribe' | 'queues' | 'queueSnapshots'> {
  return {
    verifyUnsubscribe: unsubscribeVerifier(secret),
    queues,
    queueSnapshots: queues ? () => Promise.all(Object.values(queues).map((q) => snapshot(q))) : null,
  };
}

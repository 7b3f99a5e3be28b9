import type { EventStore } from '../../src/eventstore/port.ts';
import type { ReadModels } from '../../src/read-models/queries.ts';

/** Waits until every projection has applied everything in the log (the projector runs elsewhere). */
export async function projected(store: EventStore, readModels: ReadModels): Promise<void> {
  const head = await store.headPosition();
  for (let i = 0; i < 400; i++) {
    if (readModels.lag(head).every((p) => p.lag === 0)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`projections still behind: ${JSON.stringify(readModels.lag(head))}`);
}

import type { EventStore } from '../src/eventstore/port.ts';
import { startProjector } from '../src/app/projector.ts';
import { openProjectionsDb, projectionsFile } from '../src/app/projections/database.ts';
import type { WorkerLog } from '../src/app/worker-log.ts';

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The projector: the event log in, read models out (src/app/projector.ts follows, projections/ decide the rows). */
export function startProjectorWorker(deps: { store: EventStore; dataDir: string; log: WorkerLog }) {
  const db = openProjectionsDb(projectionsFile(deps.dataDir));
  let projector: ReturnType<typeof startProjector>;
  try {
    projector = startProjector({ store: deps.store, db, onError: (e) => deps.log('projector-retry', { reason: reason(e) }) });
  } catch (e) {
    db.close();
    throw e;
  }
  const started = performance.now();
  deps.log('projector-started', {
    from: projector.position()?.toString() ?? 'start',
    ...(projector.reset.length ? { rebuilding: projector.reset.join(',') } : {}),
  });
  projector.caughtUp.then(
    () => deps.log('projector-caught-up', { position: projector.position()?.toString() ?? 'start', seconds: ((performance.now() - started) / 1000).toFixed(1) }),
    () => undefined,
  );
  projector.done.catch((e: unknown) => deps.log('projector-stopped', { reason: reason(e) }));
  let closed = false;
  return {
    caughtUp: projector.caughtUp,
    done: projector.done,
    position: () => projector.position(),
    async stop() {
      await projector.stop();
      if (!closed) {
        closed = true;
        db.close();
      }
    },
  };
}

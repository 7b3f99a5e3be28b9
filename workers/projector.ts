import type { EventStore } from '../src/eventstore/port.ts';
import { startProjector } from '../src/read-models/projector/projector.ts';
import { openProjectionsDb, projectionsFile } from '../src/read-models/projector/database.ts';
import type { Log } from '../src/app/log.ts';

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The projector: the event log in, read models out (src/read-models/projector/ follows the log, src/read-models/projections/ decide the rows). */
export function startProjectorWorker(deps: { store: EventStore; dataDir: string; log: Log }) {
  const db = openProjectionsDb(projectionsFile(deps.dataDir));
  let projector: ReturnType<typeof startProjector>;
  try {
    projector = startProjector({ store: deps.store, db, onError: (e) => deps.log.warn({ reason: reason(e) }, 'projector-retry') });
  } catch (e) {
    db.close();
    throw e;
  }
  const started = performance.now();
  deps.log.info(
    {
      from: projector.position()?.toString() ?? 'start',
      ...(projector.reset.length ? { rebuilding: projector.reset.join(',') } : {}),
    },
    'projector-started',
  );
  projector.caughtUp.then(
    () =>
      deps.log.info(
        { position: projector.position()?.toString() ?? 'start', seconds: ((performance.now() - started) / 1000).toFixed(1) },
        'projector-caught-up',
      ),
    () => undefined,
  );
  projector.done.catch((e: unknown) => deps.log.error({ reason: reason(e) }, 'projector-stopped'));
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

import type { Runtime } from '../src/infra/runtime.ts';
import { startReactor } from '../src/app/reactor-runner.ts';
import type { WorkerLog } from '../src/app/worker-log.ts';

/** The reactor: the event log in, jobs out (src/app/reactor.ts decides which). */
export async function startReactorWorker(rt: Runtime, log: WorkerLog) {
  const reactor = await startReactor({
    store: rt.store, clock: rt.clock, scheduler: rt.scheduler,
    onError: (e) => log('reactor-retry', { reason: e instanceof Error ? e.message : String(e) }),
  });
  reactor.done.catch((e: unknown) => log('reactor-stopped', { reason: e instanceof Error ? e.message : String(e) }));
  return reactor;
}

import type { Log } from '../src/app/log.ts';
import { startReactor } from '../src/app/reactor/runner.ts';

type Deps = Parameters<typeof startReactor>[0];

/** The reactor: the event log in, jobs out (src/app/reactor/reactions.ts is the table). */
export async function startReactorWorker(deps: Omit<Deps, 'onError'>, log: Log) {
  const reactor = await startReactor({ ...deps, onError: (e) => log.warn({ reason: e instanceof Error ? e.message : String(e) }, 'reactor-retry') });
  reactor.done.catch((e: unknown) => log.error({ reason: e instanceof Error ? e.message : String(e) }, 'reactor-stopped'));
  return reactor;
}

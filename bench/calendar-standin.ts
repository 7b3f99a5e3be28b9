/**
 * The Calendar v3 stand-in in a worker thread, for the calendar benchmark (the thread's side is
 * calendar-standin-thread.ts). One stand-in serves a whole benchmark: the pipeline and the raw
 * client insert into the same server, over real loopback sockets, through Google's own client.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { StandInReply, StandInRequest, Taken } from './calendar-standin-thread.ts';

export type { InsertCall, Taken } from './calendar-standin-thread.ts';

export type StandInThread = {
  url: string;
  /** The GOOGLE_* variables that point the product at the stand-in. */
  env: Record<string, string>;
  issueRefreshToken(): Promise<string>;
  /** The calls since the last take; the bodies of the first `bodies` successful inserts. */
  take(bodies?: number): Promise<Taken>;
  stop(): Promise<void>;
};

type Ask = StandInRequest extends infer R ? (R extends { type: infer T } ? Omit<Extract<StandInRequest, { type: T }>, 'id'> : never) : never;

export async function startStandInThread(): Promise<StandInThread> {
  // A worker thread does not inherit tsx's loader (Node 20): the thread registers it, then loads the .ts.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./calendar-standin-thread.ts', import.meta.url).href)}); })`;
  const worker = new Worker(boot, { eval: true });
  const waiting = new Map<number, (r: StandInReply) => void>();
  let failure: Error | undefined;
  let ready!: (r: Extract<StandInReply, { type: 'ready' }>) => void;
  let broken!: (e: Error) => void;
  const started = new Promise<Extract<StandInReply, { type: 'ready' }>>((resolve, reject) => {
    ready = resolve;
    broken = reject;
  });
  worker.on('message', (m: StandInReply) => {
    if (m.type === 'ready') return ready(m);
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  worker.on('error', (e) => {
    failure = e;
    broken(e);
  });
  let next = 0;
  const ask = <T extends StandInReply['type']>(request: Ask): Promise<Extract<StandInReply, { type: T }>> => {
    if (failure) return Promise.reject(failure);
    const id = ++next;
    return new Promise((resolve) => {
      waiting.set(id, resolve as (r: StandInReply) => void);
      worker.postMessage({ ...request, id } as StandInRequest);
    });
  };
  const { url, env } = await started;
  return {
    url,
    env,
    issueRefreshToken: async () => (await ask<'token'>({ type: 'token' })).refreshToken,
    take: async (bodies = 0) => (await ask<'taken'>({ type: 'take', bodies })).taken,
    async stop() {
      const exited = once(worker, 'exit');
      await Promise.race([ask<'stopped'>({ type: 'stop' }), exited]);
      await worker.terminate();
    },
  };
}

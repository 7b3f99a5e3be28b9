/**
 * A real smtp-server for the email benchmarks, in its own worker thread: it stands in for the mail
 * provider, which is another machine, so its work does not take turns with the pipeline's on the
 * main event loop. One server serves a whole benchmark (smtp-server waits 100 ms before greeting
 * each new connection, so pools are opened once and reused).
 *
 * It records, for each recipient, when the message's DATA ended (the message is accepted then), on
 * process.hrtime, which every thread shares: compare with `hrMs()` taken on the main thread.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Accepted, SinkReply, SinkRequest } from './smtp-sink-thread.ts';

export type { Accepted } from './smtp-sink-thread.ts';

/** Milliseconds on process.hrtime: the clock the sink stamps acceptances with. */
export const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

export type SmtpSink = {
  url: string;
  /** The acceptances since the last take, and the connections opened so far. */
  take(): Promise<{ accepted: Accepted[]; connections: number }>;
  stop(): Promise<void>;
};

export async function startSmtpSink(): Promise<SmtpSink> {
  // A worker thread does not inherit tsx's loader (Node 20): the thread registers it, then loads the .ts.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./smtp-sink-thread.ts', import.meta.url).href)}); })`;
  const worker = new Worker(boot, { eval: true });
  const reply = async <T extends SinkReply['type']>(type: T, request?: SinkRequest): Promise<Extract<SinkReply, { type: T }>> => {
    const got = new Promise<Extract<SinkReply, { type: T }>>((resolve, reject) => {
      const onMessage = (m: SinkReply) => {
        if (m.type !== type) return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve(m as Extract<SinkReply, { type: T }>);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    if (request) worker.postMessage(request);
    return got;
  };
  const { port } = await reply('ready');
  return {
    url: `smtp://127.0.0.1:${port}`,
    async take() {
      const { accepted, connections } = await reply('taken', { type: 'take' });
      return { accepted, connections };
    },
    async stop() {
      const exited = once(worker, 'exit');
      await Promise.race([reply('stopped', { type: 'stop' }), exited]);
      await worker.terminate();
    },
  };
}

import type { StoredEvent, SubscribeOptions, Subscription } from './port.ts';

export type FollowSource = {
  /** The next events after a position (exclusive); empty when there are none yet. */
  readBatch(after: bigint | null): Promise<StoredEvent[]>;
  /** Resolves when more events may be there (or the signal aborts). */
  waitForMore(signal: AbortSignal): Promise<void>;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Catch-up then live, by reading batches after the last delivered position. A failed read is
 * reported and retried with backoff for as long as the subscription runs; a handler error ends it.
 */
export function follow(source: FollowSource, opts: SubscribeOptions): Subscription {
  const abort = new AbortController();
  let after = opts.after ?? null;
  const run = async () => {
    let caughtUp = false;
    let failures = 0;
    while (!abort.signal.aborted) {
      let batch: StoredEvent[];
      try {
        batch = await source.readBatch(after);
        failures = 0;
      } catch (error) {
        if (abort.signal.aborted) return;
        opts.onError?.(error);
        failures += 1;
        await sleep(Math.min(5000, 50 * 2 ** Math.min(failures, 7)) * (0.5 + Math.random()), abort.signal);
        continue;
      }
      for (const event of batch) {
        if (abort.signal.aborted) return;
        await opts.onEvent(event);
        after = event.position;
      }
      if (batch.length === 0) {
        if (!caughtUp) {
          caughtUp = true;
          opts.onCaughtUp?.();
        }
        await source.waitForMore(abort.signal);
      }
    }
  };
  const done = run();
  done.catch(() => undefined);
  return {
    done,
    async stop() {
      abort.abort();
      await done.catch(() => undefined);
    },
  };
}

import type { StoredEvent } from '../../eventstore/port.ts';

/**
 * Events delivered by a subscription, handled in batches: those delivered together (catch-up hands
 * over hundreds at a time, a live append usually one) are gathered until the next turn of the event
 * loop; while a batch is being handled (or once `size` are waiting) delivery waits, so what is
 * appended meanwhile makes the next batch and what is held in memory stays bounded.
 */
export function eventBatches(opts: { size: number; handle: (batch: StoredEvent[]) => Promise<void>; onFailure: (error: unknown) => void }) {
  /** Delivered, not yet handled, in log order. */
  let pending: StoredEvent[] = [];
  let flushing: Promise<void> | null = null;
  let flushQueued = false;
  let failure: { error: unknown } | undefined;

  /** Handles what is pending, batch by batch; one flush at a time, which takes what arrives meanwhile too. */
  const flush = (): Promise<void> => {
    if (flushing) return flushing;
    // With nothing pending the body below would finish synchronously, clearing `flushing` before it
    // is assigned and leaving a settled promise in it for good: return early instead.
    if (pending.length === 0) return Promise.resolve();
    flushing = (async () => {
      try {
        while (pending.length > 0) {
          const batch = pending.length <= opts.size ? pending : pending.slice(0, opts.size);
          pending = pending.length <= opts.size ? [] : pending.slice(opts.size);
          await opts.handle(batch);
        }
      } finally {
        flushing = null;
      }
    })();
    return flushing;
  };

  return {
    flush,
    /** Everything delivered so far handled (or its handling given up). */
    async drained() {
      while (flushing || pending.length > 0) await flush();
    },
    /** Takes one delivered event; the promise it may return is how delivery is made to wait. */
    push(event: StoredEvent): Promise<void> | undefined {
      if (failure) throw failure.error;
      pending.push(event);
      if (flushing || pending.length >= opts.size) return flush();
      if (!flushQueued) {
        flushQueued = true;
        setImmediate(() => {
          flushQueued = false;
          flush().catch((e: unknown) => {
            failure ??= { error: e };
            opts.onFailure(e);
          });
        });
      }
      return undefined;
    },
  };
}

/**
 * A consumer's position, saved at most every `everyMs` unless forced: the reactor's scheduling is
 * idempotent, so a checkpoint that lags only costs re-deriving a few jobs after a restart.
 */
export function throttledCheckpoint(save: (position: bigint) => Promise<void>, start: bigint | null, everyMs = 200) {
  let last = start;
  let saved = start;
  let savedAt = 0;
  return {
    position: () => last,
    advance(position: bigint) {
      last = position;
    },
    async save(force = false) {
      if (last === null || last === saved || (!force && Date.now() - savedAt < everyMs)) return;
      const at = last;
      await save(at);
      saved = at;
      savedAt = Date.now();
    },
  };
}

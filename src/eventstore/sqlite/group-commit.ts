/** What one item of a batch came to: its own result or its own error, as Promise.allSettled reports it. */
export type Settled<R> = PromiseSettledResult<R>;

export type GroupCommitOptions = {
  /** A batch this large is committed at once, without waiting for the window. */
  maxBatch?: number;
  /** How long the first item of a batch waits for others; 0 waits only for the current turn of the event loop. */
  windowMs?: number;
};

export type GroupCommit<I, R> = {
  submit(item: I): Promise<R>;
  /** Items committed together (as one batch, or several when more than maxBatch), each settled on its own. */
  submitMany(items: I[]): Promise<Settled<R>[]>;
  /** Commits what is waiting and resolves when nothing is in flight. */
  drain(): Promise<void>;
};

type Waiting<I, R> = { item: I; resolve: (r: R) => void; reject: (e: unknown) => void };

/**
 * A commit costs more than a row: items that arrive together (in the same turn of the event loop,
 * or within `windowMs`) share one commit. `commit` settles each item of a batch on its own; when it
 * throws, every item of the batch fails with that error. One batch is in flight at a time, so
 * batches commit in the order they were made.
 */
export function groupCommit<I, R>(commit: (items: I[]) => Promise<Settled<R>[]>, opts: GroupCommitOptions = {}): GroupCommit<I, R> {
  const maxBatch = opts.maxBatch ?? 500;
  const windowMs = opts.windowMs ?? 0;
  let waiting: Waiting<I, R>[] = [];
  let scheduled = false;
  let inFlight: Promise<void> = Promise.resolve();

  const run = async (batch: Waiting<I, R>[]) => {
    let outcomes: Settled<R>[];
    try {
      outcomes = await commit(batch.map((w) => w.item));
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.status === 'fulfilled') w.resolve(o.value);
      else w.reject(o.reason);
    });
  };

  const flush = () => {
    scheduled = false;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(maxBatch);
      inFlight = inFlight.then(() => run(batch));
    }
    return inFlight;
  };

  const schedule = () => {
    if (waiting.length >= maxBatch) return void flush();
    if (scheduled) return;
    scheduled = true;
    if (windowMs > 0) setTimeout(flush, windowMs);
    else setImmediate(flush);
  };

  const submit = (item: I) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      schedule();
    });

  return {
    submit,
    submitMany: (items) => Promise.allSettled(items.map(submit)),
    drain: () => flush(),
  };
}

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
  /** Items committed together, in one batch however many, each settled on its own. */
  submitMany(items: I[]): Promise<Settled<R>[]>;
  /** Commits what is waiting and resolves when nothing is in flight. */
  drain(): Promise<void>;
};

/** One submit: a single item, or several (submitMany) settled together. */
type Waiting<I, R> = { items: I[]; settle: (outcomes: Settled<R>[]) => void; fail: (e: unknown) => void };

/**
 * A commit costs more than a row: items that arrive together (in the same turn of the event loop,
 * or within `windowMs`) share one commit. `commit` settles each item of a batch on its own; when it
 * throws, every item of the batch fails with that error. One batch is in flight at a time, so
 * batches commit in the order they were made. A submitMany is kept whole in one batch, with one
 * promise for all its items (an import's 100 rows, not 100 promises).
 */
export function groupCommit<I, R>(commit: (items: I[]) => Promise<Settled<R>[]>, opts: GroupCommitOptions = {}): GroupCommit<I, R> {
  const maxBatch = opts.maxBatch ?? 500;
  const windowMs = opts.windowMs ?? 0;
  let waiting: Waiting<I, R>[] = [];
  let waitingItems = 0;
  let scheduled = false;
  let inFlight: Promise<void> = Promise.resolve();

  const run = async (batch: Waiting<I, R>[]) => {
    let outcomes: Settled<R>[];
    try {
      outcomes = await commit(batch.length === 1 ? batch[0]!.items : batch.flatMap((w) => w.items));
    } catch (e) {
      for (const w of batch) w.fail(e);
      return;
    }
    let at = 0;
    for (const w of batch) {
      w.settle(batch.length === 1 ? outcomes : outcomes.slice(at, at + w.items.length));
      at += w.items.length;
    }
  };

  const flush = () => {
    scheduled = false;
    while (waiting.length > 0) {
      let n = 0;
      let count = 0;
      while (n < waiting.length && (n === 0 || count + waiting[n]!.items.length <= maxBatch)) count += waiting[n++]!.items.length;
      const batch = waiting.slice(0, n);
      waiting = waiting.slice(n);
      inFlight = inFlight.then(() => run(batch));
    }
    waitingItems = 0;
    return inFlight;
  };

  const schedule = () => {
    if (waitingItems >= maxBatch) return void flush();
    if (scheduled) return;
    scheduled = true;
    if (windowMs > 0) setTimeout(flush, windowMs);
    else setImmediate(flush);
  };

  const enqueue = (w: Waiting<I, R>) => {
    waiting.push(w);
    waitingItems += w.items.length;
    schedule();
  };

  const submit = (item: I) =>
    new Promise<R>((resolve, reject) =>
      enqueue({
        items: [item],
        settle: ([o]) => (o!.status === 'fulfilled' ? resolve(o!.value) : reject(o!.reason)),
        fail: reject,
      }),
    );

  const submitMany = (items: I[]) =>
    items.length === 0
      ? Promise.resolve([])
      : new Promise<Settled<R>[]>((resolve) =>
          enqueue({ items, settle: resolve, fail: (reason) => resolve(items.map(() => ({ status: 'rejected', reason }))) }),
        );

  return { submit, submitMany, drain: () => flush() };
}

/**
 * Times at which something arrived (a result event stored), and a promise for "N have arrived".
 * The pipeline benchmarks record into it from their observed store and wait on it to stop the clock.
 */
export function arrivals(what: string) {
  const times: number[] = [];
  let waiter: { count: number; resolve: () => void } | undefined;
  return {
    times,
    record(at: number) {
      times.push(at);
      if (waiter && times.length >= waiter.count) waiter.resolve();
    },
    /** Resolves when `count` have arrived in all; rejects after timeoutMs. */
    reached(count: number, timeoutMs: number) {
      return new Promise<void>((resolve, reject) => {
        if (times.length >= count) return resolve();
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`${times.length} of ${count} ${what} stored after ${timeoutMs} ms`));
        }, timeoutMs);
        waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            waiter = undefined;
            resolve();
          },
        };
      });
    },
  };
}

const isBusy = (e: unknown) =>
  typeof e === 'object' &&
  e !== null &&
  typeof (e as { code?: unknown }).code === 'string' &&
  ((e as { code: string }).code.startsWith('SQLITE_BUSY') || (e as { code: string }).code.startsWith('SQLITE_LOCKED'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Another process holding the write lock longer than busy_timeout surfaces as SQLITE_BUSY; an
 * acknowledged append must never be lost to that, so the whole transaction is tried again.
 */
export async function retryBusy<T>(work: () => T, attempts = 50): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return work();
    } catch (e) {
      if (!isBusy(e) || i >= attempts) throw e;
      await sleep(Math.min(200, 5 * 2 ** Math.min(i, 6)) * (0.5 + Math.random()));
    }
  }
}

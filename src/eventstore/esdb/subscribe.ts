import { EventStoreUnavailableError, type StoredEvent, type SubscribeOptions, type Subscription } from '../port.ts';
import { classifyError, type EsdbConnection, type EsRecord, type EsSubscription } from './client.ts';

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

class HandlerFailed {
  constructor(readonly error: unknown) {}
}

/** What a subscription to $all needs of the store it belongs to. */
export type SubscribeDeps = {
  conn: EsdbConnection;
  endpoint: string;
  hidden: (r: EsRecord) => boolean;
  positionOf: (r: EsRecord) => bigint;
  esPosition: (p: bigint) => { commit: bigint; prepare: bigint };
  toStored: (r: EsRecord) => StoredEvent;
  headPosition: () => Promise<bigint | null>;
  minBackoff: number;
  maxBackoff: number;
  /** The store's open subscriptions, closed with it. */
  subscriptions: Set<Subscription>;
};

/**
 * A catch-up subscription to $all that keeps going across drops: resubscribed after the last event
 * it handed over, with backoff, until stopped. A handler's error ends it.
 */
export function subscribeToAll(deps: SubscribeDeps, sopts: SubscribeOptions): Subscription {
  const { conn, endpoint, hidden, positionOf, esPosition, toStored, headPosition, minBackoff, maxBackoff, subscriptions } = deps;
  const abort = new AbortController();
  let current: EsSubscription | undefined;
  let last = sopts.after ?? null;

  const run = async () => {
    let caughtUp = false;
    let head: bigint | null | undefined;
    let failures = 0;
    // Caught up once everything up to the head at subscribe time is delivered. This does not
    // rely on the server's caught-up message, which servers before 23.10 do not send.
    const checkCaughtUp = () => {
      if (caughtUp || head === undefined) return;
      if (head === null || (last !== null && last >= head)) {
        caughtUp = true;
        sopts.onCaughtUp?.();
      }
    };
    while (!abort.signal.aborted) {
      try {
        if (head === undefined) {
          head = await headPosition();
          checkCaughtUp();
        }
        // Subscriptions start after the position given (exclusive); events at or before the last
        // delivered one are skipped all the same, so a resubscription never repeats one.
        const sub = conn.subscribeAll({ from: last === null ? 'start' : esPosition(last) });
        current = sub;
        if (abort.signal.aborted) break;
        for await (const r of sub) {
          if (abort.signal.aborted) break;
          failures = 0;
          const p = positionOf(r);
          if (last !== null && p <= last) continue;
          if (!hidden(r)) {
            try {
              await sopts.onEvent(toStored(r));
            } catch (error) {
              throw new HandlerFailed(error);
            }
          }
          last = p;
          checkCaughtUp();
        }
        if (!abort.signal.aborted) throw new Error(`the subscription to $all at ${endpoint} was ended by the server`);
      } catch (error) {
        if (error instanceof HandlerFailed) throw error.error;
        if (abort.signal.aborted) break;
        failures += 1;
        sopts.onError?.(
          classifyError(error).kind !== 'other'
            ? new EventStoreUnavailableError(
                `the subscription to $all at ${endpoint} dropped (resubscribing after ${last ?? 'the start'}, failure ${failures} in a row): ${error instanceof Error ? error.message : String(error)}`,
                { cause: error },
              )
            : error,
        );
        const backoff = Math.min(maxBackoff, minBackoff * 2 ** Math.min(failures - 1, 16));
        await sleep(backoff * (0.5 + Math.random()), abort.signal);
      } finally {
        await current?.close();
        current = undefined;
      }
    }
  };

  const done = run();
  done.catch(() => undefined);
  const subscription: Subscription = {
    done,
    async stop() {
      abort.abort();
      await current?.close();
      await done.catch(() => undefined);
      subscriptions.delete(subscription);
    },
  };
  subscriptions.add(subscription);
  void done.finally(() => subscriptions.delete(subscription)).catch(() => undefined);
  return subscription;
}

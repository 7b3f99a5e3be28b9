import type { Log } from '../src/app/log.ts';
import type { PassOutcome } from '../src/app/mailbox/pass.ts';

export type MailboxWorkerDeps = {
  pass: () => Promise<PassOutcome>;
  /** IDLE on INBOX (or a plain wait) for at most `ms`. */
  waitForMail: (ms: number, signal: AbortSignal) => Promise<'mail' | 'timeout'>;
  pollMs: number;
  log: Log;
  close: () => Promise<void>;
};

export type MailboxWorker = {
  /** Resolves after the first pass, whatever its outcome (`outreach worker --until-idle` does one). */
  firstPass: Promise<PassOutcome>;
  stop(): Promise<void>;
  done: Promise<void>;
};

const backoffMs = (failures: number, pollMs: number) => Math.min(pollMs, 1000 * 2 ** Math.min(failures, 10));

/**
 * The mailbox worker: a pass, then IDLE until mail arrives or the poll interval ends, again. A
 * refused password or a revoked grant ends it (said once, recorded as MailboxDisconnected): no
 * retry can fix that, and hammering the server would lock the account.
 */
export function startMailboxWorker(deps: MailboxWorkerDeps): MailboxWorker {
  const abort = new AbortController();
  let first: (o: PassOutcome) => void = () => {};
  const firstPass = new Promise<PassOutcome>((r) => (first = r));
  const done = (async () => {
    let failures = 0;
    while (!abort.signal.aborted) {
      const outcome: PassOutcome = await deps
        .pass()
        .catch((e: unknown) => ({ ok: false, disconnected: false, error: e instanceof Error ? e.message : String(e) }));
      first(outcome);
      if (outcome.ok) {
        failures = 0;
        const r = outcome.result;
        deps.log.info({ seen: r.seen, matched: r.matched, recorded: r.recorded, rescan: r.rescan, ...r.kinds }, 'read');
      } else if (outcome.disconnected) {
        deps.log.warn({ reason: outcome.error }, 'disconnected');
        break;
      } else {
        failures++;
        deps.log.warn({ reason: outcome.error, retryInMs: backoffMs(failures, deps.pollMs) }, 'retrying');
      }
      if (abort.signal.aborted) break;
      const woke = await deps.waitForMail(outcome.ok ? deps.pollMs : backoffMs(failures, deps.pollMs), abort.signal);
      if (woke === 'mail') deps.log.debug({}, 'new-mail');
    }
    await deps.close();
  })();
  return {
    firstPass,
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}

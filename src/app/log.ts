/**
 * Structured logging as the workers and the API use it: an event name and its fields, one line
 * each. Lines name effects and ids, never addresses or secrets. src/main/logger.ts opens a pino
 * logger that is one (JSON lines for machines, readable lines for people, secrets redacted).
 */
export interface Log {
  debug(fields: Record<string, unknown>, event: string): void;
  info(fields: Record<string, unknown>, event: string): void;
  warn(fields: Record<string, unknown>, event: string): void;
  error(fields: Record<string, unknown>, event: string): void;
  /** The same log with these fields on every line (the worker's name). */
  child(bindings: Record<string, unknown>): Log;
}

/** The same error again and again (Redis away: every connection reports each reconnection try) logged once per window, with how many came since. */
export function onceInAWhile(log: Log, windowMs = 10_000): (reason: string) => void {
  const seen = new Map<string, { at: number; repeats: number }>();
  return (reason) => {
    const now = Date.now();
    const last = seen.get(reason);
    if (last && now - last.at < windowMs) {
      last.repeats++;
      return;
    }
    seen.set(reason, { at: now, repeats: 0 });
    log.error({ reason, ...(last?.repeats ? { repeated: last.repeats } : {}) }, 'error');
  };
}

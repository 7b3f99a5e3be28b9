import type { Log } from '../../src/app/log.ts';

/** A Log that hands every line to a callback (event, fields), for tests and benchmarks that count what happened. */
export function callbackLog(onLine: (event: string, fields: Record<string, unknown>) => void, bindings: Record<string, unknown> = {}): Log {
  const at = (fields: Record<string, unknown>, event: string) => onLine(event, { ...bindings, ...fields });
  return { debug: at, info: at, warn: at, error: at, child: (b) => callbackLog(onLine, { ...bindings, ...b }) };
}

export const silentLog: Log = callbackLog(() => undefined);

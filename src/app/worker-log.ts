/**
 * Worker output: one readable line per thing that happened, or one JSON object per line with --json.
 * Lines name effects and ids, never addresses or secrets.
 */
export type WorkerLog = (event: string, fields?: Record<string, unknown>) => void;

export function createWorkerLog(json: boolean, out: NodeJS.WritableStream = process.stderr): WorkerLog {
  return (event, fields = {}) => {
    if (json) {
      out.write(`${JSON.stringify({ at: new Date().toISOString(), event, ...fields })}\n`);
      return;
    }
    const rest = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`).join(' ');
    out.write(`${new Date().toISOString().slice(11, 19)} ${event}${rest ? ` ${rest}` : ''}\n`);
  };
}

export const silentLog: WorkerLog = () => undefined;

/**
 * The same error again and again (Redis away: every connection reports each reconnection try)
 * is logged once per window, with how many times it came since.
 */
export function onceInAWhile(log: WorkerLog, windowMs = 10_000): (reason: string) => void {
  const seen = new Map<string, { at: number; repeats: number }>();
  return (reason) => {
    const now = Date.now();
    const last = seen.get(reason);
    if (last && now - last.at < windowMs) {
      last.repeats++;
      return;
    }
    seen.set(reason, { at: now, repeats: 0 });
    log('error', { reason, ...(last?.repeats ? { repeated: last.repeats } : {}) });
  };
}

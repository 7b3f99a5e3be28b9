/** A worker process seen alive: which workers it runs, and when it last said so. */
export type Heartbeat = { workers: string[]; pid: number; host: string; at: string };

/** Within this, a worker process counts as running (it says so every 15 s). */
export const WORKER_SILENCE_MS = 60_000;

export type WorkerHealth = {
  /** An email worker answered within the last minute: emails are being sent. */
  sending: boolean;
  /** Workers that answered within the last minute, by name. */
  running: string[];
  /** The last word from any worker process, or null when none was ever heard (in the last 5 minutes). */
  lastSeenAt: string | null;
  /** What to tell a person when emails are not going out, else null. */
  warning: string | null;
};

/** From the heartbeats, whether emails are going out; a coach who sees a dashboard assumes they are. */
export function workerHealth(beats: Heartbeat[], now: string): WorkerHealth {
  const cutoff = Date.parse(now) - WORKER_SILENCE_MS;
  const alive = beats.filter((b) => Date.parse(b.at) >= cutoff);
  const running = [...new Set(alive.flatMap((b) => b.workers))].sort();
  const lastSeenAt =
    beats
      .map((b) => b.at)
      .sort()
      .at(-1) ?? null;
  const sending = running.includes('email');
  const warning = sending
    ? null
    : `emails are not being sent: no worker running${lastSeenAt ? ` (last seen ${lastSeenAt})` : ''}; start one with \`outreach start\` or \`outreach worker\``;
  return { sending, running, lastSeenAt, warning };
}

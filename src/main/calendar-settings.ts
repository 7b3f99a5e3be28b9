import { OutreachError } from '../domain/errors.ts';

/**
 * A whole number of milliseconds from the environment, within bounds, or the default when unset;
 * anything else is one clear error naming the variable (never a NaN that would poll without pause).
 */
function millisecondsFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const ms = /^[0-9]{1,12}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(ms >= min && ms <= max)) {
    throw new OutreachError('config', `${name}: must be a whole number of milliseconds from ${min} to ${max}, not ${JSON.stringify(raw)}`, { field: name });
  }
  return ms;
}

/** OUTREACH_CALENDAR_POLL_MS: how often each connected calendar is polled (default 5 minutes, at most a day). */
export const pollEveryMsFrom = (env: NodeJS.ProcessEnv) => millisecondsFrom(env, 'OUTREACH_CALENDAR_POLL_MS', 300_000, 100, 86_400_000);

/** OUTREACH_RATE_LIMIT_WAIT_MS: the first wait after a rate limit without Retry-After (default 1 s), doubled at each wait after. */
export const rateLimitWaitMsFrom = (env: NodeJS.ProcessEnv) => millisecondsFrom(env, 'OUTREACH_RATE_LIMIT_WAIT_MS', 1000, 1, 64_000);

import { Duration } from 'luxon';
import { DEFAULT_LIMITS, SESSION_TTL_MS, type HttpLimits, type ServerOptions } from '../api/server.ts';
import { OutreachError } from '../domain/errors.ts';

const configError = (name: string, message: string) => new OutreachError('config', `${name}: ${message}`, { field: name });

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) throw configError(name, `must be a whole number above 0, not ${JSON.stringify(raw)}`);
  return Number(raw);
}

/**
 * OUTREACH_TRUST_PROXY: unset or `false` (the default: X-Forwarded-* are ignored), `true` (trust
 * every hop), a number of hops, or the addresses (and CIDR ranges) of the proxies, comma-separated.
 */
export function trustProxyFrom(env: NodeJS.ProcessEnv): ServerOptions['trustProxy'] {
  const raw = (env['OUTREACH_TRUST_PROXY'] ?? '').trim();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^[0-9]+$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((s) => s.trim());
  if (list.some((s) => !/^[0-9a-fA-F.:]+(\/[0-9]{1,3})?$/.test(s) && !['loopback', 'linklocal', 'uniquelocal'].includes(s)))
    throw configError('OUTREACH_TRUST_PROXY', 'must be true, false, a number of hops, or proxy addresses (CIDR ranges allowed), comma-separated');
  return list;
}

function sessionTtl(env: NodeJS.ProcessEnv): number {
  const raw = env['OUTREACH_SESSION_TTL'];
  if (raw === undefined || raw === '') return SESSION_TTL_MS;
  const ms = Duration.fromISO(raw).toMillis();
  if (!Number.isFinite(ms) || ms <= 0)
    throw configError('OUTREACH_SESSION_TTL', `must be a positive ISO 8601 duration such as PT12H, not ${JSON.stringify(raw)}`);
  return ms;
}

/** The server's limits, session length and proxy trust from the environment (see the README's configuration table). */
export function httpSettingsFrom(env: NodeJS.ProcessEnv): Pick<ServerOptions, 'trustProxy' | 'sessionTtlMs'> & { limits: HttpLimits } {
  return {
    trustProxy: trustProxyFrom(env),
    sessionTtlMs: sessionTtl(env),
    limits: {
      idleTimeoutMs: positiveInteger(env, 'OUTREACH_HTTP_IDLE_TIMEOUT_MS', DEFAULT_LIMITS.idleTimeoutMs),
      keepAliveTimeoutMs: positiveInteger(env, 'OUTREACH_HTTP_KEEP_ALIVE_TIMEOUT_MS', DEFAULT_LIMITS.keepAliveTimeoutMs),
      headersTimeoutMs: positiveInteger(env, 'OUTREACH_HTTP_HEADERS_TIMEOUT_MS', DEFAULT_LIMITS.headersTimeoutMs),
      requestTimeoutMs: positiveInteger(env, 'OUTREACH_HTTP_REQUEST_TIMEOUT_MS', DEFAULT_LIMITS.requestTimeoutMs),
      maxConnections: positiveInteger(env, 'OUTREACH_HTTP_MAX_CONNECTIONS', DEFAULT_LIMITS.maxConnections),
    },
  };
}

import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from '../app/config.ts';
import type { CalendarDeps } from '../app/effects/calendar-effect.ts';
import type { SyncTokens } from '../app/calendar-sync.ts';
import type { CalendarFailure } from '../app/effects/calendar-api.ts';
import { loadTemplates } from './mail/templates.ts';
import { mailConfigFrom } from './mail/config.ts';
import { googleConfigFrom, googleEnabled } from './google/config.ts';
import { createCalendarClient, googleEventIdFor, type CalendarClient } from './google/calendar-client.ts';
import { classifyGoogleError } from './google/errors.ts';
import { loadRefreshToken, refreshTokenFile, saveRefreshToken, tokenStoreKeyFrom } from './google/token-store.ts';

export const classifyCalendarFailure = (e: unknown): CalendarFailure => classifyGoogleError(e);

/** The calendar worker's needs from configuration; Google only when its client id and secret are set. */
export function calendarDepsFrom(config: Config, env: NodeJS.ProcessEnv): Omit<CalendarDeps, 'store' | 'clock'> {
  const mail = mailConfigFrom(env, config.dataDir);
  const deps: Omit<CalendarDeps, 'store' | 'clock'> = {
    templates: loadTemplates({ overrideDir: env['OUTREACH_TEMPLATES_DIR'] || undefined }),
    calendarDir: join(config.dataDir, 'calendar'),
    rateLimitWaitMs: Number(env['OUTREACH_RATE_LIMIT_WAIT_MS'] || 30_000),
    ...(mail.messageDomain ? { messageDomain: mail.messageDomain } : {}),
  };
  if (!googleEnabled(env)) return deps;
  const google = googleConfigFrom(env);
  const key = tokenStoreKeyFrom(env);
  // One client per workspace and grant, reused across jobs (it caches its access token); the grant
  // file is decrypted again only when it changed (a reconnect), not on every job.
  const clients = new Map<string, { token: string; client: CalendarClient; mtimeMs: number }>();
  return {
    ...deps,
    google: {
      calendarId: google.calendarId,
      sendUpdates: google.sendUpdates,
      eventIdFor: googleEventIdFor,
      classify: classifyCalendarFailure,
      async clientFor(workspaceId) {
        const mtimeMs = statSync(refreshTokenFile(config.dataDir, workspaceId), { throwIfNoEntry: false })?.mtimeMs;
        const cached = clients.get(workspaceId);
        if (mtimeMs === undefined) {
          clients.delete(workspaceId);
          return null;
        }
        if (cached && cached.mtimeMs === mtimeMs) return cached.client;
        const grant = loadRefreshToken(config.dataDir, key, workspaceId);
        if (!grant) return null;
        if (cached?.token === grant.refreshToken) {
          cached.mtimeMs = mtimeMs;
          return cached.client;
        }
        const client = createCalendarClient({
          config: google, refreshToken: grant.refreshToken,
          onRefreshToken: (refreshToken) => saveRefreshToken(config.dataDir, key, workspaceId, { ...grant, refreshToken }),
        });
        clients.set(workspaceId, { token: grant.refreshToken, client, mtimeMs });
        return client;
      },
    },
  };
}

/** Sync tokens in Redis: derived state, since losing one only means a full sync. */
export function redisSyncTokens(redis: Redis, prefix: string): SyncTokens {
  const key = (ws: string) => `${prefix}:calendar-sync:${ws}`;
  return {
    get: (ws) => redis.get(key(ws)),
    set: async (ws, token) => { await redis.set(key(ws), token); },
    clear: async (ws) => { await redis.del(key(ws)); },
  };
}

import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { CalendarApi, CalendarFailure, SendUpdates } from '../app/effects/calendar/api.ts';
import type { CalendarExecutor } from '../app/effects/calendar/intent.ts';
import type { Config } from './config.ts';
import { rateLimitWaitMsFrom } from './calendar-settings.ts';
import { createCalendarExecutor } from '../infra/google/calendar-executor.ts';
import { createCalendarClient, type CalendarClient } from '../infra/google/calendar-client.ts';
import { googleConfigFrom, googleEnabled } from '../infra/google/config.ts';
import { classifyGoogleError } from '../infra/google/errors.ts';
import { loadRefreshToken, refreshTokenFile, saveRefreshToken, tokenStoreKeyFrom } from '../infra/google/token-store.ts';
import { mailConfigFrom } from '../infra/mail/config.ts';
import { loadTemplates } from '../infra/mail/templates.ts';

export { redisSyncTokens } from '../infra/queue/sync-tokens.ts';

export const classifyCalendarFailure = (e: unknown): CalendarFailure => classifyGoogleError(e);

/** What the calendar worker and its poller are given from configuration; Google only when its client id and secret are set. */
export type CalendarWiring = {
  executor: CalendarExecutor;
  messageDomain?: string | undefined;
  rateLimitWaitMs: number;
  google?:
    | {
        calendarId: string;
        sendUpdates: SendUpdates;
        /** The workspace's client, or null when it holds no grant. */
        clientFor: (workspaceId: string) => Promise<CalendarApi | null>;
        classify: (error: unknown) => CalendarFailure;
      }
    | undefined;
};

export function calendarWiringFrom(config: Config, env: NodeJS.ProcessEnv): CalendarWiring {
  const mail = mailConfigFrom(env, config.dataDir);
  const google = googleEnabled(env) ? googleFrom(config, env) : undefined;
  return {
    executor: createCalendarExecutor({
      templates: loadTemplates({ overrideDir: env['OUTREACH_TEMPLATES_DIR'] || undefined }),
      calendarDir: join(config.dataDir, 'calendar'),
      // Looked up at each call: a caller may wrap the clients (the benchmark counts their round trips).
      clientFor: google ? (workspaceId) => google.clientFor(workspaceId) : undefined,
      classify: classifyCalendarFailure,
    }),
    rateLimitWaitMs: rateLimitWaitMsFrom(env),
    ...(mail.messageDomain ? { messageDomain: mail.messageDomain } : {}),
    google,
  };
}

function googleFrom(config: Config, env: NodeJS.ProcessEnv): NonNullable<CalendarWiring['google']> {
  const google = googleConfigFrom(env);
  const key = tokenStoreKeyFrom(env);
  // One client per workspace and grant, reused across jobs (it caches its access token); the grant
  // file is decrypted again only when it changed (a reconnect), not on every job.
  const clients = new Map<string, { token: string; client: CalendarClient; mtimeMs: number }>();
  return {
    calendarId: google.calendarId,
    sendUpdates: google.sendUpdates,
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
        config: google,
        refreshToken: grant.refreshToken,
        onRefreshToken: (refreshToken) => saveRefreshToken(config.dataDir, key, workspaceId, { ...grant, refreshToken }),
      });
      clients.set(workspaceId, { token: grant.refreshToken, client, mtimeMs });
      return client;
    },
  };
}

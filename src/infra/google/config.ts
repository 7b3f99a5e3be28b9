import { OutreachError } from '../../domain/errors.ts';

export type SendUpdates = 'all' | 'externalOnly' | 'none';

export type GoogleConfig = {
  clientId: string;
  /** A secret: it never goes into a message, a log or an event. */
  clientSecret: string;
  /** Where the Calendar API lives, ending in '/': Google's, or any Calendar-compatible endpoint. */
  apiRootUrl: string;
  tokenUrl: string;
  authUrl: string;
  revokeUrl: string;
  calendarId: string;
  sendUpdates: SendUpdates;
};

type Env = Record<string, string | undefined>;

export const GOOGLE_DEFAULTS = {
  apiRootUrl: 'https://www.googleapis.com/',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  revokeUrl: 'https://oauth2.googleapis.com/revoke',
  calendarId: 'primary',
  sendUpdates: 'all' as SendUpdates,
} as const;

const SEND_UPDATES: readonly SendUpdates[] = ['all', 'externalOnly', 'none'];

const configError = (variable: string, message: string) => new OutreachError('config', `${variable}: ${message}`, { field: variable });
const value = (env: Env, name: string) => {
  const v = env[name]?.trim();
  return v ? v : undefined;
};

function httpUrl(env: Env, name: string, fallback: string, opts: { trailingSlash?: boolean } = {}): string {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(name, `must be an http:// or https:// URL, not ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw configError(name, `must start with https:// (or http:// for a local endpoint), not ${url.protocol}//`);
  // Credentials in the URL would be sent to the wrong place and printed in messages.
  if (url.username || url.password) throw configError(name, 'must not carry a user name or password');
  if (url.search || url.hash) throw configError(name, 'must not carry a query or fragment');
  const text = url.toString();
  // The generated client appends `calendar/v3/...` to the root, so the root is a folder.
  return opts.trailingSlash && !text.endsWith('/') ? `${text}/` : text;
}

/**
 * Google is on when both client credentials are set. Exactly one of them set is a mistake, not
 * "off": it throws, so that a typo does not silently fall back to .ics files.
 */
export function googleEnabled(env: Env): boolean {
  const id = value(env, 'GOOGLE_CLIENT_ID');
  const secret = value(env, 'GOOGLE_CLIENT_SECRET');
  if (id && !secret)
    throw configError('GOOGLE_CLIENT_SECRET', 'must be set when GOOGLE_CLIENT_ID is (both come from the same OAuth client in the Google Cloud console)');
  if (secret && !id)
    throw configError('GOOGLE_CLIENT_ID', 'must be set when GOOGLE_CLIENT_SECRET is (both come from the same OAuth client in the Google Cloud console)');
  return Boolean(id && secret);
}

/**
 * Google settings from the environment; every error names the variable to fix and none repeats
 * the client secret. The endpoints default to Google's and can point at any compatible server.
 */
export function googleConfigFrom(env: Env): GoogleConfig {
  if (!googleEnabled(env)) {
    throw configError('GOOGLE_CLIENT_ID', 'Google Calendar needs GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (an OAuth client of type "Desktop app")');
  }
  const clientId = value(env, 'GOOGLE_CLIENT_ID')!;
  if (/\s/.test(clientId)) throw configError('GOOGLE_CLIENT_ID', 'must not contain spaces');
  const clientSecret = value(env, 'GOOGLE_CLIENT_SECRET')!;
  if (/\s/.test(clientSecret)) throw configError('GOOGLE_CLIENT_SECRET', 'must not contain spaces (is it quoted with its surroundings?)');

  const sendRaw = value(env, 'GOOGLE_SEND_UPDATES') ?? GOOGLE_DEFAULTS.sendUpdates;
  const sendUpdates = SEND_UPDATES.find((s) => s.toLowerCase() === sendRaw.toLowerCase());
  if (!sendUpdates) throw configError('GOOGLE_SEND_UPDATES', `must be one of ${SEND_UPDATES.join(', ')}, not ${JSON.stringify(sendRaw)}`);

  const calendarId = value(env, 'GOOGLE_CALENDAR_ID') ?? GOOGLE_DEFAULTS.calendarId;
  if (/[\s/?#]/.test(calendarId))
    throw configError('GOOGLE_CALENDAR_ID', `must be a calendar id such as primary or name@group.calendar.google.com, not ${JSON.stringify(calendarId)}`);

  return {
    clientId,
    clientSecret,
    apiRootUrl: httpUrl(env, 'GOOGLE_API_ROOT_URL', GOOGLE_DEFAULTS.apiRootUrl, { trailingSlash: true }),
    tokenUrl: httpUrl(env, 'GOOGLE_OAUTH_TOKEN_URL', GOOGLE_DEFAULTS.tokenUrl),
    authUrl: httpUrl(env, 'GOOGLE_OAUTH_AUTH_URL', GOOGLE_DEFAULTS.authUrl),
    revokeUrl: httpUrl(env, 'GOOGLE_OAUTH_REVOKE_URL', GOOGLE_DEFAULTS.revokeUrl),
    calendarId,
    sendUpdates,
  };
}

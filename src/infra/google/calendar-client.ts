import { calendar_v3 } from '@googleapis/calendar';
import type { GoogleConfig, SendUpdates } from './config.ts';
import { GoogleApiError, toGoogleApiError } from './errors.ts';
import { oauthClient } from './oauth.ts';

export { googleEventIdFor, isValidGoogleEventId, meetingIdFromGoogleEventId } from '../../app/effects/calendar/event-id.ts';

export type CalendarEvent = calendar_v3.Schema$Event;
export type SendUpdatesOption = { sendUpdates?: SendUpdates };
/** `ifMatch`: the etag the write is for; Google answers 412 when the event has moved on since. */
export type PatchOptions = SendUpdatesOption & { ifMatch?: string | undefined };
export type ListChangesOptions = {
  /** From the previous listChanges; absent → a full sync (within timeMin/timeMax when given). */
  syncToken?: string;
  /** RFC 3339; only for a full sync (a sync token carries the window it was made with). */
  timeMin?: string;
  timeMax?: string;
  /** Items per page (Google's maxResults, 1–2500); default 250. */
  pageSize?: number;
};
export type ListChangesResult = { items: CalendarEvent[]; nextSyncToken: string; pages: number };

export type CalendarClient = {
  insertEvent(calendarId: string, event: CalendarEvent, opts?: SendUpdatesOption): Promise<CalendarEvent>;
  getEvent(calendarId: string, eventId: string): Promise<CalendarEvent>;
  patchEvent(calendarId: string, eventId: string, patch: CalendarEvent, opts?: PatchOptions): Promise<CalendarEvent>;
  updateEvent(calendarId: string, eventId: string, event: CalendarEvent, opts?: SendUpdatesOption): Promise<CalendarEvent>;
  /** Resolves when the event is gone; `alreadyGone` when Google said 404 or 410 (deleted before). */
  deleteEvent(calendarId: string, eventId: string, opts?: SendUpdatesOption): Promise<{ alreadyGone: boolean }>;
  /**
   * Every event changed since the sync token (or every event, for a full sync), cancelled ones
   * included, across all pages, and the token for next time. A 410 (token expired) is thrown as
   * a GoogleApiError that classifies as 'gone': drop the token and sync in full.
   */
  listChanges(calendarId: string, opts?: ListChangesOptions): Promise<ListChangesResult>;
};

export type CalendarClientOptions = {
  config: GoogleConfig;
  refreshToken: string;
  /** Per request, token refreshes included; default 30 s, so a hung server cannot hang a worker. */
  timeoutMs?: number;
  /** Called if Google hands out a new refresh token while refreshing (store it in place of the old). */
  onRefreshToken?: (refreshToken: string) => void;
};

/** A safety stop for a listing that never ends (a server bug would otherwise loop forever). */
const MAX_PAGES = 10_000;

/**
 * The Calendar v3 client (Google's generated one) for one connected account. Requests, token
 * refreshes included, do not retry inside the client: every failure surfaces as a GoogleApiError for classifyGoogleError, and the
 * caller's queue does the backing off (honouring Retry-After), so a retry is visible and bounded
 * in one place. The one exception is a 401 on a Calendar call: the access token is dropped, a new
 * one fetched with the refresh token and the call made once more, because Google may end an access
 * token before its expiry; only a refusal of the refresh token itself means the user must reconnect.
 */
export function createCalendarClient(options: CalendarClientOptions): CalendarClient {
  const { config, refreshToken } = options;
  const timeout = options.timeoutMs ?? 30_000;
  const auth = oauthClient(config, { timeoutMs: timeout });
  auth.setCredentials({ refresh_token: refreshToken });
  if (options.onRefreshToken) {
    const notify = options.onRefreshToken;
    auth.on('tokens', (tokens) => {
      if (tokens.refresh_token && tokens.refresh_token !== refreshToken) notify(tokens.refresh_token);
    });
  }
  const api = new calendar_v3.Calendar({ auth, rootUrl: config.apiRootUrl, retry: false, timeout });
  const sendUpdatesOf = (opts?: SendUpdatesOption) => opts?.sendUpdates ?? config.sendUpdates;

  async function call<T>(operation: string, run: () => Promise<{ data: T }>): Promise<T> {
    try {
      return (await run()).data;
    } catch (first) {
      if (statusOf(first) === 401 && !isTokenEndpointError(first)) {
        auth.setCredentials({ refresh_token: auth.credentials.refresh_token ?? refreshToken });
        try {
          return (await run()).data;
        } catch (second) {
          throw toGoogleApiError(operation, second);
        }
      }
      throw toGoogleApiError(operation, first);
    }
  }

  return {
    insertEvent: (calendarId, event, opts) =>
      call('events.insert', () => api.events.insert({ calendarId, sendUpdates: sendUpdatesOf(opts), requestBody: event })),
    getEvent: (calendarId, eventId) => call('events.get', () => api.events.get({ calendarId, eventId })),
    patchEvent: (calendarId, eventId, patch, opts) =>
      call('events.patch', () =>
        api.events.patch(
          { calendarId, eventId, sendUpdates: sendUpdatesOf(opts), requestBody: patch },
          opts?.ifMatch ? { headers: { 'If-Match': opts.ifMatch } } : {},
        ),
      ),
    updateEvent: (calendarId, eventId, event, opts) =>
      call('events.update', () => api.events.update({ calendarId, eventId, sendUpdates: sendUpdatesOf(opts), requestBody: event })),
    async deleteEvent(calendarId, eventId, opts) {
      try {
        await call('events.delete', () => api.events.delete({ calendarId, eventId, sendUpdates: sendUpdatesOf(opts) }));
        return { alreadyGone: false };
      } catch (e) {
        if (e instanceof GoogleApiError && (e.status === 404 || e.status === 410)) return { alreadyGone: true };
        throw e;
      }
    },
    async listChanges(calendarId, opts = {}) {
      const items: CalendarEvent[] = [];
      const window = opts.syncToken
        ? { syncToken: opts.syncToken }
        : { ...(opts.timeMin ? { timeMin: opts.timeMin } : {}), ...(opts.timeMax ? { timeMax: opts.timeMax } : {}) };
      let pageToken: string | undefined;
      for (let pages = 1; pages <= MAX_PAGES; pages++) {
        const page: calendar_v3.Schema$Events = await call('events.list', () =>
          api.events.list({
            calendarId,
            showDeleted: true,
            singleEvents: true,
            maxResults: opts.pageSize ?? 250,
            ...window,
            ...(pageToken ? { pageToken } : {}),
          }),
        );
        items.push(...(page.items ?? []));
        if (page.nextPageToken) {
          pageToken = page.nextPageToken;
          continue;
        }
        if (!page.nextSyncToken) throw new GoogleApiError('events.list', 'Google events.list ended without a nextSyncToken', { status: 502 });
        return { items, nextSyncToken: page.nextSyncToken, pages };
      }
      throw new GoogleApiError('events.list', `Google events.list went on for more than ${MAX_PAGES} pages`, { status: 502 });
    },
  };
}

const statusOf = (e: unknown) => (e as { response?: { status?: unknown } } | null)?.response?.status;
/** A 401 from the token endpoint itself (client refused) must not loop into another refresh. */
const isTokenEndpointError = (e: unknown) => {
  const data = (e as { response?: { data?: unknown } } | null)?.response?.data;
  return typeof data === 'object' && data !== null && typeof (data as { error?: unknown }).error === 'string';
};

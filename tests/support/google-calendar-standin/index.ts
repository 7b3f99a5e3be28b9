/**
 * A Google Calendar v3 stand-in: an HTTP server on 127.0.0.1 speaking the REST subset the real
 * client (@googleapis/calendar with google-auth-library) uses, so tests run that client unchanged
 * over real sockets by pointing the GOOGLE_* endpoints here.
 *
 *   events insert / get / patch / update / delete / list (syncToken, pageToken, showDeleted,
 *   timeMin, timeMax, singleEvents), with Google's 409 duplicate (cancelled ids too), 410 deleted,
 *   410 fullSyncRequired and its JSON error bodies; OAuth consent (GET /auth redirects straight back
 *   to the loopback redirect URI), token (authorization_code with PKCE, refresh_token), revoke.
 *
 *   const google = await startCalendarStandIn();
 *   const config = googleConfigFrom(google.env());
 *   const client = createCalendarClient({ config, refreshToken: google.issueRefreshToken() });
 *   google.failNext(1, { status: 403, reason: 'rateLimitExceeded' });
 *   google.editDirectly(eventId, { attendeeResponse: { email, responseStatus: 'declined' } });
 *   await google.stop();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { apiErrorBody, fault, oauthErrorBody, type ApiFault } from './google-error.ts';
import { CalendarStore, type DirectEdit, type ListQuery, type StandInEvent } from './events.ts';
import { AuthServer, CALENDAR_EVENTS_SCOPE, type ConsentBehaviour } from './oauth.ts';

export type { DirectEdit, StandInEvent } from './events.ts';
export type { ConsentBehaviour } from './oauth.ts';
export { CALENDAR_EVENTS_SCOPE };

export type CallKind = 'insert' | 'get' | 'patch' | 'update' | 'delete' | 'list' | 'auth' | 'token' | 'revoke' | 'other';

export type Call = {
  kind: CallKind;
  method: string;
  path: string;
  /** Query parameters, except the token of a revoke. */
  query: Record<string, string>;
  calendarId?: string;
  eventId?: string;
  /** The JSON body of a Calendar write, as received. Token requests keep no body: it holds secrets. */
  body?: unknown;
  /** The If-Match header of a Calendar write, when it carried one. */
  ifMatch?: string;
  /** The grant_type of a token request. */
  grantType?: string;
  status: number;
  /** Whether a scripted fault answered this call. */
  scripted: boolean;
  at: number;
};

/** A scripted failure for the next matching calls. */
export type Fault = {
  status?: number;
  /** errors[0].reason on the Calendar API; the OAuth `error` on the token endpoint. */
  reason?: string;
  /** Retry-After: seconds, or a string sent as it is (an HTTP date). */
  retryAfter?: number | string;
  message?: string;
  /** Close the connection without answering (the client sees a reset / socket hang up). */
  reset?: boolean;
  /** Which calls it hits: Calendar API calls (default), the token endpoint, or any call at all. */
  on?: 'calendar' | 'token' | 'any';
  /** Exactly the calls of this kind (insert, list, token, revoke …); takes the place of `on`. */
  kind?: CallKind;
  /**
   * Calendar API calls only: do what was asked, then answer with the fault anyway (a response lost
   * on the way back: the client cannot tell the write happened).
   */
  afterApplying?: boolean;
};

export type CalendarStandInOptions = {
  clientId?: string;
  clientSecret?: string;
  /** The connected account: organizer and creator of the events it makes. */
  accountEmail?: string;
  /** Items per list page at most (the client's maxResults can only lower it); default 2. */
  pageSize?: number;
  accessTokenTtlSeconds?: number;
  now?: () => Date;
};

export type CalendarStandIn = {
  /** http://127.0.0.1:<port>/ */
  url: string;
  port: number;
  clientId: string;
  clientSecret: string;
  accountEmail: string;
  /** The GOOGLE_* variables that point the product here (spread your own on top). */
  env(extra?: Record<string, string>): Record<string, string>;
  /** The calendars' contents: find, all, put. */
  events: Pick<CalendarStore, 'find' | 'all' | 'put'>;
  /** Every request received, in order. */
  calls: Call[];
  /** The latest call of a kind (and matching `where`), or undefined. */
  lastCall(kind: CallKind, where?: (c: Call) => boolean): Call | undefined;
  /** The consent page's behaviour for the next browsers (allow by default). */
  consent: ConsentBehaviour;
  pageSize: number;
  editDirectly(eventId: string, changes: DirectEdit, calendarId?: string): StandInEvent;
  failNext(count: number, fault: Fault): void;
  /** Forgets faults not yet used. */
  clearFaults(): void;
  /** Every sync token made so far answers 410 fullSyncRequired. */
  expireSyncTokens(): void;
  /** A refresh token the stand-in accepts, as if a consent had happened. */
  issueRefreshToken(scope?: string): string;
  isRevoked(refreshToken: string): boolean;
  /** Revokes every refresh and access token (the user removed the app's access). */
  revokeAll(): void;
  /** Ends every access token early; refresh tokens keep working. */
  expireAccessTokens(): void;
  stop(): Promise<void>;
};

const EVENTS = /^\/calendar\/v3\/calendars\/([^/]+)\/events(?:\/([^/]+))?\/?$/;
const LIST_RESTRICTIONS = ['timeMin', 'timeMax', 'orderBy', 'q', 'updatedMin', 'iCalUID', 'privateExtendedProperty', 'sharedExtendedProperty'];

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const bool = (v: string | null) => (v === null ? undefined : v === 'true');

export async function startCalendarStandIn(options: CalendarStandInOptions = {}): Promise<CalendarStandIn> {
  const now = options.now ?? (() => new Date());
  const clientId = options.clientId ?? 'standin-client.apps.googleusercontent.com';
  const clientSecret = options.clientSecret ?? 'GOCSPX-standin-secret';
  const accountEmail = options.accountEmail ?? 'seeker@example.com';
  const auth = new AuthServer(clientId, clientSecret, () => now().getTime(), options.accessTokenTtlSeconds ?? 3599);
  const faults: Fault[] = [];
  const calls: Call[] = [];
  const sockets = new Set<Socket>();
  const standIn = { pageSize: options.pageSize ?? 2 } as CalendarStandIn;
  const store = new CalendarStore(now, () => accountEmail, () => standIn.pageSize);

  const takeFault = (kind: CallKind): Fault | undefined => {
    const area = kind === 'token' ? 'token' : kind === 'auth' || kind === 'revoke' || kind === 'other' ? 'oauth' : 'calendar';
    const i = faults.findIndex((f) => (f.kind ? f.kind === kind : f.on === 'any' || (f.on ?? 'calendar') === area));
    return i < 0 ? undefined : faults.splice(i, 1)[0];
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const query = Object.fromEntries(url.searchParams);
    const call: Call = { kind: 'other', method, path: url.pathname, query, status: 0, scripted: false, at: Date.now() };
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      calls.push(call);
      if (body === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=UTF-8', ...headers }).end(text);
    };
    const sendFault = (f: ApiFault, headers: Record<string, string> = {}) => send(f.status, apiErrorBody(f), headers);

    try {
      const m = EVENTS.exec(url.pathname);
      if (m) {
        call.calendarId = decodeURIComponent(m[1]!);
        if (m[2]) call.eventId = decodeURIComponent(m[2]);
        call.kind = m[2]
          ? ({ GET: 'get', PATCH: 'patch', PUT: 'update', DELETE: 'delete' } as Record<string, CallKind>)[method] ?? 'other'
          : ({ POST: 'insert', GET: 'list' } as Record<string, CallKind>)[method] ?? 'other';
      } else if (url.pathname === '/auth' && method === 'GET') call.kind = 'auth';
      else if (url.pathname === '/token' && method === 'POST') call.kind = 'token';
      else if (url.pathname === '/revoke' && method === 'POST') call.kind = 'revoke';
      if (call.kind === 'revoke') delete call.query['token'];

      const raw = await bodyOf(req);
      const taken = takeFault(call.kind);
      // A fault to give after doing the work waits until the Calendar call below has been applied.
      const afterwards = taken?.afterApplying && m && call.kind !== 'other' ? taken : undefined;
      const scripted = afterwards ? undefined : taken;
      if (scripted) {
        call.scripted = true;
        if (scripted.reset) {
          calls.push(call);
          req.socket.destroy();
          return;
        }
        const status = scripted.status ?? 500;
        const headers: Record<string, string> = scripted.retryAfter === undefined ? {} : { 'retry-after': String(scripted.retryAfter) };
        if (call.kind === 'token' || call.kind === 'revoke') {
          return send(status, oauthErrorBody(scripted.reason ?? (status >= 500 ? 'internal_failure' : 'invalid_request'), scripted.message ?? 'Scripted failure'), headers);
        }
        return sendFault(fault(status, scripted.reason, scripted.message), headers);
      }

      if (call.kind === 'auth') {
        const answer = auth.authorize(url.searchParams);
        if ('redirect' in answer) return send(302, undefined, { location: answer.redirect });
        return send(answer.status, `<!doctype html><title>Error</title><p>${answer.text}</p>`);
      }
      if (call.kind === 'token') {
        const form = new URLSearchParams(raw);
        call.grantType = form.get('grant_type') ?? '';
        const basicHeader = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
        let basic: { id: string; secret: string } | undefined;
        if (basicHeader) {
          const [id, ...secret] = Buffer.from(basicHeader[1]!, 'base64').toString('utf8').split(':');
          basic = { id: id ?? '', secret: secret.join(':') };
        }
        const answer = auth.token(form, basic);
        if ('error' in answer) return send(answer.status, oauthErrorBody(answer.error, answer.description));
        return send(200, answer, { 'cache-control': 'no-store' });
      }
      if (call.kind === 'revoke') {
        const value = url.searchParams.get('token') ?? new URLSearchParams(raw).get('token') ?? '';
        const refused = auth.revoke(value);
        if (refused) return send(refused.status, oauthErrorBody(refused.error, refused.description));
        return send(200, {});
      }
      if (!m || call.kind === 'other') return sendFault(fault(404, 'notFound'));

      // Calendar API from here: a live bearer token with the events scope first.
      const scope = auth.bearer(req.headers.authorization);
      if (scope === null) return sendFault(fault(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.'), { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' });
      if (!AuthServer.allowsEvents(scope)) return sendFault(fault(403, 'insufficientPermissions'));

      let json: StandInEvent = {};
      if (raw) {
        try {
          json = JSON.parse(raw) as StandInEvent;
        } catch {
          return sendFault(fault(400, 'parseError', 'Parse Error'));
        }
        call.body = json;
      }
      const calendarId = call.calendarId!;
      const eventId = call.eventId!;
      const ifMatch = req.headers['if-match'];
      if (ifMatch) call.ifMatch = ifMatch;
      const result = (() => {
        switch (call.kind) {
          case 'insert':
            return store.insert(calendarId, json);
          case 'get':
            return store.get(calendarId, eventId);
          case 'patch':
            return store.patch(calendarId, eventId, json, ifMatch);
          case 'update':
            return store.update(calendarId, eventId, json, ifMatch);
          case 'delete':
            return store.delete(calendarId, eventId, ifMatch);
          default: {
            const q: ListQuery = {
              restrictions: LIST_RESTRICTIONS.filter((p) => url.searchParams.has(p)),
              ...(url.searchParams.get('syncToken') ? { syncToken: url.searchParams.get('syncToken')! } : {}),
              ...(url.searchParams.get('pageToken') ? { pageToken: url.searchParams.get('pageToken')! } : {}),
              ...(bool(url.searchParams.get('showDeleted')) !== undefined ? { showDeleted: bool(url.searchParams.get('showDeleted'))! } : {}),
              ...(url.searchParams.get('timeMin') ? { timeMin: url.searchParams.get('timeMin')! } : {}),
              ...(url.searchParams.get('timeMax') ? { timeMax: url.searchParams.get('timeMax')! } : {}),
              ...(url.searchParams.get('maxResults') ? { maxResults: Number(url.searchParams.get('maxResults')) } : {}),
            };
            const page = store.list(calendarId, q);
            if ('fault' in page) return page;
            return {
              ok: {
                kind: 'calendar#events',
                etag: `"${Date.now()}"`,
                summary: calendarId === 'primary' ? accountEmail : calendarId,
                updated: now().toISOString(),
                timeZone: 'UTC',
                accessRole: 'owner',
                defaultReminders: [{ method: 'popup', minutes: 10 }],
                ...page.ok,
              },
            };
          }
        }
      })();
      if (afterwards) {
        call.scripted = true;
        const status = afterwards.status ?? 500;
        return sendFault(fault(status, afterwards.reason, afterwards.message), afterwards.retryAfter === undefined ? {} : { 'retry-after': String(afterwards.retryAfter) });
      }
      if ('fault' in result) return sendFault(result.fault);
      if (call.kind === 'delete') return send(204);
      return send(200, result.ok);
    } catch (e) {
      if (!res.headersSent) sendFault(fault(500, 'backendError', `stand-in error: ${(e as Error).message}`));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;

  // An accessor (Object.assign would copy a getter's value once).
  Object.defineProperty(standIn, 'consent', {
    get: () => auth.consent,
    set: (c: ConsentBehaviour) => {
      auth.consent = c;
    },
    enumerable: true,
  });
  return Object.assign(standIn, {
    url,
    port,
    clientId,
    clientSecret,
    accountEmail,
    env: (extra: Record<string, string> = {}) => ({
      GOOGLE_CLIENT_ID: clientId,
      GOOGLE_CLIENT_SECRET: clientSecret,
      GOOGLE_API_ROOT_URL: url,
      GOOGLE_OAUTH_TOKEN_URL: `${url}token`,
      GOOGLE_OAUTH_AUTH_URL: `${url}auth`,
      GOOGLE_OAUTH_REVOKE_URL: `${url}revoke`,
      ...extra,
    }),
    events: { find: store.find.bind(store), all: store.all.bind(store), put: store.put.bind(store) },
    calls,
    lastCall(kind: CallKind, where: (c: Call) => boolean = () => true) {
      for (let i = calls.length - 1; i >= 0; i--) if (calls[i]!.kind === kind && where(calls[i]!)) return calls[i];
      return undefined;
    },
    editDirectly: store.editDirectly.bind(store),
    failNext(count: number, f: Fault) {
      for (let i = 0; i < count; i++) faults.push({ ...f });
    },
    clearFaults() {
      faults.length = 0;
    },
    expireSyncTokens: store.expireSyncTokens.bind(store),
    issueRefreshToken: (scope?: string) => auth.issueRefreshToken(scope),
    isRevoked: (t: string) => auth.isRevoked(t),
    revokeAll: () => auth.revokeAll(),
    expireAccessTokens: () => auth.expireAccessTokens(),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

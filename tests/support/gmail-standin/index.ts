/**
 * A Gmail API v1 stand-in: an HTTP server on 127.0.0.1 speaking the part of Gmail the product
 * uses, built from Google's reference docs (not from a client), strict by default: what it cannot
 * do honestly it refuses with a 400 rather than ignore. The real @googleapis/gmail client and
 * google-auth-library run against it unchanged, over real sockets, via `rootUrl` and the token URL.
 *
 *   users.messages.send (JSON `{ raw, threadId? }`, and /upload/ with uploadType=media|multipart),
 *   users.messages.get (format minimal|full|raw|metadata, metadataHeaders), users.messages.list
 *   (labelIds, q subset, maxResults, pageToken, includeSpamTrash), users.messages.attachments.get,
 *   users.history.list (startHistoryId, historyTypes, labelId, maxResults, pageToken; 404 for an
 *   expired start), users.getProfile; OAuth consent / token (authorization_code with PKCE,
 *   refresh_token) / revoke from the Calendar stand-in's AuthServer; per-method scopes (403
 *   insufficientPermissions); Google's JSON error bodies; scripted faults with Retry-After.
 *
 *   const gmail = await startGmailStandIn();
 *   const auth = new OAuth2Client({ clientId: gmail.clientId, clientSecret: gmail.clientSecret, endpoints: { oauth2TokenUrl: gmail.tokenUrl } });
 *   auth.setCredentials({ refresh_token: gmail.issueRefreshToken() });
 *   const api = new gmail_v1.Gmail({ auth, rootUrl: gmail.url });
 *   gmail.deliverInbound(replyRaw);  gmail.expireHistoryBefore(id);  gmail.failNext(1, { status: 429, retryAfter: 2 });
 *   await gmail.stop();
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ApiFault } from '../google-calendar-standin/google-error.ts';
import { oauthErrorBody } from '../google-calendar-standin/google-error.ts';
import { AuthServer, type ConsentBehaviour } from '../google-calendar-standin/oauth.ts';
import { allows, fail, GMAIL_READONLY_SCOPE, GMAIL_SEND_SCOPE, gmailErrorBody, gmailFault, GmailError, metadataOnly, SCOPES, type Method } from './errors.ts';
import { Mailbox, type Format, type HistoryRecord, type HistoryType, type StoredMessage } from './mailbox.ts';
import { addresses, contentType, headerOf, messageIds, walk, type Header } from './mime.ts';

export { GMAIL_READONLY_SCOPE, GMAIL_SEND_SCOPE, SCOPES } from './errors.ts';
export type { ConsentBehaviour } from '../google-calendar-standin/oauth.ts';

export type CallKind = Method | 'auth' | 'token' | 'revoke' | 'other';

export type Call = {
  kind: CallKind;
  method: string;
  path: string;
  /** Query parameters (repeated ones joined with ','), except the token of a revoke. */
  query: Record<string, string>;
  userId?: string;
  messageId?: string;
  /** The granted scope of the bearer token, for Gmail calls that had a live one. */
  scope?: string;
  /** messages.send: the threadId asked for and the raw message's size. Token requests keep no body. */
  body?: { threadId?: string; rawBytes?: number; uploadType?: string };
  grantType?: string;
  status: number;
  scripted: boolean;
  at: number;
};

/** A scripted failure for the next matching calls. */
export type Fault = {
  status?: number;
  /** errors[0].reason on the Gmail API; the OAuth `error` on the token endpoint. */
  reason?: string;
  /** Retry-After: seconds, or a string sent as it is (an HTTP date). */
  retryAfter?: number | string;
  message?: string;
  /** Close the connection without answering (the client sees a reset / socket hang up). */
  reset?: boolean;
  /** Which calls it hits: Gmail API calls (default), the token endpoint, or any call. */
  on?: 'gmail' | 'token' | 'any';
  /** Exactly the calls of this kind (send, get, list, history, profile, token …); takes the place of `on`. */
  kind?: CallKind;
  /** Gmail calls only: do what was asked (a send is sent), then answer with the fault anyway. */
  afterApplying?: boolean;
};

export type SentMessage = {
  id: string;
  threadId: string;
  labelIds: string[];
  /** The threadId the client asked for, if any. */
  requestedThreadId?: string;
  /** The message as stored (after Gmail's additions: From, Message-ID, Date when missing). */
  raw: string;
  headers: Header[];
  header(name: string): string | undefined;
  subject?: string;
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  to: string[];
  /** The first text/plain part, transfer encoding undone, read as UTF-8. */
  text?: string;
  via: 'json' | 'media' | 'multipart';
};

export type InboundOptions = { threadId?: string; labelIds?: string[]; internalDate?: Date };

export type GmailStandInOptions = {
  clientId?: string;
  clientSecret?: string;
  /** The connected account (getProfile's emailAddress; From of what it sends). */
  accountEmail?: string;
  /** Other From addresses Gmail lets this account send as (verified send-as aliases). */
  sendAs?: string[];
  /** Items per list / history page at most (a client's maxResults can only lower it); default 100. */
  pageSize?: number;
  /** The first historyId (default: a random number in 4000–9000). */
  startHistoryId?: number;
  accessTokenTtlSeconds?: number;
  now?: () => Date;
};

export type GmailStandIn = {
  /** http://127.0.0.1:<port>/ — the `rootUrl` for @googleapis/gmail. */
  url: string;
  port: number;
  tokenUrl: string;
  authUrl: string;
  revokeUrl: string;
  clientId: string;
  clientSecret: string;
  accountEmail: string;
  /** The GOOGLE_* variables that point the product here (spread your own on top). */
  env(extra?: Record<string, string>): Record<string, string>;
  calls: Call[];
  lastCall(kind: CallKind, where?: (c: Call) => boolean): Call | undefined;
  /** The consent page's behaviour for the next browsers (allow by default). */
  consent: ConsentBehaviour;
  pageSize: number;
  /** The mailbox's current historyId (getProfile's). */
  historyId(): number;
  /**
   * A reply (or any mail) arriving: stored with INBOX, UNREAD (or the labels given); one messageAdded
   * record. Without threadId it is threaded as Gmail does (References / In-Reply-To naming a message
   * of a thread, and the same subject once Re:/Fwd: are stripped); a threadId given puts it there.
   */
  deliverInbound(raw: string | Buffer, opts?: InboundOptions): { id: string; threadId: string; historyId: number };
  /** Adds / removes labels (e.g. the user reads a message: remove UNREAD); one record per direction. */
  modifyLabels(id: string, change: { add?: string[]; remove?: string[] }): void;
  /** The user deletes a message for good (a messageDeleted record). */
  deleteMessage(id: string): void;
  /** From now on history.list answers 404 for any startHistoryId below this one. */
  expireHistoryBefore(historyId: number | string): void;
  /** Messages sent through the API, in order, decoded. */
  sent(): SentMessage[];
  /** Every message in the mailbox (sent and received), as stored. */
  messages(): StoredMessage[];
  failNext(count: number, fault: Fault): void;
  clearFaults(): void;
  /** A refresh token the stand-in accepts, as if a consent had happened (default: gmail.send + gmail.readonly). */
  issueRefreshToken(scopes?: string | string[]): string;
  isRevoked(refreshToken: string): boolean;
  /** Revokes every refresh and access token (the user removed the app's access). */
  revokeAll(): void;
  /** Ends every access token early; refresh tokens keep working. */
  expireAccessTokens(): void;
  stop(): Promise<void>;
};

// ─── request parsing ─────────────────────────────────────────────────────────────────────────

const API = /^\/gmail\/v1\/users\/([^/]+)\/(profile|history|messages)(?:\/([^/]+))?(?:\/attachments\/([^/]+))?\/?$/;
const UPLOAD = /^\/upload\/gmail\/v1\/users\/([^/]+)\/messages\/send\/?$/;
/** System parameters every Google API accepts (`fields` is left out: partial responses are not supported). */
const STANDARD = ['alt', 'key', 'oauth_token', 'access_token', 'prettyPrint', 'quotaUser', 'upload_protocol', 'uploadType', '$.xgafv', 'callback'];
const PARAMS: Record<Method, string[]> = {
  send: [],
  get: ['format', 'metadataHeaders'],
  list: ['labelIds', 'q', 'maxResults', 'pageToken', 'includeSpamTrash'],
  history: ['startHistoryId', 'historyTypes', 'labelId', 'maxResults', 'pageToken'],
  profile: [],
  attachment: [],
};
const HISTORY_TYPES: HistoryType[] = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'];
const FORMATS: Format[] = ['minimal', 'full', 'raw', 'metadata'];
const MESSAGE_FIELDS = ['id', 'threadId', 'labelIds', 'snippet', 'historyId', 'internalDate', 'payload', 'sizeEstimate', 'raw'];

/** The q operators the stand-in evaluates; anything else is refused with a 400. */
const SEARCH = /^(from|to|cc|subject|rfc822msgid|label|in|is|after|before|newer_than|older_than):(.+)$/i;

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Bytes from proto-JSON `bytes`: standard or URL-safe base64, padded or not; anything else is a 400. */
function bytesField(field: string, value: unknown): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value) || value.replace(/=+$/, '').length % 4 === 1) {
    fail(400, 'invalid', `Invalid value at 'message.${field}' (TYPE_BYTES), Base64 decoding failed for ${JSON.stringify(String(value).slice(0, 40))}`);
  }
  return Buffer.from((value as string).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function uint(name: string, value: string | null, opts: { min?: number; max?: number } = {}): number | undefined {
  if (value === null) return undefined;
  if (!/^\d+$/.test(value)) fail(400, 'invalid', `Invalid value at '${name}' (TYPE_UINT64), ${JSON.stringify(value)}`);
  const n = Number(value);
  if (opts.min !== undefined && n < opts.min) fail(400, 'invalidArgument', `Invalid ${name}: ${value}`);
  return opts.max !== undefined ? Math.min(n, opts.max) : n;
}

const signature = (parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
const encodeToken = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function decodeToken<T extends { sig: string }>(token: string, sig: string): T {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
    if (o.sig === sig) return o;
  } catch {
    /* falls through */
  }
  return fail(400, 'invalidArgument', 'Invalid pageToken');
}

/** Splits q into terms, keeping "quoted phrases" together. */
function searchTerms(q: string): { key: string; value: string }[] {
  const tokens = q.match(/[^\s"]+:"[^"]*"|"[^"]*"|\S+/g) ?? [];
  return tokens.map((t) => {
    const m = SEARCH.exec(t);
    if (!m)
      fail(
        400,
        'invalidArgument',
        `The Gmail stand-in does not support the search term ${JSON.stringify(t)} (supported: from: to: cc: subject: rfc822msgid: label: in: is:unread|read|starred after: before: newer_than: older_than:, joined by spaces)`,
      );
    const key = m![1]!.toLowerCase();
    const value = m![2]!.replace(/^"(.*)"$/, '$1');
    const ok =
      key === 'is'
        ? ['unread', 'read', 'starred'].includes(value.toLowerCase())
        : key === 'in'
          ? ['inbox', 'sent', 'spam', 'trash', 'drafts', 'starred', 'anywhere'].includes(value.toLowerCase())
          : key === 'after' || key === 'before'
            ? /^(\d{4}\/\d{1,2}\/\d{1,2}|\d+)$/.test(value)
            : key === 'newer_than' || key === 'older_than'
              ? /^\d+[dmy]$/.test(value)
              : value.length > 0;
    if (!ok) fail(400, 'invalidArgument', `The Gmail stand-in cannot evaluate ${JSON.stringify(t)}`);
    return { key, value: key === 'in' && value.toLowerCase() === 'drafts' ? 'draft' : value };
  });
}

/** multipart/related as googleapis-common sends it: JSON metadata, then the message. */
function multipartRelated(body: Buffer, header: string | undefined): { metadata: Record<string, unknown>; media: Buffer; mediaType: string } {
  const ct = contentType(header);
  const boundary = ct.params['boundary'];
  if (ct.type !== 'multipart/related' || !boundary) fail(400, 'badRequest', 'uploadType=multipart needs a multipart/related body with a boundary');
  const text = body.toString('latin1');
  const parts = text
    .split(`--${boundary}`)
    .slice(1)
    .filter((p) => !p.startsWith('--'))
    .map((p) => {
      const chunk = p.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
      const at = chunk.search(/\r?\n\r?\n/);
      const head = chunk.slice(0, at);
      const content = chunk.slice(at).replace(/^\r?\n\r?\n/, '');
      return { type: contentType(/content-type:\s*([^\r\n]+)/i.exec(head)?.[1]).type, content: Buffer.from(content, 'latin1') };
    });
  if (parts.length !== 2 || parts[0]!.type !== 'application/json')
    fail(400, 'badRequest', 'uploadType=multipart: expected two parts, JSON metadata then the message');
  let metadata: Record<string, unknown>;
  try {
    metadata = JSON.parse(parts[0]!.content.toString('utf8')) as Record<string, unknown>;
  } catch {
    return fail(400, 'parseError', 'Parse Error');
  }
  return { metadata, media: parts[1]!.content, mediaType: parts[1]!.type };
}

// ─── the server ──────────────────────────────────────────────────────────────────────────────

export async function startGmailStandIn(options: GmailStandInOptions = {}): Promise<GmailStandIn> {
  const now = options.now ?? (() => new Date());
  const clientId = options.clientId ?? 'standin-client.apps.googleusercontent.com';
  const clientSecret = options.clientSecret ?? 'GOCSPX-standin-secret';
  const accountEmail = options.accountEmail ?? 'seeker@example.com';
  const sendAs = new Set([accountEmail, ...(options.sendAs ?? [])].map((a) => a.toLowerCase()));
  const auth = new AuthServer(clientId, clientSecret, () => now().getTime(), options.accessTokenTtlSeconds ?? 3599);
  const box = new Mailbox(() => accountEmail, now, options.startHistoryId);
  const faults: Fault[] = [];
  const calls: Call[] = [];
  const sent: SentMessage[] = [];
  const sockets = new Set<Socket>();
  const standIn = { pageSize: options.pageSize ?? 100 } as GmailStandIn;

  const takeFault = (kind: CallKind): Fault | undefined => {
    const area = kind === 'token' ? 'token' : kind === 'auth' || kind === 'revoke' || kind === 'other' ? 'oauth' : 'gmail';
    const i = faults.findIndex((f) => (f.kind ? f.kind === kind : f.on === 'any' || (f.on ?? 'gmail') === area));
    return i < 0 ? undefined : faults.splice(i, 1)[0];
  };

  /** Gmail's additions to a message it sends: From (the account, or a send-as alias), Date, Message-ID. */
  const prepareOutgoing = (raw: Buffer): Buffer => {
    const text = raw.toString('latin1');
    const m = /\r?\n\r?\n/.exec(text);
    const eol = /\r\n/.test(text) ? '\r\n' : '\n';
    let head = m ? text.slice(0, m.index) : text;
    const rest = m ? text.slice(m.index) : `${eol}${eol}`;
    const has = (name: string) => new RegExp(`^${name}:`, 'im').test(head);
    const headers = () => walkHeaders(head);
    if (!['to', 'cc', 'bcc'].some((h) => addresses(headers()[h]).length)) fail(400, 'invalidArgument', 'Recipient address required');
    const from = addresses(headers()['from'])[0];
    if (!from) head = `From: ${accountEmail}${eol}${head}`;
    // Not the account nor a send-as alias: Gmail sends from the account's address instead.
    else if (!sendAs.has(from))
      head = head.replace(/^From:.*(?:\r?\n[ \t].*)*/im, (line) => line.replace(new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'), accountEmail));
    if (!has('date')) head += `${eol}Date: ${now().toUTCString().replace('GMT', '+0000')}`;
    if (!has('message-id')) head += `${eol}Message-ID: <CA+${randomBytes(18).toString('base64url')}@mail.gmail.com>`;
    return Buffer.from(head + rest, 'latin1');
  };

  const send = (raw: Buffer, threadId: string | undefined, via: SentMessage['via']) => {
    const prepared = prepareOutgoing(raw);
    const toSelf = (() => {
      const h = walkHeaders(prepared.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '');
      return ['to', 'cc', 'bcc'].some((k) => addresses(h[k]).includes(accountEmail.toLowerCase()));
    })();
    const m = box.add(prepared, { ...(threadId !== undefined ? { threadId } : {}), labelIds: toSelf ? ['SENT', 'INBOX', 'UNREAD'] : ['SENT'], origin: 'send' });
    const text = [...walk(m.tree)].find((p) => p.mimeType === 'text/plain' && !p.body.attachmentId);
    sent.push({
      id: m.id,
      threadId: m.threadId,
      labelIds: [...m.labelIds],
      ...(threadId !== undefined ? { requestedThreadId: threadId } : {}),
      raw: prepared.toString('utf8'),
      headers: m.headers,
      header: (name: string) => headerOf(m.headers, name),
      ...(headerOf(m.headers, 'subject') !== undefined ? { subject: headerOf(m.headers, 'subject')! } : {}),
      ...(headerOf(m.headers, 'message-id') !== undefined ? { messageId: headerOf(m.headers, 'message-id')! } : {}),
      ...(headerOf(m.headers, 'in-reply-to') !== undefined ? { inReplyTo: headerOf(m.headers, 'in-reply-to')! } : {}),
      references: messageIds(headerOf(m.headers, 'references')),
      to: addresses(headerOf(m.headers, 'to')),
      ...(text ? { text: text.decoded.toString('utf8') } : {}),
      via,
    });
    return { id: m.id, threadId: m.threadId, labelIds: [...m.labelIds] };
  };

  const historyEntry = (r: HistoryRecord) => {
    const message = { id: r.messageId, threadId: r.threadId, labelIds: r.labelIds };
    const entry: Record<string, unknown> = { id: String(r.id), messages: [{ id: r.messageId, threadId: r.threadId }] };
    if (r.type === 'messageAdded') entry['messagesAdded'] = [{ message }];
    if (r.type === 'messageDeleted') entry['messagesDeleted'] = [{ message }];
    if (r.type === 'labelAdded') entry['labelsAdded'] = [{ message, labelIds: r.changed }];
    if (r.type === 'labelRemoved') entry['labelsRemoved'] = [{ message, labelIds: r.changed }];
    return entry;
  };

  /** One Gmail API call, after routing and auth; returns the JSON answer or throws a GmailError. */
  const gmailCall = (kind: Method, url: URL, call: Call, scope: string, raw: Buffer, req: IncomingMessage, upload: boolean): unknown => {
    const q = url.searchParams;
    for (const name of new Set(q.keys())) {
      if (!PARAMS[kind].includes(name) && !STANDARD.includes(name)) {
        fail(
          400,
          'invalid',
          `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`,
        );
      }
    }
    if (q.has('alt') && q.get('alt') !== 'json') fail(400, 'invalidArgument', 'The Gmail stand-in answers alt=json only');
    switch (kind) {
      case 'profile':
        return { emailAddress: accountEmail, messagesTotal: box.live().length, threadsTotal: box.threadsTotal(), historyId: String(box.historyId) };

      case 'send': {
        if (upload) {
          const uploadType = q.get('uploadType');
          call.body = { uploadType: uploadType ?? '' };
          if (uploadType === 'media') {
            const type = contentType(req.headers['content-type']).type;
            if (type !== 'message/rfc822') fail(400, 'badRequest', `Media type '${type}' is not supported. Valid media types: [message/rfc822]`);
            call.body.rawBytes = raw.length;
            return send(raw, undefined, 'media');
          }
          if (uploadType === 'multipart') {
            const { metadata, media, mediaType } = multipartRelated(raw, req.headers['content-type']);
            if (mediaType !== 'message/rfc822') fail(400, 'badRequest', `Media type '${mediaType}' is not supported. Valid media types: [message/rfc822]`);
            const threadId = typeof metadata['threadId'] === 'string' ? metadata['threadId'] : undefined;
            call.body = { uploadType, rawBytes: media.length, ...(threadId ? { threadId } : {}) };
            return send(media, threadId, 'multipart');
          }
          return fail(400, 'badRequest', `The Gmail stand-in supports uploadType=media and uploadType=multipart, not ${JSON.stringify(uploadType)}`);
        }
        let json: Record<string, unknown>;
        try {
          json = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
        } catch {
          return fail(400, 'parseError', 'Invalid JSON payload received.');
        }
        if (json === null || typeof json !== 'object' || Array.isArray(json)) return fail(400, 'parseError', 'Invalid JSON payload received.');
        for (const name of Object.keys(json))
          if (!MESSAGE_FIELDS.includes(name)) fail(400, 'invalid', `Invalid JSON payload received. Unknown name "${name}": Cannot find field.`);
        if (json['raw'] === undefined || json['raw'] === '')
          fail(400, 'invalidArgument', "'raw' RFC822 payload message string or uploading message via /upload/* URL required");
        const message = bytesField('raw', json['raw']);
        const threadId = json['threadId'];
        if (threadId !== undefined && typeof threadId !== 'string') fail(400, 'invalid', "Invalid value at 'message.thread_id' (TYPE_STRING)");
        call.body = { rawBytes: message.length, ...(typeof threadId === 'string' ? { threadId } : {}) };
        return send(message, threadId as string | undefined, 'json');
      }

      case 'get': {
        const id = call.messageId!;
        const format = (q.get('format') ?? 'full').toLowerCase() as Format;
        if (!FORMATS.includes(format)) fail(400, 'invalid', `Invalid value at 'format' (type.googleapis.com/gmail.Format), ${JSON.stringify(q.get('format'))}`);
        if ((format === 'full' || format === 'raw') && metadataOnly(scope, 'get'))
          fail(403, 'forbidden', `Metadata scope doesn't allow format ${format.toUpperCase()}`);
        if (!/^[0-9a-f]{1,16}$/i.test(id)) fail(400, 'invalidArgument', 'Invalid id value');
        const m = box.find(id);
        if (!m) fail(404, 'notFound');
        return box.render(m!, format, q.getAll('metadataHeaders'));
      }

      case 'attachment': {
        if (!/^[0-9a-f]{1,16}$/i.test(call.messageId!)) fail(400, 'invalidArgument', 'Invalid id value');
        const a = box.attachment(call.messageId!, decodeURIComponent(url.pathname.split('/attachments/')[1] ?? '').replace(/\/$/, ''));
        if (!a) fail(404, 'notFound');
        return a;
      }

      case 'list': {
        if (q.has('q') && metadataOnly(scope, 'list')) fail(403, 'forbidden', "Metadata scope does not support 'q' parameter");
        const labelIds = q.getAll('labelIds');
        for (const l of labelIds) if (!box.isKnownLabel(l)) fail(400, 'invalidArgument', `Invalid label: ${l}`);
        const terms = searchTerms(q.get('q') ?? '');
        const includeSpamTrash = q.get('includeSpamTrash') === 'true';
        const maxResults = uint('max_results', q.get('maxResults'), { min: 1, max: 500 }) ?? 100;
        const pageSize = Math.min(maxResults, standIn.pageSize);
        const sig = signature(['list', labelIds, q.get('q') ?? '', includeSpamTrash]);
        const offset = q.get('pageToken') ? decodeToken<{ sig: string; offset: number }>(q.get('pageToken')!, sig).offset : 0;
        const askedFor = new Set([...labelIds, ...terms.filter((t) => t.key === 'in' || t.key === 'label').map((t) => t.value.toUpperCase())]);
        const matching = box
          .live()
          .filter((m) => includeSpamTrash || !m.labelIds.some((l) => (l === 'SPAM' || l === 'TRASH') && !askedFor.has(l)))
          .filter((m) => labelIds.every((l) => m.labelIds.includes(l)))
          .filter((m) => terms.every((t) => box.matchesTerm(m, t.key, t.value)))
          .sort((a, b) => b.internalDate - a.internalDate || b.historyId - a.historyId);
        const page = matching.slice(offset, offset + pageSize);
        return {
          ...(page.length ? { messages: page.map((m) => ({ id: m.id, threadId: m.threadId })) } : {}),
          ...(offset + pageSize < matching.length ? { nextPageToken: encodeToken({ sig, offset: offset + pageSize }) } : {}),
          resultSizeEstimate: matching.length,
        };
      }

      case 'history': {
        const start = uint('start_history_id', q.get('startHistoryId'));
        if (start === undefined) fail(400, 'invalidArgument', 'Missing required parameter: startHistoryId');
        const types = q.getAll('historyTypes');
        for (const t of types)
          if (!HISTORY_TYPES.includes(t as HistoryType))
            fail(400, 'invalid', `Invalid value at 'history_types' (type.googleapis.com/gmail.HistoryType), ${JSON.stringify(t)}`);
        const labelId = q.get('labelId');
        // "Supplying an invalid or out of date startHistoryId typically returns an HTTP 404."
        if (start! < box.oldestValidStart || start! > box.historyId) fail(404, 'notFound');
        const maxResults = uint('max_results', q.get('maxResults'), { min: 1, max: 500 }) ?? 100;
        const pageSize = Math.min(maxResults, standIn.pageSize);
        const sig = signature(['history', start, types, labelId]);
        const after = q.get('pageToken') ? decodeToken<{ sig: string; after: number }>(q.get('pageToken')!, sig).after : start!;
        const records = box.history.filter(
          (r) =>
            r.id > after &&
            (types.length === 0 || types.includes(r.type)) &&
            (labelId === null || r.labelIds.includes(labelId) || (r.changed ?? []).includes(labelId)),
        );
        const page = records.slice(0, pageSize);
        return {
          ...(page.length ? { history: page.map(historyEntry) } : {}),
          ...(records.length > pageSize ? { nextPageToken: encodeToken({ sig, after: page.at(-1)!.id }) } : {}),
          historyId: String(box.historyId),
        };
      }
    }
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const query: Record<string, string> = {};
    for (const k of new Set(url.searchParams.keys())) query[k] = url.searchParams.getAll(k).join(',');
    const call: Call = { kind: 'other', method, path: url.pathname, query, status: 0, scripted: false, at: Date.now() };
    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      calls.push(call);
      if (body === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res
        .writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=UTF-8', ...headers })
        .end(text);
    };
    const replyFault = (f: ApiFault, headers: Record<string, string> = {}) => reply(f.status, gmailErrorBody(f), headers);
    const retryAfter = (f: Fault): Record<string, string> => (f.retryAfter === undefined ? {} : { 'retry-after': String(f.retryAfter) });

    try {
      const api = API.exec(url.pathname);
      const upload = UPLOAD.exec(url.pathname);
      if (upload && method === 'POST') {
        call.kind = 'send';
        call.userId = decodeURIComponent(upload[1]!);
      } else if (api) {
        call.userId = decodeURIComponent(api[1]!);
        const [, , resource, id, attachment] = api;
        if (id !== undefined && id !== 'send') call.messageId = decodeURIComponent(id);
        if (resource === 'profile' && !id && method === 'GET') call.kind = 'profile';
        else if (resource === 'history' && !id && method === 'GET') call.kind = 'history';
        else if (resource === 'messages' && !id && method === 'GET') call.kind = 'list';
        else if (resource === 'messages' && id === 'send' && !attachment && method === 'POST') call.kind = 'send';
        else if (resource === 'messages' && id && id !== 'send' && !attachment && method === 'GET') call.kind = 'get';
        else if (resource === 'messages' && id && attachment && method === 'GET') call.kind = 'attachment';
      } else if (url.pathname === '/auth' && method === 'GET') call.kind = 'auth';
      else if (url.pathname === '/token' && method === 'POST') call.kind = 'token';
      else if (url.pathname === '/revoke' && method === 'POST') call.kind = 'revoke';
      if (call.kind === 'revoke') delete call.query['token'];

      const raw = await bodyOf(req);
      const taken = takeFault(call.kind);
      const isGmail = !['auth', 'token', 'revoke', 'other'].includes(call.kind);
      const afterwards = taken?.afterApplying && isGmail ? taken : undefined;
      const scripted = afterwards ? undefined : taken;
      if (scripted) {
        call.scripted = true;
        if (scripted.reset) {
          calls.push(call);
          req.socket.destroy();
          return;
        }
        const status = scripted.status ?? 500;
        if (call.kind === 'token' || call.kind === 'revoke') {
          return reply(
            status,
            oauthErrorBody(scripted.reason ?? (status >= 500 ? 'internal_failure' : 'invalid_request'), scripted.message ?? 'Scripted failure'),
            retryAfter(scripted),
          );
        }
        return replyFault(gmailFault(status, scripted.reason, scripted.message), retryAfter(scripted));
      }

      if (call.kind === 'auth') {
        const answer = auth.authorize(url.searchParams);
        if ('redirect' in answer) return reply(302, undefined, { location: answer.redirect });
        return reply(answer.status, `<!doctype html><title>Error</title><p>${answer.text}</p>`);
      }
      if (call.kind === 'token') {
        const form = new URLSearchParams(raw.toString('utf8'));
        call.grantType = form.get('grant_type') ?? '';
        const basicHeader = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
        let basic: { id: string; secret: string } | undefined;
        if (basicHeader) {
          const [id, ...secret] = Buffer.from(basicHeader[1]!, 'base64').toString('utf8').split(':');
          basic = { id: id ?? '', secret: secret.join(':') };
        }
        const answer = auth.token(form, basic);
        if ('error' in answer) return reply(answer.status, oauthErrorBody(answer.error, answer.description));
        return reply(200, answer, { 'cache-control': 'no-store' });
      }
      if (call.kind === 'revoke') {
        const value = url.searchParams.get('token') ?? new URLSearchParams(raw.toString('utf8')).get('token') ?? '';
        const refused = auth.revoke(value);
        if (refused) return reply(refused.status, oauthErrorBody(refused.error, refused.description));
        return reply(200, {});
      }
      if (!isGmail) return replyFault(gmailFault(404, 'notFound'));

      // Gmail API from here: a live bearer token, the user's own mailbox, a scope the method accepts.
      const scope = auth.bearer(req.headers.authorization);
      if (scope === null) {
        return replyFault(gmailFault(401, 'authError', 'Invalid Credentials'), {
          'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
        });
      }
      call.scope = scope;
      const userId = call.userId!;
      if (userId !== 'me' && userId.toLowerCase() !== accountEmail.toLowerCase())
        return replyFault(gmailFault(403, 'forbidden', `Delegation denied for ${accountEmail}`));
      const kind = call.kind as Method;
      if (!allows(scope, kind)) return replyFault(gmailFault(403, 'insufficientPermissions'));

      const result = gmailCall(kind, url, call, scope, raw, req, Boolean(upload));
      if (afterwards) {
        call.scripted = true;
        return replyFault(gmailFault(afterwards.status ?? 500, afterwards.reason, afterwards.message), retryAfter(afterwards));
      }
      return reply(200, result);
    } catch (e) {
      if (e instanceof GmailError) return replyFault(e.fault);
      if (!res.headersSent) replyFault(gmailFault(500, 'backendError', `stand-in error: ${(e as Error).message}`));
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
    tokenUrl: `${url}token`,
    authUrl: `${url}auth`,
    revokeUrl: `${url}revoke`,
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
    calls,
    lastCall(kind: CallKind, where: (c: Call) => boolean = () => true) {
      for (let i = calls.length - 1; i >= 0; i--) if (calls[i]!.kind === kind && where(calls[i]!)) return calls[i];
      return undefined;
    },
    historyId: () => box.historyId,
    deliverInbound(rawIn: string | Buffer, opts: InboundOptions = {}) {
      const rawBuf = Buffer.isBuffer(rawIn) ? rawIn : Buffer.from(rawIn, 'utf8');
      if (opts.threadId !== undefined && !box.threadExists(opts.threadId)) throw new Error(`deliverInbound: no thread ${opts.threadId}`);
      const m = box.add(rawBuf, {
        ...(opts.threadId !== undefined ? { threadId: opts.threadId, forceThread: true } : {}),
        labelIds: opts.labelIds ?? ['INBOX', 'UNREAD'],
        origin: 'inbound',
        ...(opts.internalDate ? { internalDate: opts.internalDate.getTime() } : {}),
      });
      return { id: m.id, threadId: m.threadId, historyId: m.historyId };
    },
    modifyLabels: (id: string, change: { add?: string[]; remove?: string[] }) => void box.modifyLabels(id, change.add, change.remove),
    deleteMessage: (id: string) => box.delete(id),
    expireHistoryBefore: (historyId: number | string) => box.expireHistoryBefore(Number(historyId)),
    sent: () => [...sent],
    messages: () => box.live(),
    failNext(count: number, f: Fault) {
      for (let i = 0; i < count; i++) faults.push({ ...f });
    },
    clearFaults() {
      faults.length = 0;
    },
    issueRefreshToken: (scopes: string | string[] = [GMAIL_SEND_SCOPE, GMAIL_READONLY_SCOPE]) =>
      auth.issueRefreshToken(Array.isArray(scopes) ? scopes.join(' ') : scopes),
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

/** Lower-cased header name → unfolded value (first occurrence) of a header block. */
function walkHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] ??= line.slice(i + 1).trim();
  }
  return out;
}

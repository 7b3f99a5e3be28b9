import { gmail_v1 } from '@googleapis/gmail';
import type { GoogleConfig } from './config.ts';
import { GoogleApiError, toGoogleApiError } from './errors.ts';
import { oauthClient } from './oauth.ts';

/** Send mail as the seeker; nothing else. */
export const GMAIL_SEND_SCOPE = 'https://www.googleapis.com/auth/gmail.send';
/** Read the seeker's mail (the reader fetches only headers of what is not ours). */
export const GMAIL_READONLY_SCOPE = 'https://www.googleapis.com/auth/gmail.readonly';

export type GmailClient = {
  profile(): Promise<{ emailAddress: string; historyId: string }>;
  /** users.messages.send with the raw RFC 5322 message; a threadId keeps a follow-up in its thread. */
  send(raw: Buffer, threadId?: string): Promise<{ id: string; threadId: string }>;
  /** The thread of one of our messages, found by its Message-ID. */
  threadOf(messageId: string): Promise<string | null>;
  /** Messages added to INBOX since a historyId, every page; a 404 (expired) is thrown as a GoogleApiError 'not-found'. */
  addedSince(startHistoryId: string): Promise<{ ids: string[]; historyId: string }>;
  /** INBOX messages received after a date, newest first, at most `max` (the bounded full scan). */
  recent(after: Date, max: number): Promise<string[]>;
  /** A message's headers alone (format=metadata) and when Gmail received it. */
  headers(id: string): Promise<{ header: Buffer; internalDate?: string | undefined }>;
  raw(id: string): Promise<Buffer>;
};

const MAX_PAGES = 1000;
const b64url = (b: Buffer) => b.toString('base64url');

/**
 * The Gmail v1 client (Google's generated one, @googleapis/gmail 18) for one connected account,
 * with the calendar client's rules: no retries inside, every failure a GoogleApiError for
 * classifyGoogleError, one fresh access token after a 401 on an API call.
 */
export function createGmailClient(options: { config: GoogleConfig; refreshToken: string; timeoutMs?: number }): GmailClient {
  const timeout = options.timeoutMs ?? 30_000;
  const auth = oauthClient(options.config, { timeoutMs: timeout });
  auth.setCredentials({ refresh_token: options.refreshToken });
  const api = new gmail_v1.Gmail({ auth, rootUrl: options.config.apiRootUrl, retry: false, timeout });
  const userId = 'me';

  async function call<T>(operation: string, run: () => Promise<{ data: T }>): Promise<T> {
    try {
      return (await run()).data;
    } catch (first) {
      const status = (first as { response?: { status?: unknown } } | null)?.response?.status;
      const data = (first as { response?: { data?: { error?: unknown } } } | null)?.response?.data;
      if (status === 401 && typeof data?.error !== 'string') {
        auth.setCredentials({ refresh_token: auth.credentials.refresh_token ?? options.refreshToken });
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
    async profile() {
      const p = await call('users.getProfile', () => api.users.getProfile({ userId }));
      return { emailAddress: p.emailAddress ?? '', historyId: String(p.historyId ?? '') };
    },
    async send(raw, threadId) {
      const m = await call('messages.send', () => api.users.messages.send({ userId, requestBody: { raw: b64url(raw), ...(threadId ? { threadId } : {}) } }));
      return { id: m.id ?? '', threadId: m.threadId ?? '' };
    },
    async threadOf(messageId) {
      const r = await call('messages.list', () => api.users.messages.list({ userId, q: `rfc822msgid:${messageId.replace(/^<|>$/g, '')}`, maxResults: 1 }));
      return r.messages?.[0]?.threadId ?? null;
    },
    async addedSince(startHistoryId) {
      const ids: string[] = [];
      let pageToken: string | undefined;
      let historyId = startHistoryId;
      for (let pages = 1; pages <= MAX_PAGES; pages++) {
        const page: gmail_v1.Schema$ListHistoryResponse = await call('history.list', () =>
          api.users.history.list({ userId, startHistoryId, historyTypes: ['messageAdded'], labelId: 'INBOX', ...(pageToken ? { pageToken } : {}) }),
        );
        for (const h of page.history ?? []) for (const a of h.messagesAdded ?? []) if (a.message?.id && !ids.includes(a.message.id)) ids.push(a.message.id);
        if (page.historyId) historyId = String(page.historyId);
        if (!page.nextPageToken) return { ids, historyId };
        pageToken = page.nextPageToken;
      }
      throw new GoogleApiError('history.list', `Gmail history.list went on for more than ${MAX_PAGES} pages`, { status: 502 });
    },
    async recent(after, max) {
      const ids: string[] = [];
      let pageToken: string | undefined;
      while (ids.length < max) {
        const page: gmail_v1.Schema$ListMessagesResponse = await call('messages.list', () =>
          api.users.messages.list({
            userId,
            labelIds: ['INBOX'],
            q: `after:${Math.floor(after.getTime() / 1000)}`,
            maxResults: Math.min(500, max - ids.length),
            ...(pageToken ? { pageToken } : {}),
          }),
        );
        for (const m of page.messages ?? []) if (m.id) ids.push(m.id);
        if (!page.nextPageToken) break;
        pageToken = page.nextPageToken;
      }
      return ids.slice(0, max);
    },
    async headers(id) {
      const m = await call('messages.get', () => api.users.messages.get({ userId, id, format: 'metadata' }));
      const lines = (m.payload?.headers ?? []).map((h) => `${h.name}: ${h.value}`);
      const at = m.internalDate ? new Date(Number(m.internalDate)) : undefined;
      return { header: Buffer.from(`${lines.join('\r\n')}\r\n`), internalDate: at && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined };
    },
    async raw(id) {
      const m = await call('messages.get', () => api.users.messages.get({ userId, id, format: 'raw' }));
      return Buffer.from(m.raw ?? '', 'base64url');
    },
  };
}

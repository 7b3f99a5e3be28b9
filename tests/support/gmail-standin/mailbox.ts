/**
 * The stand-in's mailbox: messages with labels, threads, and the history log that history.list
 * reads. Rules from Google's Gmail API docs:
 *
 *   - historyIds increase chronologically with gaps ("not contiguous with random gaps"); every
 *     change makes one history record and sets the message's historyId to it.
 *   - a message joins a thread when (1) the requested threadId is given (or, without one, a
 *     message of the thread is named in References / In-Reply-To), (2) References / In-Reply-To
 *     name a message of that thread, and (3) the subjects match once Re:/Fwd: prefixes are
 *     stripped; otherwise it starts a thread of its own. A threadId that names no thread is a
 *     400 "Invalid thread_id value".
 *   - history older than the oldest kept record answers 404 (expireHistoryBefore).
 */
import { randomBytes } from 'node:crypto';
import { fail } from './errors.ts';
import {
  addresses,
  baseSubject,
  headerOf,
  messageIds,
  parsePart,
  publicPart,
  snippetOf,
  walk,
  type Header,
  type MessagePart,
  type ParsedPart,
} from './mime.ts';

export const SYSTEM_LABELS = [
  'INBOX',
  'SPAM',
  'TRASH',
  'UNREAD',
  'STARRED',
  'IMPORTANT',
  'SENT',
  'DRAFT',
  'CHAT',
  'CATEGORY_PERSONAL',
  'CATEGORY_SOCIAL',
  'CATEGORY_PROMOTIONS',
  'CATEGORY_UPDATES',
  'CATEGORY_FORUMS',
];

export type StoredMessage = {
  id: string;
  threadId: string;
  labelIds: string[];
  raw: Buffer;
  internalDate: number;
  historyId: number;
  headers: Header[];
  tree: ParsedPart;
  snippet: string;
  deleted: boolean;
  /** How it got here: through messages.send, or deliverInbound. */
  origin: 'send' | 'inbound';
};

export type HistoryType = 'messageAdded' | 'messageDeleted' | 'labelAdded' | 'labelRemoved';

export type HistoryRecord = {
  id: number;
  type: HistoryType;
  messageId: string;
  threadId: string;
  /** The message's labels after the change. */
  labelIds: string[];
  /** The labels added or removed, for labelAdded / labelRemoved. */
  changed?: string[];
};

export type Format = 'minimal' | 'full' | 'raw' | 'metadata';

const hex16 = () => randomBytes(8).toString('hex').replace(/^0/, '1');

export class Mailbox {
  readonly messages = new Map<string, StoredMessage>();
  readonly history: HistoryRecord[] = [];
  /** Any startHistoryId below this answers 404. */
  oldestValidStart: number;
  private current: number;
  private readonly knownLabels = new Set(SYSTEM_LABELS);

  constructor(
    readonly accountEmail: () => string,
    private readonly now: () => Date,
    startHistoryId = 4000 + Math.floor(Math.random() * 5000),
  ) {
    this.current = startHistoryId;
    this.oldestValidStart = startHistoryId;
  }

  get historyId(): number {
    return this.current;
  }

  /** A new record id: larger than the last, with a gap of 1–9. */
  private nextHistoryId(): number {
    this.current += 1 + Math.floor(Math.random() * 9);
    return this.current;
  }

  private record(type: HistoryType, m: StoredMessage, changed?: string[]): HistoryRecord {
    const r: HistoryRecord = {
      id: this.nextHistoryId(),
      type,
      messageId: m.id,
      threadId: m.threadId,
      labelIds: [...m.labelIds],
      ...(changed ? { changed } : {}),
    };
    this.history.push(r);
    m.historyId = r.id;
    return r;
  }

  live(): StoredMessage[] {
    return [...this.messages.values()].filter((m) => !m.deleted);
  }

  find(id: string): StoredMessage | undefined {
    const m = this.messages.get(id);
    return m && !m.deleted ? m : undefined;
  }

  threadExists(threadId: string): boolean {
    return this.live().some((m) => m.threadId === threadId);
  }

  /** The thread a message joins, by Gmail's three criteria; undefined starts a new one. */
  private threadFor(headers: Header[], requested: string | undefined): string | undefined {
    const refs = new Set([...messageIds(headerOf(headers, 'references')), ...messageIds(headerOf(headers, 'in-reply-to'))]);
    const subject = baseSubject(headerOf(headers, 'subject'));
    const matches = (m: StoredMessage) => refs.has(headerOf(m.headers, 'message-id') ?? '\0') && baseSubject(headerOf(m.headers, 'subject')) === subject;
    if (requested !== undefined) {
      if (!this.threadExists(requested)) fail(400, 'invalidArgument', 'Invalid thread_id value');
      return this.live().some((m) => m.threadId === requested && matches(m)) ? requested : undefined;
    }
    return this.live().find(matches)?.threadId;
  }

  /** `forceThread`: put it in opts.threadId whatever its headers say (a test's own control, not a Gmail rule). */
  add(raw: Buffer, opts: { threadId?: string; forceThread?: boolean; labelIds: string[]; origin: 'send' | 'inbound'; internalDate?: number }): StoredMessage {
    const id = hex16();
    let seq = 0;
    const tree = parsePart(raw, '', () => `ANGjdJ${id}_${seq++}${randomBytes(6).toString('base64url')}`);
    const threadId = (opts.forceThread && opts.threadId) || (this.threadFor(tree.headers, opts.threadId) ?? id);
    for (const l of opts.labelIds) this.knownLabels.add(l);
    const m: StoredMessage = {
      id,
      threadId,
      labelIds: [...new Set(opts.labelIds)],
      raw,
      internalDate: opts.internalDate ?? this.now().getTime(),
      historyId: 0,
      headers: tree.headers,
      tree,
      snippet: snippetOf(tree),
      deleted: false,
      origin: opts.origin,
    };
    this.messages.set(id, m);
    this.record('messageAdded', m);
    return m;
  }

  modifyLabels(id: string, add: string[] = [], remove: string[] = []): StoredMessage {
    const m = this.find(id);
    if (!m) throw new Error(`no message ${id}`);
    const added = add.filter((l) => !m.labelIds.includes(l));
    const removed = remove.filter((l) => m.labelIds.includes(l));
    for (const l of add) this.knownLabels.add(l);
    if (added.length) {
      m.labelIds.push(...added);
      this.record('labelAdded', m, added);
    }
    if (removed.length) {
      m.labelIds = m.labelIds.filter((l) => !removed.includes(l));
      this.record('labelRemoved', m, removed);
    }
    return m;
  }

  delete(id: string): void {
    const m = this.find(id);
    if (!m) throw new Error(`no message ${id}`);
    m.deleted = true;
    this.record('messageDeleted', m);
  }

  /** Every startHistoryId below `historyId` answers 404 from now on. */
  expireHistoryBefore(historyId: number): void {
    this.oldestValidStart = Math.max(this.oldestValidStart, historyId);
    for (let i = this.history.length - 1; i >= 0; i--) if (this.history[i]!.id <= historyId) this.history.splice(i, 1);
  }

  isKnownLabel(label: string): boolean {
    return this.knownLabels.has(label);
  }

  threadsTotal(): number {
    return new Set(this.live().map((m) => m.threadId)).size;
  }

  /** A message resource in the asked format. */
  render(m: StoredMessage, format: Format, metadataHeaders: string[] = []) {
    const base = {
      id: m.id,
      threadId: m.threadId,
      labelIds: [...m.labelIds],
      snippet: m.snippet,
      sizeEstimate: m.raw.length,
      historyId: String(m.historyId),
      internalDate: String(m.internalDate),
    };
    if (format === 'minimal') return base;
    if (format === 'raw') return { ...base, raw: m.raw.toString('base64url') + '='.repeat((4 - (m.raw.toString('base64url').length % 4)) % 4) };
    if (format === 'metadata') {
      const wanted = new Set(metadataHeaders.map((h) => h.toLowerCase()));
      const headers = wanted.size ? m.headers.filter((h) => wanted.has(h.name.toLowerCase())) : m.headers;
      return { ...base, payload: { mimeType: m.tree.mimeType, headers } };
    }
    return { ...base, payload: publicPart(m.tree) as MessagePart };
  }

  attachment(messageId: string, attachmentId: string): { size: number; data: string } | undefined {
    const m = this.find(messageId);
    if (!m) return undefined;
    for (const p of walk(m.tree)) if (p.body.attachmentId === attachmentId) return { size: p.decoded.length, data: p.decoded.toString('base64url') };
    return undefined;
  }

  /** Whether the message matches one supported search term (see SEARCH in index.ts). */
  matchesTerm(m: StoredMessage, key: string, value: string): boolean {
    const h = (name: string) => headerOf(m.headers, name) ?? '';
    const v = value.toLowerCase();
    switch (key) {
      case 'from':
        return v === 'me' ? addresses(h('from')).includes(this.accountEmail().toLowerCase()) : h('from').toLowerCase().includes(v);
      case 'to':
      case 'cc': {
        const field = h(key).toLowerCase();
        return v === 'me' ? addresses(field).includes(this.accountEmail().toLowerCase()) : field.includes(v);
      }
      case 'subject':
        return h('subject').toLowerCase().includes(v);
      case 'rfc822msgid':
        return h('message-id').toLowerCase().replace(/[<>]/g, '') === v.replace(/[<>]/g, '');
      case 'label':
        return m.labelIds.some((l) => l.toLowerCase() === v);
      case 'in':
        return v === 'anywhere' || m.labelIds.some((l) => l.toLowerCase() === v);
      case 'is':
        return v === 'unread'
          ? m.labelIds.includes('UNREAD')
          : v === 'read'
            ? !m.labelIds.includes('UNREAD')
            : v === 'starred'
              ? m.labelIds.includes('STARRED')
              : false;
      case 'after':
      case 'before':
      case 'newer_than':
      case 'older_than': {
        let at: number;
        if (key === 'after' || key === 'before') {
          // YYYY/MM/DD is midnight Pacific time in Gmail; a bare number is seconds since the epoch.
          const d = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(value);
          at = d ? Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), 8) : Number(value) * 1000;
        } else {
          const d = /^(\d+)([dmy])$/.exec(value)!;
          const days = Number(d[1]) * (d[2] === 'd' ? 1 : d[2] === 'm' ? 30 : 365);
          at = this.now().getTime() - days * 86_400_000;
        }
        return key === 'after' || key === 'newer_than' ? m.internalDate > at : m.internalDate < at;
      }
      default:
        return false;
    }
  }
}

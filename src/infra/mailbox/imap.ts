import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { MailboxAuthError, type FetchedHeader, type MailSource } from '../../app/mailbox/ports.ts';
import type { ImapConfig } from './config.ts';

/** What imapflow throws when the server refuses the login (a NO to LOGIN / AUTHENTICATE). */
const isAuthFailure = (e: unknown) => typeof e === 'object' && e !== null && (e as { authenticationFailed?: unknown }).authenticationFailed === true;

export type ImapMailbox = {
  source: MailSource;
  /**
   * Waits in IDLE on INBOX for new mail, at most `ms` (a server without IDLE, or a dropped
   * connection, is a plain wait: the next pass polls). 'mail' when a message arrived.
   */
  waitForMail(ms: number, signal?: AbortSignal): Promise<'mail' | 'timeout'>;
  /** Files a copy of a message we sent in the folder marked \Sent, unless one with its Message-ID is there already. */
  appendSent(raw: Buffer, messageId: string): Promise<'appended' | 'present' | 'no-sent-folder'>;
  /** Whether the connection is in IDLE now. */
  readonly idling: boolean;
  close(): Promise<void>;
};

/**
 * The seeker's mailbox over IMAP with imapflow: one connection, reopened when it drops, INBOX
 * examined read-only (nothing is marked as read), headers and bodies fetched with BODY.PEEK.
 */
export function imapMailbox(config: ImapConfig, opts: { connectTimeoutMs?: number } = {}): ImapMailbox {
  let client: ImapFlow | null = null;
  let arrived = false;
  const options: ImapFlowOptions = {
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: { user: config.user, pass: config.pass },
    tls: { rejectUnauthorized: config.rejectUnauthorized },
    logger: false,
    disableAutoIdle: true,
    // Some servers drop a session that idles too long; restarting IDLE keeps it alive.
    maxIdleTime: 5 * 60_000,
    connectionTimeout: opts.connectTimeoutMs ?? 30_000,
    greetingTimeout: opts.connectTimeoutMs ?? 30_000,
  };

  async function connected(): Promise<ImapFlow> {
    if (client?.usable) return client;
    client?.close();
    const c = new ImapFlow(options);
    // A dropped connection surfaces as a failed command; the next pass reconnects.
    c.on('error', () => {});
    c.on('exists', () => {
      arrived = true;
    });
    try {
      await c.connect();
    } catch (e) {
      c.close();
      if (isAuthFailure(e)) throw new MailboxAuthError(`the IMAP server refused the user and password in IMAP_URL (${config.description})`, 'auth-failed');
      throw e;
    }
    client = c;
    return c;
  }

  const source: MailSource = {
    provider: 'imap',
    async open() {
      const c = await connected();
      arrived = false;
      const box = await c.mailboxOpen('INBOX', { readOnly: true });
      return { uidValidity: box.uidValidity.toString(), uidNext: box.uidNext };
    },
    async uidsAfter(afterUid, since) {
      const c = await connected();
      const found = await c.search({ uid: `${afterUid + 1}:*`, ...(since ? { since } : {}) }, { uid: true });
      // "n:*" also names the highest UID when it is below n (RFC 3501 6.4.8).
      return (found || []).filter((u) => u > afterUid).sort((a, b) => a - b);
    },
    async headers(uids): Promise<FetchedHeader[]> {
      if (uids.length === 0) return [];
      const c = await connected();
      const out: FetchedHeader[] = [];
      for await (const m of c.fetch(uids.join(','), { uid: true, headers: true, internalDate: true }, { uid: true })) {
        if (!m.headers) continue;
        const date = m.internalDate ? new Date(m.internalDate) : undefined;
        out.push({ uid: m.uid, header: m.headers, internalDate: date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined });
      }
      return out.sort((a, b) => a.uid - b.uid);
    },
    async bodies(uids) {
      const out = new Map<number, Buffer>();
      if (uids.length === 0) return out;
      const c = await connected();
      for await (const m of c.fetch(uids.join(','), { uid: true, source: true }, { uid: true })) if (m.source) out.set(m.uid, m.source);
      return out;
    },
  };

  return {
    source,
    get idling() {
      return client?.idling ?? false;
    },
    async waitForMail(ms, signal) {
      if (arrived) return 'mail';
      const c = client;
      if (!c?.usable || signal?.aborted) return sleep(ms, signal);
      return new Promise((resolve) => {
        const done = (why: 'mail' | 'timeout') => {
          clearTimeout(timer);
          c.off('exists', onMail);
          c.off('close', onClose);
          signal?.removeEventListener('abort', onClose);
          resolve(why);
        };
        const onMail = () => done('mail');
        const onClose = () => done('timeout');
        const timer = setTimeout(() => done('timeout'), ms);
        c.on('exists', onMail);
        c.on('close', onClose);
        signal?.addEventListener('abort', onClose, { once: true });
        // IDLE ends by itself with the next command; a server without it answers NOOPs instead.
        c.idle().catch(() => {});
      });
    },
    async appendSent(raw, messageId) {
      const c = await connected();
      const sent = (await c.list()).find((m) => m.specialUse === '\\Sent');
      if (!sent) return 'no-sent-folder';
      const lock = await c.getMailboxLock(sent.path);
      try {
        const found = await c.search({ header: { 'message-id': messageId } }, { uid: true });
        if (found && found.length > 0) return 'present';
      } finally {
        lock.release();
      }
      await c.append(sent.path, raw, ['\\Seen']);
      return 'appended';
    },
    async close() {
      const c = client;
      client = null;
      if (c?.usable) await c.logout().catch(() => c.close());
      else c?.close();
    },
  };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve('timeout');
      },
      { once: true },
    );
  });

import type { InboundHeaders, InboundMessage } from '../../domain/inbound-mail.ts';

export type MailProvider = 'imap' | 'gmail';

/** A message's header block as fetched, with when the server received it. */
export type FetchedHeader = { uid: number; header: Buffer; internalDate?: string | undefined };

/**
 * The seeker's INBOX as the reader sees it: UIDs under a UIDVALIDITY (RFC 3501). Nothing past the
 * headers is fetched unless asked for by UID, and nothing is marked as read.
 */
export interface MailSource {
  readonly provider: MailProvider;
  /** Selects INBOX: its UIDVALIDITY (as a string, it can exceed 2^53 elsewhere) and next UID. */
  open(): Promise<{ uidValidity: string; uidNext: number }>;
  /** UIDs above `afterUid`, of messages received since `since` when given, ascending. */
  uidsAfter(afterUid: number, since: Date | null): Promise<number[]>;
  headers(uids: number[]): Promise<FetchedHeader[]>;
  /** Whole messages by UID (only those that concern us). */
  bodies(uids: number[]): Promise<Map<number, Buffer>>;
}

/** Raw RFC 5322 into the domain's types (infra/mailbox/parse-inbound.ts). */
export interface MailParser {
  headers(raw: Buffer): Promise<InboundHeaders>;
  message(raw: Buffer): Promise<InboundMessage>;
}

/** Where the reader resumes: the INBOX numbering it last read and the highest UID it finished. */
export type MailboxCheckpoint = { uidValidity: string; lastUid: number /** Gmail: where history.list resumes. */; historyId?: string };

/** The seeker's Gmail as the reader sees it: history since a historyId, and a bounded scan when it expired. */
export interface GmailSource {
  readonly provider: 'gmail';
  /** The mailbox's current historyId (taken before a scan, so nothing arriving meanwhile is missed). */
  currentHistoryId(): Promise<string>;
  /** Ids of messages added to INBOX since, and the historyId to resume from; 'expired' when Gmail no longer has that history (404). */
  addedSince(historyId: string): Promise<{ ids: string[]; historyId: string } | 'expired'>;
  /** INBOX messages received after a date, at most `max`. */
  recent(after: Date, max: number): Promise<string[]>;
  headers(ids: string[]): Promise<{ key: string; header: Buffer; internalDate?: string | undefined }[]>;
  bodies(ids: string[]): Promise<Map<string, Buffer>>;
}

/** What `outreach mailbox status` shows. */
export type MailboxStatus = {
  provider: MailProvider;
  lastSyncAt?: string;
  /** Messages that concerned us (in our threads or from a contact), over every pass. */
  matched: number;
  /** Of those, the ones that recorded something. */
  recorded: number;
  lastError?: string;
  lastErrorAt?: string;
  /** Set when the mailbox refused the credentials: the worker stopped reading. */
  disconnected?: boolean;
};

/** The checkpoint and the status, per workspace: derived state (losing it costs one bounded re-read). */
export interface MailboxState {
  checkpoint(workspaceId: string): Promise<MailboxCheckpoint | null>;
  saveCheckpoint(workspaceId: string, checkpoint: MailboxCheckpoint): Promise<void>;
  status(workspaceId: string): Promise<MailboxStatus | null>;
  saveStatus(workspaceId: string, status: MailboxStatus): Promise<void>;
}

/** A source's failure that no retry can fix: the password was refused, the grant revoked. */
export class MailboxAuthError extends Error {
  readonly reason: 'auth-failed' | 'revoked';
  constructor(message: string, reason: 'auth-failed' | 'revoked' = 'auth-failed', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailboxAuthError';
    this.reason = reason;
  }
}

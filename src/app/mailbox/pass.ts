import { decideWorkspace } from '../../domain/workspace.ts';
import { workspaceAggregate } from '../aggregates.ts';
import { execute } from '../handle.ts';
import { MailboxAuthError, type MailboxStatus } from './ports.ts';
import type { MailProvider } from './ports.ts';
import { syncMailbox, type ReadDeps, type SyncDeps, type SyncResult } from './sync.ts';

export type PassOutcome = { ok: true; result: SyncResult } | { ok: false; disconnected: boolean; error: string };

const CODES: Record<string, string> = {
  ECONNREFUSED: 'the mail server refused the connection (is IMAP_URL the right host and port?)',
  ENOTFOUND: 'the mail server’s name does not resolve (check the host in IMAP_URL)',
  ETIMEDOUT: 'the mail server did not answer in time',
  ECONNRESET: 'the connection to the mail server was reset',
  NoConnection: 'the connection to the mail server dropped while reading; the next pass reads on from the last message finished',
  CERT_HAS_EXPIRED: 'the mail server’s TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the mail server’s TLS certificate is self-signed (IMAP_TLS_REJECT_UNAUTHORIZED=false accepts it)',
};

/** A failure in words for the seeker: what went wrong and what to do, never a credential. */
export function mailboxErrorWords(e: unknown): string {
  if (e instanceof MailboxAuthError) return `${e.message}: fix the credentials and restart the worker`;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && CODES[code]) return CODES[code]!;
  const text = e instanceof Error ? e.message : String(e);
  return `reading the mailbox failed: ${text.replace(/\/\/[^@\s/]*@/g, '//***@').slice(0, 300)}`;
}

/**
 * One pass of the reader with its bookkeeping: the status `outreach mailbox status` shows, and the
 * workspace's MailboxConnected / MailboxDisconnected when the credentials start or stop working.
 * A refused password is reported once and ends reading; anything else is retried by the caller.
 */
export const mailboxPass = (deps: SyncDeps): Promise<PassOutcome> => readingPass(deps, deps.source.provider, () => syncMailbox(deps));

/** A pass of any provider's reader (`sync`), with the bookkeeping above. */
export async function readingPass(deps: ReadDeps, provider: MailProvider, sync: () => Promise<SyncResult>): Promise<PassOutcome> {
  const ctx = { store: deps.store, clock: deps.clock, workspaceId: deps.workspaceId, actor: 'worker:mailbox' };
  const before: MailboxStatus = (await deps.state.status(deps.workspaceId)) ?? { provider, matched: 0, recorded: 0 };
  try {
    const result = await sync();
    const { lastError: _e, lastErrorAt: _a, disconnected: _d, ...kept } = before;
    await deps.state.saveStatus(deps.workspaceId, {
      ...kept,
      provider,
      lastSyncAt: deps.clock(),
      matched: before.matched + result.matched,
      recorded: before.recorded + result.recorded,
    });
    await execute(ctx, workspaceAggregate, deps.workspaceId, ({ state }) =>
      state.configured ? decideWorkspace({ type: 'ConnectMailbox', provider, now: deps.clock() }, state) : [],
    );
    return { ok: true, result };
  } catch (e) {
    const error = mailboxErrorWords(e);
    const disconnected = e instanceof MailboxAuthError;
    await deps.state.saveStatus(deps.workspaceId, {
      ...before,
      provider,
      lastError: error,
      lastErrorAt: deps.clock(),
      ...(disconnected ? { disconnected } : {}),
    });
    if (e instanceof MailboxAuthError) {
      const reason = e.reason;
      await execute(ctx, workspaceAggregate, deps.workspaceId, ({ state }) =>
        state.configured ? decideWorkspace({ type: 'DisconnectMailbox', provider, reason, now: deps.clock() }, state) : [],
      );
    }
    return { ok: false, disconnected, error };
  }
}

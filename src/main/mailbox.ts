import type { Log } from '../app/log.ts';
import { KnownIndex } from '../app/mailbox/known-index.ts';
import { mailboxPass } from '../app/mailbox/pass.ts';
import { mailboxConfigFrom, type MailboxConfig } from '../infra/mailbox/config.ts';
import { imapMailbox, type ImapMailbox } from '../infra/mailbox/imap.ts';
import { mailParser } from '../infra/mailbox/parse-inbound.ts';
import { redisMailboxState } from '../infra/mailbox/redis-state.ts';
import { startMailboxWorker } from '../../workers/mailbox.ts';
import type { Runtime } from './runtime.ts';

export type MailboxWiring = { config: MailboxConfig & { imap: NonNullable<MailboxConfig['imap']> }; imap: ImapMailbox };

/** The mailbox reader's parts, or null when no mailbox is configured (IMAP_URL unset). Bad settings fail here, before anything starts. */
export function mailboxWiringFrom(env: NodeJS.ProcessEnv): MailboxWiring | null {
  const config = mailboxConfigFrom(env);
  if (!config.imap) return null;
  return { config: { ...config, imap: config.imap }, imap: imapMailbox(config.imap) };
}

export function mailboxWorker(rt: Pick<Runtime, 'store' | 'clock' | 'config' | 'producer' | 'prefix'>, wiring: MailboxWiring, log: Log) {
  const { imap, config } = wiring;
  // The login is often the seeker's address: their own mail (a copy of ours in "All Mail") is not a reply.
  const index = new KnownIndex(rt.config.workspaceId, config.imap.user.includes('@') ? [config.imap.user] : []);
  const deps = {
    store: rt.store,
    clock: rt.clock,
    workspaceId: rt.config.workspaceId,
    source: imap.source,
    parser: mailParser,
    state: redisMailboxState(rt.producer, rt.prefix),
    index,
  };
  log.info({ provider: 'imap', mailbox: config.imap.description, pollMs: config.pollMs }, 'mailbox');
  return startMailboxWorker({
    pass: () => mailboxPass(deps),
    waitForMail: (ms, signal) => imap.waitForMail(ms, signal),
    pollMs: config.pollMs,
    log,
    close: () => imap.close(),
  });
}

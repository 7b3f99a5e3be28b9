import type { Log } from '../app/log.ts';
import { KnownIndex } from '../app/mailbox/known-index.ts';
import { mailboxPass } from '../app/mailbox/pass.ts';
import { mailboxConfigFrom, type MailboxConfig } from '../infra/mailbox/config.ts';
import { imapMailbox, type ImapMailbox } from '../infra/mailbox/imap.ts';
import { mailParser } from '../infra/mailbox/parse-inbound.ts';
import { redisMailboxState } from '../infra/mailbox/redis-state.ts';
import { queuePrefixFrom } from '../infra/queue/names.ts';
import { createRedis, ensureReachable, redisUrlFrom } from '../infra/redis.ts';
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

/** What `outreach mailbox status` shows: the configuration (password masked) and the reader's last status. */
export async function mailboxStatus(env: NodeJS.ProcessEnv, workspaceId: string) {
  const config = mailboxConfigFrom(env);
  const base = { transport: config.transport, mailbox: config.imap?.description ?? null, provider: config.imap ? ('imap' as const) : null };
  if (!config.imap) return { ...base, status: null };
  const url = redisUrlFrom(env);
  const redis = createRedis(url, 'producer');
  try {
    await ensureReachable(redis, url);
    const status = await redisMailboxState(redis, queuePrefixFrom(env)).status(workspaceId);
    return { ...base, status };
  } finally {
    redis.disconnect();
  }
}

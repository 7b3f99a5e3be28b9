import type { Log } from '../app/log.ts';
import { syncGmail } from '../app/mailbox/gmail-sync.ts';
import { KnownIndex } from '../app/mailbox/known-index.ts';
import { mailboxPass, readingPass } from '../app/mailbox/pass.ts';
import { mailboxConfigFrom, type ImapConfig, type MailboxConfig } from '../infra/mailbox/config.ts';
import { gmailSource } from '../infra/mailbox/gmail.ts';
import { imapMailbox, type ImapMailbox } from '../infra/mailbox/imap.ts';
import { mailParser } from '../infra/mailbox/parse-inbound.ts';
import { redisMailboxState } from '../infra/mailbox/redis-state.ts';
import { queuePrefixFrom } from '../infra/queue/names.ts';
import { createRedis, ensureReachable, redisUrlFrom } from '../infra/redis.ts';
import { startMailboxWorker } from '../../workers/mailbox.ts';
import type { Config } from './config.ts';
import { gmailAccess, type GmailAccess } from './gmail.ts';
import type { Runtime } from './runtime.ts';

export type MailboxWiring =
  | { kind: 'imap'; config: MailboxConfig; imap: ImapMailbox; imapConfig: ImapConfig }
  | { kind: 'gmail'; config: MailboxConfig; gmail: GmailAccess };

/**
 * The mailbox reader's parts, or null when no mailbox is configured: IMAP_URL, else a Gmail grant
 * with gmail.readonly. Bad settings fail here, before anything starts.
 */
export function mailboxWiringFrom(env: NodeJS.ProcessEnv, config?: Pick<Config, 'dataDir' | 'workspaceId'>): MailboxWiring | null {
  const mc = mailboxConfigFrom(env);
  if (mc.imap) return { kind: 'imap', config: mc, imap: imapMailbox(mc.imap), imapConfig: mc.imap };
  const gmail = config ? gmailAccess(config, env) : null;
  return gmail?.read ? { kind: 'gmail', config: mc, gmail } : null;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve('timeout')), { once: true });
  });

export function mailboxWorker(rt: Pick<Runtime, 'store' | 'clock' | 'config' | 'producer' | 'prefix'>, wiring: MailboxWiring, log: Log) {
  const login = wiring.kind === 'imap' ? wiring.imapConfig.user : wiring.gmail.account;
  // The login is often the seeker's address: their own mail (a copy of ours in "All Mail") is not a reply.
  const index = new KnownIndex(rt.config.workspaceId, login.includes('@') ? [login] : []);
  const deps = {
    store: rt.store,
    clock: rt.clock,
    workspaceId: rt.config.workspaceId,
    parser: mailParser,
    state: redisMailboxState(rt.producer, rt.prefix),
    index,
  };
  const pollMs = wiring.config.pollMs;
  if (wiring.kind === 'gmail') {
    const gmail = gmailSource(wiring.gmail.client);
    log.info({ provider: 'gmail', pollMs }, 'mailbox');
    return startMailboxWorker({
      pass: () => readingPass(deps, 'gmail', () => syncGmail({ ...deps, gmail })),
      waitForMail: sleep,
      pollMs,
      log,
      close: async () => {},
    });
  }
  const { imap } = wiring;
  log.info({ provider: 'imap', mailbox: wiring.imapConfig.description, pollMs }, 'mailbox');
  return startMailboxWorker({
    pass: () => mailboxPass({ ...deps, source: imap.source }),
    waitForMail: (ms, signal) => imap.waitForMail(ms, signal),
    pollMs,
    log,
    close: () => imap.close(),
  });
}

/** What `outreach mailbox status` shows: the configuration (password masked) and the reader's last status. */
export async function mailboxStatus(env: NodeJS.ProcessEnv, config: Pick<Config, 'dataDir' | 'workspaceId'>) {
  const mc = mailboxConfigFrom(env);
  const gmail = mc.imap ? null : gmailAccess(config, env);
  const provider = mc.imap ? ('imap' as const) : gmail?.read ? ('gmail' as const) : null;
  const mailbox = mc.imap?.description ?? (provider === 'gmail' ? `gmail ${gmail!.account}` : null);
  const base = { transport: mc.transport, mailbox, provider };
  if (!provider) return { ...base, status: null };
  const url = redisUrlFrom(env);
  const redis = createRedis(url, 'producer');
  try {
    await ensureReachable(redis, url);
    const status = await redisMailboxState(redis, queuePrefixFrom(env)).status(config.workspaceId);
    return { ...base, status };
  } finally {
    redis.disconnect();
  }
}

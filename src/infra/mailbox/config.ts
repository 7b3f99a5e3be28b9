import { OutreachError } from '../../domain/errors.ts';

export type ImapConfig = {
  host: string;
  port: number;
  /** imaps:// (TLS from the start); imap:// upgrades with STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  pass: string;
  rejectUnauthorized: boolean;
  /** For logs and status: the URL with its password masked. */
  description: string;
};

export type MailboxConfig = {
  /** How mail goes out: the outbox folder, SMTP_URL, or the Gmail API. */
  transport: 'outbox' | 'smtp' | 'gmail';
  /** IMAP_URL, when the seeker's mailbox is read over IMAP. */
  imap?: ImapConfig | undefined;
  /** How long a pass waits for new mail (IDLE, else a plain wait) before reading again. */
  pollMs: number;
};

type Env = Record<string, string | undefined>;
const configError = (variable: string, message: string) => new OutreachError('config', `${variable}: ${message}`, { field: variable });
const value = (env: Env, name: string) => env[name]?.trim() || undefined;

/** IMAP_URL as `imap[s]://user:password@host:port`, credentials URL-encoded as in SMTP_URL. Never echoed with its password. */
export function imapConfigFrom(raw: string, env: Env = {}): ImapConfig {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError('IMAP_URL', 'must be a URL such as imaps://user:password@imap.example.com:993');
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:') throw configError('IMAP_URL', `must start with imap:// or imaps://, not ${url.protocol}//`);
  if (!url.hostname) throw configError('IMAP_URL', 'names no host');
  if (!url.username || !url.password) throw configError('IMAP_URL', 'must carry the user and the password (imaps://user:password@host)');
  const secure = url.protocol === 'imaps:';
  const port = url.port ? Number(url.port) : secure ? 993 : 143;
  const rejectRaw = value(env, 'IMAP_TLS_REJECT_UNAUTHORIZED')?.toLowerCase();
  if (rejectRaw !== undefined && !['true', 'false', '1', '0', 'yes', 'no'].includes(rejectRaw))
    throw configError('IMAP_TLS_REJECT_UNAUTHORIZED', `must be true or false, not ${JSON.stringify(rejectRaw)}`);
  const masked = new URL(url.toString());
  masked.password = '***';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    secure,
    user: decodeURIComponent(url.username),
    pass: decodeURIComponent(url.password),
    rejectUnauthorized: !(rejectRaw === 'false' || rejectRaw === '0' || rejectRaw === 'no'),
    description: masked.toString(),
  };
}

/** MAIL_TRANSPORT (default: smtp when SMTP_URL is set, else outbox), IMAP_URL and IMAP_POLL_MS from the environment. */
export function mailboxConfigFrom(env: Env): MailboxConfig {
  const chosen = value(env, 'MAIL_TRANSPORT')?.toLowerCase();
  if (chosen !== undefined && !['outbox', 'smtp', 'gmail'].includes(chosen))
    throw configError('MAIL_TRANSPORT', `must be outbox, smtp or gmail, not ${JSON.stringify(chosen)}`);
  const transport = (chosen ?? (value(env, 'SMTP_URL') ? 'smtp' : 'outbox')) as MailboxConfig['transport'];
  if (transport === 'smtp' && !value(env, 'SMTP_URL')) throw configError('SMTP_URL', 'must be set when MAIL_TRANSPORT=smtp');
  const imapUrl = value(env, 'IMAP_URL');
  const pollRaw = value(env, 'IMAP_POLL_MS');
  const pollMs = pollRaw === undefined ? 60_000 : /^\d+$/.test(pollRaw) ? Number(pollRaw) : NaN;
  if (!(pollMs >= 200 && pollMs <= 3_600_000))
    throw configError('IMAP_POLL_MS', `must be a whole number of milliseconds from 200 to 3600000, not ${JSON.stringify(pollRaw)}`);
  return { transport, ...(imapUrl ? { imap: imapConfigFrom(imapUrl, env) } : {}), pollMs };
}

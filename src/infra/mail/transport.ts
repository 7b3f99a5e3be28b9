import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, access, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { OutreachError } from '../../domain/errors.ts';

export type DkimConfig = { domainName: string; keySelector: string; privateKey: string };
export type OutboxTransportConfig = { kind: 'outbox'; dir: string; dkim?: DkimConfig | undefined };
export type SmtpTransportConfig = {
  kind: 'smtp';
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS from the start). */
  url: string;
  pool?: { maxConnections: number; maxMessages?: number | undefined } | undefined;
  /** Times the pool re-sends a message whose connection dropped mid-send before it fails the send. */
  maxRequeues?: number | undefined;
  tls?: { rejectUnauthorized?: boolean | undefined } | undefined;
  dkim?: DkimConfig | undefined;
  timeouts?: { connectionMs?: number; greetingMs?: number; socketMs?: number } | undefined;
};
/** Gmail's API: the transport is made with the connected account's client (src/main/email.ts). */
export type GmailTransportConfig = { kind: 'gmail'; dkim?: DkimConfig | undefined };
export type MailTransportConfig = OutboxTransportConfig | SmtpTransportConfig | GmailTransportConfig;

export type SendResult = {
  messageId: string;
  accepted: string[];
  rejected: string[];
  response: string;
  /** The .eml written, for the outbox. */
  file?: string;
};

export interface MailTransport {
  readonly kind: MailTransportConfig['kind'];
  /** For logs: never contains a password. */
  readonly description: string;
  /** Rejects with nodemailer's error as is (responseCode, command, code), for classifySendError. */
  /** `about`: the contact the message concerns, so that forgetting them can find its local copy. */
  send(message: SendMailOptions, opts?: { about?: string }): Promise<SendResult>;
  /** Where copies are kept on disk (the outbox folder); none for SMTP. */
  readonly folder?: string;
  /** Outbox: the folder is writable. SMTP: connects (and logs in) once. */
  verify(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_REQUEUES = 2;
export const DEFAULT_POOL_SIZE = 5;
/**
 * Messages a pooled connection carries before the pool replaces it (nodemailer's default is 100).
 * A replacement costs a TCP (and TLS) handshake, the login and the server's greeting delay (often
 * 100 ms or more, deliberately), and a message waiting for it sees that latency: at 100 a
 * connection, a busy worker pays it every few hundred sends. Higher means fewer of those pauses;
 * the price is longer-lived connections: a provider's per-connection limits and any state it keeps
 * per session last longer, and load is spread over its servers less often. A server that ends a
 * session itself (a 421, a closed socket) is handled either way: the pool opens a new connection
 * and re-sends what was in flight (maxRequeues). 1000 keeps a replacement rare without pinning a
 * connection forever.
 */
export const DEFAULT_POOL_MAX_MESSAGES = 1000;

const SECRET_PARAM = /pass|secret|token|key|auth/i;

/** A one-line description for logs and `outreach worker` output, with every credential masked. */
export function describeTransport(config: MailTransportConfig): string {
  const dkim = config.dkim ? `, DKIM d=${config.dkim.domainName} s=${config.dkim.keySelector}` : '';
  if (config.kind === 'outbox') return `outbox ${config.dir}${dkim}`;
  if (config.kind === 'gmail') return 'gmail (users.messages.send)';
  let where: string;
  try {
    const url = new URL(config.url);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) if (SECRET_PARAM.test(key)) url.searchParams.set(key, '***');
    where = url.toString();
  } catch {
    where = '(unparseable SMTP_URL)';
  }
  const size = config.pool?.maxConnections ?? DEFAULT_POOL_SIZE;
  const verifyTls = config.tls?.rejectUnauthorized === false ? 'off' : 'on';
  return `smtp ${where} (pool ${size}, requeues ${config.maxRequeues ?? DEFAULT_MAX_REQUEUES}, TLS verification ${verifyTls}${dkim})`;
}

/**
 * Message-ID → file name: readable, unique per id, and nothing that could climb out of the folder.
 * Mail about a contact starts with their id, which is how forgetting them finds it.
 */
export const outboxFileName = (messageId: string, about?: string): string => {
  const bare = messageId.replace(/^<|>$/g, '');
  const safe = bare
    .replace(/[^A-Za-z0-9._@+-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 200);
  const owner = about && /^[A-Za-z0-9-]{1,64}$/.test(about) ? `${about}${ABOUT_SEPARATOR}` : '';
  return `${owner}${safe || 'message'}.eml`;
};
export const ABOUT_SEPARATOR = '--';

const addresses = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((a) => (typeof a === 'string' ? a : String((a as { address?: unknown }).address ?? a))) : [];

const dkimOptions = (dkim: DkimConfig | undefined) =>
  dkim ? { dkim: { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey: dkim.privateKey } } : {};

/** Write-then-rename: a reader never sees half a message, and the same Message-ID replaces its file. */
async function writeAtomically(dir: string, name: string, data: Buffer): Promise<string> {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomUUID()}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return target;
}

function createOutbox(config: OutboxTransportConfig): MailTransport {
  const dir = resolve(config.dir);
  const transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
    disableFileAccess: true,
    disableUrlAccess: true,
    ...dkimOptions(config.dkim),
  });
  let ready: Promise<unknown> | undefined;
  const ensureDir = () => (ready ??= mkdir(dir, { recursive: true, mode: 0o700 }));
  return {
    kind: 'outbox',
    description: describeTransport(config),
    folder: dir,
    async send(message, opts) {
      await ensureDir();
      const info = await transporter.sendMail(message);
      const file = await writeAtomically(dir, outboxFileName(info.messageId, opts?.about), info.message as Buffer);
      const accepted = addresses(info.envelope.to);
      return { messageId: info.messageId, accepted, rejected: [], response: `written to ${file}`, file };
    },
    async verify() {
      try {
        await ensureDir();
        await access(dir, constants.W_OK);
      } catch (e) {
        ready = undefined;
        throw new OutreachError('config', `outbox folder ${dir} is not writable: ${(e as Error).message}`, { field: 'OUTREACH_DATA_DIR', cause: e });
      }
    },
    async close() {
      transporter.close();
    },
  };
}

function createSmtp(config: SmtpTransportConfig): MailTransport {
  const transporter = nodemailer.createTransport({
    pool: true,
    url: config.url,
    maxConnections: config.pool?.maxConnections ?? DEFAULT_POOL_SIZE,
    maxMessages: config.pool?.maxMessages ?? DEFAULT_POOL_MAX_MESSAGES,
    maxRequeues: config.maxRequeues ?? DEFAULT_MAX_REQUEUES,
    connectionTimeout: config.timeouts?.connectionMs ?? 15_000,
    greetingTimeout: config.timeouts?.greetingMs ?? 15_000,
    socketTimeout: config.timeouts?.socketMs ?? 60_000,
    tls: { rejectUnauthorized: config.tls?.rejectUnauthorized ?? true },
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    ...dkimOptions(config.dkim),
  });
  return {
    kind: 'smtp',
    description: describeTransport(config),
    async send(message) {
      const info = await transporter.sendMail(message);
      return { messageId: info.messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected), response: info.response };
    },
    async verify() {
      await transporter.verify();
    },
    async close() {
      transporter.close();
    },
  };
}

export function createMailTransport(config: OutboxTransportConfig | SmtpTransportConfig): MailTransport {
  return config.kind === 'outbox' ? createOutbox(config) : createSmtp(config);
}

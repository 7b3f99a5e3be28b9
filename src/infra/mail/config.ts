import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OutreachError } from '../../domain/errors.ts';
import { checkPublicUrl } from '../crypto/unsubscribe-token.ts';
import { DEFAULT_MAX_REQUEUES, DEFAULT_POOL_SIZE, type DkimConfig, type MailTransportConfig } from './transport.ts';

export { describeTransport } from './transport.ts';

export type MailConfig = {
  transport: MailTransportConfig;
  /** OUTREACH_PUBLIC_URL without a trailing slash; unset means no unsubscribe links can be made. */
  publicUrl: string | undefined;
  /** OUTREACH_MESSAGE_DOMAIN; unset means the caller uses the owner's email domain. */
  messageDomain: string | undefined;
};

type Env = Record<string, string | undefined>;
const configError = (variable: string, message: string, cause?: unknown) =>
  new OutreachError('config', `${variable}: ${message}`, { field: variable, ...(cause === undefined ? {} : { cause }) });

const value = (env: Env, name: string) => {
  const v = env[name]?.trim();
  return v ? v : undefined;
};

function wholeNumber(env: Env, name: string, min: number, max: number): number | undefined {
  const v = value(env, name);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw configError(name, `must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return n;
}

function bool(env: Env, name: string): boolean | undefined {
  const v = value(env, name)?.toLowerCase();
  if (v === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw configError(name, `must be true or false, not ${JSON.stringify(v)}`);
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function dkimFrom(env: Env): DkimConfig | undefined {
  const domainName = value(env, 'DKIM_DOMAIN');
  const keySelector = value(env, 'DKIM_SELECTOR');
  const inline = env['DKIM_PRIVATE_KEY']?.trim() || undefined;
  const file = value(env, 'DKIM_PRIVATE_KEY_FILE');
  if (!domainName && !keySelector && !inline && !file) return undefined;
  if (inline && file) throw configError('DKIM_PRIVATE_KEY', 'set DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE, not both');
  const missing = [!domainName && 'DKIM_DOMAIN', !keySelector && 'DKIM_SELECTOR', !inline && !file && 'DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE)'].filter(
    Boolean,
  );
  if (missing.length > 0)
    throw configError(
      String(missing[0]).split(' ')[0]!,
      `DKIM signing needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE; missing ${missing.join(', ')}`,
    );
  if (!HOST.test(domainName!)) throw configError('DKIM_DOMAIN', `${JSON.stringify(domainName)} is not a domain name`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(keySelector!)) throw configError('DKIM_SELECTOR', `${JSON.stringify(keySelector)} is not a DNS label`);
  let privateKey: string;
  const keyVar = file ? 'DKIM_PRIVATE_KEY_FILE' : 'DKIM_PRIVATE_KEY';
  if (file) {
    try {
      privateKey = readFileSync(resolve(file), 'utf8');
    } catch (e) {
      throw configError('DKIM_PRIVATE_KEY_FILE', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, e);
    }
  } else {
    // .env files and CI secrets often carry a PEM with literal "\n" for its line breaks.
    privateKey = inline!.replace(/\\n/g, '\n');
  }
  try {
    createPrivateKey(privateKey);
  } catch (e) {
    // The key's text stays out of the message: it is a secret.
    throw configError(keyVar, 'is not a PEM private key (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)', e);
  }
  return { domainName: domainName!.toLowerCase(), keySelector: keySelector!, privateKey };
}

/**
 * Mail settings from the environment. SMTP_URL unset → the outbox folder `${dataDir}/outbox`,
 * which needs no account. Every error names the variable to fix and never echoes a secret.
 * Also read: SMTP_MAX_REQUEUES (default 2), beside the variables the issue lists.
 */
export function mailConfigFrom(env: Env, dataDir: string): MailConfig {
  const dkim = dkimFrom(env);
  const smtpUrl = value(env, 'SMTP_URL');
  const chosen = value(env, 'MAIL_TRANSPORT')?.toLowerCase();
  if (chosen !== undefined && chosen !== 'outbox' && chosen !== 'smtp' && chosen !== 'gmail')
    throw configError('MAIL_TRANSPORT', `must be outbox, smtp or gmail, not ${JSON.stringify(chosen)}`);
  if (chosen === 'smtp' && !smtpUrl) throw configError('SMTP_URL', 'must be set when MAIL_TRANSPORT=smtp (smtp://user:password@smtp.example.com:587)');
  let transport: MailTransportConfig;
  // MAIL_TRANSPORT=outbox keeps mail in the folder even when SMTP_URL is set (a rehearsal).
  if (chosen === 'gmail') {
    transport = { kind: 'gmail', ...(dkim ? { dkim } : {}) };
  } else if (!smtpUrl || chosen === 'outbox') {
    transport = { kind: 'outbox', dir: join(resolve(dataDir), 'outbox'), ...(dkim ? { dkim } : {}) };
  } else {
    let url: URL;
    try {
      url = new URL(smtpUrl);
    } catch {
      throw configError('SMTP_URL', 'must be a URL such as smtp://user:password@smtp.example.com:587 or smtps://…:465');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw configError('SMTP_URL', `must start with smtp:// or smtps://, not ${url.protocol}//`);
    if (!url.hostname) throw configError('SMTP_URL', 'names no host');
    const maxConnections = wholeNumber(env, 'SMTP_POOL_SIZE', 1, 100) ?? DEFAULT_POOL_SIZE;
    const maxRequeues = wholeNumber(env, 'SMTP_MAX_REQUEUES', 0, 20) ?? DEFAULT_MAX_REQUEUES;
    const rejectUnauthorized = bool(env, 'SMTP_TLS_REJECT_UNAUTHORIZED') ?? true;
    transport = { kind: 'smtp', url: smtpUrl, pool: { maxConnections }, maxRequeues, tls: { rejectUnauthorized }, ...(dkim ? { dkim } : {}) };
  }
  const publicRaw = value(env, 'OUTREACH_PUBLIC_URL');
  const publicUrl = publicRaw === undefined ? undefined : checkPublicUrl(publicRaw).toString().replace(/\/+$/, '');
  const messageDomain = value(env, 'OUTREACH_MESSAGE_DOMAIN')?.toLowerCase();
  if (messageDomain !== undefined && !HOST.test(messageDomain))
    throw configError('OUTREACH_MESSAGE_DOMAIN', `${JSON.stringify(messageDomain)} is not a domain name`);
  return { transport, publicUrl, messageDomain };
}

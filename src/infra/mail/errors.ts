import type { FailedAttempt } from '../../app/effects/retry.ts';

export type SendErrorClass = {
  /** permanent: the server refused this message for good (bounce, do not retry); transient: try again later. */
  kind: 'permanent' | 'transient';
  /** The SMTP reply code, when the server gave one. */
  code?: number;
  /** The SMTP command the server was answering (MAIL FROM, RCPT TO, DATA …), when known. */
  command?: string;
  reason: string;
};

/** Errors that say the connection or the path to the server failed, never the message. */
const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ESOCKET',
  'EDNS',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ETLS',
  'EPROXY',
  'EPROTOCOL',
  'EMAXLIMIT',
  'ECLOSED',
]);

/**
 * Replies to these commands are about our session or credentials, not about the message or the
 * recipient: a 5xx there (bad login, TLS refused) must not bounce and suppress the address.
 */
const SESSION_COMMANDS = /^(AUTH|EHLO|HELO|LHLO|STARTTLS|CONN|GREETING)\b/i;

/** A 5xx to MAIL FROM refuses our sender, not the contact's address: no reason to suppress them. */
const SENDER_COMMAND = /^MAIL\b/i;

type SmtpishError = { code?: unknown; responseCode?: unknown; response?: unknown; command?: unknown; message?: unknown };

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 500);

/**
 * Turns a send failure into bounce-or-retry.
 * - 5xx to RCPT TO or DATA → permanent, except 503 (bad sequence of commands: a session problem,
 *   RFC 5321 §4.2.4; nodemailer 10 treats it as retryable too).
 * - 5xx to AUTH/EHLO/HELO/STARTTLS or MAIL FROM → transient: it refuses our session or our sender,
 *   and a bounce would wrongly suppress the contact; retries run out into EmailFailed instead.
 * - 4xx, connection, socket, DNS and timeout errors → transient.
 * - Anything else (credentials, a message we failed to build, an unknown error) → transient, so it
 *   ends as a bounded number of retries and an EmailFailed rather than a false bounce that would
 *   silence a contact for good.
 */
export function classifySendError(error: unknown): SendErrorClass {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SmtpishError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' && Number.isInteger(e.responseCode) ? e.responseCode : undefined;
  const command = typeof e.command === 'string' && e.command ? e.command : undefined;
  const reply = typeof e.response === 'string' && e.response ? oneLine(e.response) : undefined;
  const message = typeof e.message === 'string' ? oneLine(e.message) : 'unknown error';
  const base = { ...(responseCode !== undefined ? { code: responseCode } : {}), ...(command ? { command } : {}) };

  if (responseCode !== undefined && responseCode >= 500 && responseCode <= 599) {
    if (responseCode === 503) return { kind: 'transient', ...base, reason: `bad command sequence, retrying: ${reply ?? message}` };
    if (command && SESSION_COMMANDS.test(command)) {
      return { kind: 'transient', ...base, reason: `the server refused the session at ${command} (check SMTP_URL and its credentials): ${reply ?? message}` };
    }
    if (command && SENDER_COMMAND.test(command)) {
      return {
        kind: 'transient',
        ...base,
        reason: `the server refused the sender (check the From address is allowed for this SMTP account): ${reply ?? message}`,
      };
    }
    return { kind: 'permanent', ...base, reason: reply ?? message };
  }
  if (responseCode !== undefined && responseCode >= 400 && responseCode <= 499) {
    return { kind: 'transient', ...base, reason: reply ?? message };
  }
  if (code && CONNECTION_CODES.has(code)) return { kind: 'transient', ...base, reason: `${code}: ${message}` };
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return { kind: 'transient', ...base, reason: `authentication failed (check SMTP_URL credentials): ${message}` };
  }
  return { kind: 'transient', ...base, reason: code ? `${code}: ${message}` : message };
}

const ADDRESS = /[^\s<>()[\]",;:@]+@[^\s<>()[\]",;:@]+\.[^\s<>()[\]",;:@]+/g;

/** A server's message with the addresses it quotes taken out: it is kept where forget cannot reach (Redis, logs). */
export const withoutAddresses = (message: string): string => message.replace(ADDRESS, '<address>');

/** Codes of a send that got no answer from the server: nothing it said was about this message. */
const UNANSWERED_CODES = new Set([...CONNECTION_CODES].filter((c) => c !== 'EPROTOCOL'));

/**
 * How a failed send ended, for the retry budget (src/app/effects/retry.ts). An SMTP 4xx (or an
 * HTTP 429/503 from Gmail's API) is the server asking to try later; any other reply code or HTTP
 * status a refusal. A connection, greeting or socket timeout, a refused or cut connection, a full
 * pool: the server was not reached. Anything else is a refusal, so an unknown error still ends
 * after the attempts rather than the longer window.
 */
export function classifySendAttempt(error: unknown): FailedAttempt {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpishError & { status?: unknown };
  if (typeof e.responseCode === 'number') return e.responseCode >= 400 && e.responseCode <= 499 ? 'try-later' : 'refused';
  if (typeof e.status === 'number') return e.status === 429 || e.status === 503 ? 'try-later' : 'refused';
  return typeof e.code === 'string' && UNANSWERED_CODES.has(e.code) ? 'not-reached' : 'refused';
}

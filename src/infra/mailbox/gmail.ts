import type { SendMailOptions } from 'nodemailer';
import { MailboxAuthError, type GmailSource } from '../../app/mailbox/ports.ts';
import { classifyGoogleError } from '../google/errors.ts';
import type { GmailClient } from '../google/gmail-client.ts';
import type { MailTransport, SendResult } from '../mail/transport.ts';
import { composeRaw } from './sent-copy.ts';

/** A revoked or expired grant is not retried: the seeker must connect again. */
function authFailure(e: unknown): never {
  if (classifyGoogleError(e).kind === 'reauth')
    throw new MailboxAuthError('Google refused the stored Gmail grant (revoked or expired): run `outreach google connect --gmail` again', 'revoked', {
      cause: e,
    });
  throw e;
}

/** The seeker's Gmail for the reader: history.list from a historyId, a 404 meaning it expired. */
export function gmailSource(client: GmailClient): GmailSource {
  const guarded =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    (...a: A) =>
      fn(...a).catch(authFailure);
  return {
    provider: 'gmail',
    currentHistoryId: guarded(async () => (await client.profile()).historyId),
    addedSince: guarded(async (historyId: string) => {
      try {
        return await client.addedSince(historyId);
      } catch (e) {
        if (classifyGoogleError(e).kind === 'not-found') return 'expired' as const;
        throw e;
      }
    }),
    recent: guarded((after: Date, max: number) => client.recent(after, max)),
    headers: guarded(async (ids: string[]) => {
      const out = [];
      for (const id of ids) out.push({ key: id, ...(await client.headers(id)) });
      return out;
    }),
    bodies: guarded(async (ids: string[]) => {
      const out = new Map<string, Buffer>();
      for (const id of ids) out.set(id, await client.raw(id));
      return out;
    }),
  };
}

/**
 * Email out through users.messages.send: the message is built by nodemailer's composer (the same
 * headers, threading and DKIM path as SMTP), a follow-up sent into the thread of the message it
 * answers. Gmail files it in the seeker's Sent folder itself.
 */
export function gmailTransport(client: GmailClient, account: string): MailTransport {
  return {
    kind: 'gmail',
    description: `gmail ${account}`,
    async send(message: SendMailOptions): Promise<SendResult> {
      const raw = await composeRaw(message);
      const answers = typeof message.inReplyTo === 'string' ? message.inReplyTo : undefined;
      const threadId = answers ? await client.threadOf(answers) : null;
      const sent = await client.send(raw, threadId ?? undefined);
      const to = [message.to].flat().map((a) => (typeof a === 'string' ? a : ((a as { address?: string })?.address ?? '')));
      return { messageId: String(message.messageId ?? ''), accepted: to, rejected: [], response: `gmail ${sent.id} in thread ${sent.threadId}` };
    },
    async verify() {
      await client.profile();
    },
    async close() {},
  };
}

import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Log } from '../../app/log.ts';
import type { MailTransport } from '../mail/transport.ts';

export type AppendSent = (raw: Buffer, messageId: string) => Promise<'appended' | 'present' | 'no-sent-folder'>;

/** The message as nodemailer's composer writes it (CRLF line ends), for the copy in the seeker's Sent folder. */
export async function composeRaw(message: SendMailOptions): Promise<Buffer> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', disableFileAccess: true, disableUrlAccess: true });
  const info = await composer.sendMail(message);
  return info.message as Buffer;
}

/**
 * SMTP does not file what it sends: a copy goes to the seeker's folder marked \Sent, once per
 * message (looked up by Message-ID first, so a send retried after a crash files no second copy).
 * A failed copy is logged and the send still counts: throwing would make the queue send the email again.
 */
export function withSentCopies(transport: MailTransport, appendSent: AppendSent, log: Log): MailTransport {
  return {
    kind: transport.kind,
    description: `${transport.description}, a copy of each message in the IMAP \\Sent folder`,
    ...(transport.folder ? { folder: transport.folder } : {}),
    async send(message, opts) {
      const result = await transport.send(message, opts);
      const messageId = result.messageId || String(message.messageId ?? '');
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          const filed = await appendSent(await composeRaw(message), messageId);
          if (filed === 'no-sent-folder') log.warn({ reason: 'the mailbox has no folder marked \\Sent' }, 'sent-copy-skipped');
          break;
        } catch (e) {
          if (attempt === 3) log.warn({ reason: (e as Error).message, attempts: attempt }, 'sent-copy-failed');
        }
      }
      return result;
    },
    verify: () => transport.verify(),
    close: () => transport.close(),
  };
}

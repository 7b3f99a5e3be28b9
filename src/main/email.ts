import { join } from 'node:path';
import type { Config } from './config.ts';
import type { CopiesEraser } from '../app/effects/erase/run.ts';
import type { EmailSender } from '../app/effects/email/sender.ts';
import { secretKeyOrKeyFile } from '../infra/crypto/key-file.ts';
import { localCopiesEraser } from '../infra/mail/copies.ts';
import { mailConfigFrom } from '../infra/mail/config.ts';
import { createEmailSender, unsubscribeForm } from '../infra/mail/email-sender.ts';
import { loadTemplates } from '../infra/mail/templates.ts';
import { mailboxConfigFrom } from '../infra/mailbox/config.ts';
import { imapMailbox } from '../infra/mailbox/imap.ts';
import { withSentCopies } from '../infra/mailbox/sent-copy.ts';
import { gmailTransport } from '../infra/mailbox/gmail.ts';
import { gmailForSending } from './gmail.ts';
import { googleConfigFrom, googleEnabled } from '../infra/google/config.ts';
import type { Log } from '../app/log.ts';
import { silentLogger } from './logger.ts';
import { createMailTransport, type MailTransport } from '../infra/mail/transport.ts';

/** What the email worker is given from configuration: the executor, the transport under it, and the eraser of local copies. */
export type EmailWiring = {
  sender: EmailSender;
  /** How mail to contacts offers to stop: one-click over https, or a mailto: to the seeker (said once when the worker starts). */
  unsubscribe: 'one-click' | 'mailto';
  transport: MailTransport;
  eraser: CopiesEraser;
  messageDomain?: string | undefined;
  /** Google Calendar is wired and emails its own invitations to attendees (GOOGLE_SEND_UPDATES all or externalOnly). */
  calendarSendsInvites: boolean;
};

/**
 * The email worker's parts, from configuration. Templates are loaded (and checked) here, at start,
 * so a typo in an override fails before any job runs.
 */
export function emailWiringFrom(config: Config, env: NodeJS.ProcessEnv, log: Log = silentLogger()): EmailWiring {
  const mail = mailConfigFrom(env, config.dataDir);
  const templates = loadTemplates({ overrideDir: env['OUTREACH_TEMPLATES_DIR'] || undefined });
  const { key } = secretKeyOrKeyFile(env, config.dataDir);
  const sent = mail.transport.kind === 'smtp' ? mailboxConfigFrom(env).imap : undefined;
  // Over SMTP with a mailbox configured, what goes out is also filed in the seeker's Sent folder (on a connection of its own).
  const sentBox = sent ? imapMailbox(sent) : undefined;
  const smtp =
    mail.transport.kind === 'gmail'
      ? gmailTransport(gmailForSending(config, env).client, gmailForSending(config, env).account)
      : createMailTransport(mail.transport);
  const transport = sentBox ? withClose(withSentCopies(smtp, sentBox.appendSent, log), () => sentBox.close()) : smtp;
  const unsubscribe = { publicUrl: mail.publicUrl, secret: key };
  return {
    sender: createEmailSender({ templates, transport, unsubscribe }),
    unsubscribe: unsubscribeForm(unsubscribe),
    transport,
    eraser: localCopiesEraser({ outboxDir: transport.folder, calendarDir: join(config.dataDir, 'calendar') }),
    ...(mail.messageDomain ? { messageDomain: mail.messageDomain } : {}),
    calendarSendsInvites: googleEnabled(env) && googleConfigFrom(env).sendUpdates !== 'none',
  };
}

const withClose = (t: MailTransport, also: () => Promise<void>): MailTransport => ({
  ...t,
  send: (m, o) => t.send(m, o),
  verify: () => t.verify(),
  close: async () => {
    await t.close();
    await also();
  },
});

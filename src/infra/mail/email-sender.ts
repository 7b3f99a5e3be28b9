import type { EmailIntent } from '../../app/effects/email/intent.ts';
import type { EmailSender, RenderedIntent, SendOutcome } from '../../app/effects/email/sender.ts';
import type { Templates } from '../../app/effects/email/templates.ts';
import { signUnsubscribeToken, unsubscribeUrl } from '../crypto/unsubscribe-token.ts';
import { classifySendError } from './errors.ts';
import { buildIcs } from './ics.ts';
import { buildMail } from './message.ts';
import { htmlFromText } from './templates.ts';
import type { MailTransport } from './transport.ts';

export type UnsubscribeConfig = {
  /** The server's public base URL: one-click links only when it is https (a link a recipient can reach, that a mail client may POST to). */
  publicUrl?: string | undefined;
  secret: Uint8Array;
};

export type EmailSenderDeps = {
  templates: Templates;
  transport: MailTransport;
  unsubscribe: UnsubscribeConfig;
};

/** Which List-Unsubscribe an email to a contact carries: RFC 8058 one-click over https, else a mailto: to the seeker. */
export const unsubscribeForm = (config: UnsubscribeConfig): 'one-click' | 'mailto' => (config.publicUrl?.startsWith('https://') ? 'one-click' : 'mailto');

/**
 * The email executor: makes the unsubscribe link, renders the template (or takes the words of an
 * approved draft), words the invitation with the calendar template, builds the MIME message and
 * sends it. SMTP's answer is classified here: a permanent refusal is a bounce, anything else that
 * failed is thrown for the queue to retry.
 */
export function createEmailSender(deps: EmailSenderDeps): EmailSender {
  const linkFor = (intent: EmailIntent) => {
    if (!intent.unsubscribe) return undefined;
    if (unsubscribeForm(deps.unsubscribe) === 'mailto') return `mailto:${intent.from.email}?subject=unsubscribe`;
    return unsubscribeUrl(deps.unsubscribe.publicUrl!, signUnsubscribeToken(intent.unsubscribe, deps.unsubscribe.secret));
  };
  const words = (intent: EmailIntent, link: string | undefined) => {
    if (intent.content) return { subject: intent.content.subject, text: intent.content.text, html: htmlFromText(intent.content.text) };
    return deps.templates.render(intent.template, { ...intent.variables, unsubscribeUrl: link ?? '' } as never);
  };
  return {
    render(intent: EmailIntent): RenderedIntent {
      const { subject, text } = words(intent, linkFor(intent));
      return { subject, text };
    },
    async send(intent: EmailIntent): Promise<SendOutcome> {
      const link = linkFor(intent);
      const content = words(intent, link);
      // The invitation names the meeting and both people, whatever the email around it says.
      const calendar = intent.invitation ? deps.templates.render('calendar-event', intent.variables as never) : undefined;
      const ics =
        intent.invitation && calendar
          ? { method: intent.invitation.method, content: buildIcs({ ...intent.invitation, summary: calendar.subject, description: calendar.text }) }
          : undefined;
      const mail = buildMail({
        from: intent.from,
        to: intent.to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId: intent.messageId,
        date: intent.date,
        ...(intent.thread ? { inReplyTo: intent.thread.inReplyTo, references: intent.thread.references } : {}),
        ...(link ? { unsubscribeUrl: link } : {}),
        ...(ics ? { ics } : {}),
      });
      try {
        await deps.transport.send(mail, { about: intent.about });
      } catch (error) {
        const failure = classifySendError(error);
        if (failure.kind !== 'permanent') throw error;
        return { outcome: 'bounced', code: failure.code ?? 550, reason: failure.reason };
      }
      return { outcome: 'sent', subject: content.subject };
    },
  };
}

import type { EmailIntent } from '../../app/effects/email/intent.ts';
import type { EmailSender, SendOutcome } from '../../app/effects/email/sender.ts';
import type { Templates } from '../../app/effects/email/templates.ts';
import { signUnsubscribeToken, unsubscribeUrl } from '../crypto/unsubscribe-token.ts';
import { classifySendError } from './errors.ts';
import { buildIcs } from './ics.ts';
import { buildMail } from './message.ts';
import type { MailTransport } from './transport.ts';

export type EmailSenderDeps = {
  templates: Templates;
  transport: MailTransport;
  unsubscribe: { publicUrl: string; secret: Uint8Array };
};

/**
 * The email executor: signs the unsubscribe link, renders the template, words the invitation with
 * the rendered text, builds the MIME message and sends it. SMTP's answer is classified here: a
 * permanent refusal is a bounce, anything else that failed is thrown for the queue to retry.
 */
export function createEmailSender(deps: EmailSenderDeps): EmailSender {
  return {
    async send(intent: EmailIntent): Promise<SendOutcome> {
      const link = intent.unsubscribe
        ? unsubscribeUrl(deps.unsubscribe.publicUrl, signUnsubscribeToken(intent.unsubscribe, deps.unsubscribe.secret))
        : undefined;
      const content = deps.templates.render(intent.template, { ...intent.variables, unsubscribeUrl: link ?? '' } as never);
      const ics = intent.invitation
        ? { method: intent.invitation.method, content: buildIcs({ ...intent.invitation, summary: content.subject, description: content.text }) }
        : undefined;
      const mail = buildMail({
        from: intent.from,
        to: intent.to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId: intent.messageId,
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
      return { outcome: 'sent' };
    },
  };
}

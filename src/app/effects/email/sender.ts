import type { EmailIntent } from './intent.ts';

/** What happened to a send the server answered: accepted (with the subject it went with), or refused for good (a bounce). */
export type SendOutcome = { outcome: 'sent'; subject: string } | { outcome: 'bounced'; code: number; reason: string };

/** An email as its recipient would read it. */
export type RenderedIntent = { subject: string; text: string };

/**
 * The executor of email intents (src/infra/mail/email-sender.ts): renders, signs, builds and sends.
 * A temporary failure (4xx, a cut connection) is thrown, for the queue to try again.
 */
export interface EmailSender {
  send(intent: EmailIntent): Promise<SendOutcome>;
  /** The words of an email without sending it: what a draft holds for the seeker's review. */
  render(intent: EmailIntent): RenderedIntent;
}

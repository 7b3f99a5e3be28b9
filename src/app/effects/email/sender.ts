import type { EmailIntent } from './intent.ts';

/** What happened to a send the server answered: accepted, or refused for good (a bounce). */
export type SendOutcome = { outcome: 'sent' } | { outcome: 'bounced'; code: number; reason: string };

/**
 * The executor of email intents (src/infra/mail/email-sender.ts): renders, signs, builds and sends.
 * A temporary failure (4xx, a cut connection) is thrown, for the queue to try again.
 */
export interface EmailSender {
  send(intent: EmailIntent): Promise<SendOutcome>;
}

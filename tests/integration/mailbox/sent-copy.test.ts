/**
 * Mail sent by SMTP is filed in the seeker's own \Sent folder (a real Dovecot), once per message:
 * a send retried after a crash finds the copy by its Message-ID and files no second one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMail } from '../../../src/infra/mail/message.ts';
import { createMailTransport } from '../../../src/infra/mail/transport.ts';
import { imapConfigFrom } from '../../../src/infra/mailbox/config.ts';
import { imapMailbox, type ImapMailbox } from '../../../src/infra/mailbox/imap.ts';
import { withSentCopies } from '../../../src/infra/mailbox/sent-copy.ts';
import { silentLogger } from '../../../src/main/logger.ts';
import { startDovecot, type Dovecot } from '../../support/dovecot.ts';
import { uniqueId } from '../../support/mailbox/messages.ts';
import { startSmtpServer, type SmtpStandIn } from '../../support/smtp-server.ts';

let dovecot: Dovecot;
let smtp: SmtpStandIn;
let imap: ImapMailbox;

beforeAll(async () => {
  dovecot = await startDovecot();
  smtp = await startSmtpServer();
  imap = imapMailbox(imapConfigFrom(dovecot.imapUrl()));
}, 60_000);

afterAll(async () => {
  await imap?.close();
  await smtp?.stop();
  await dovecot?.stop();
}, 60_000);

const mail = (messageId: string) =>
  buildMail({
    from: { name: 'Sam Seeker', email: 'sam@example.com' },
    to: { name: 'Priya Raman', email: 'priya@contoso.example' },
    subject: 'A question about your work',
    text: 'Would you have 20 minutes next week?',
    html: '<p>Would you have 20 minutes next week?</p>',
    messageId,
  });

describe('copies in the \\Sent folder', () => {
  it('each message sent by SMTP is filed once in the folder marked \\Sent, read, with its Message-ID; a retried send files no second copy', async () => {
    const transport = withSentCopies(createMailTransport({ kind: 'smtp', url: smtp.url }), imap.appendSent, silentLogger());
    const id = uniqueId('example.com');
    await transport.send(mail(id));
    await transport.send(mail(id));
    await transport.send(mail(uniqueId('example.com')));
    await transport.close();
    expect(smtp.messages).toHaveLength(3);
    const sent = await dovecot.messages('Sent');
    expect(sent).toHaveLength(2);
    expect(sent[0]!.header('message-id')).toBe(id);
    expect(sent[0]!.header('subject')).toBe('A question about your work');
    expect(sent[0]!.flags).toEqual(['\\Seen']);
    expect(sent[0]!.raw).toContain('Would you have 20 minutes next week?');
  });
});

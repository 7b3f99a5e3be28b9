/** Inbound messages shaped as mail clients and servers write them, for the mailbox reader's tests. */
const date = (d = new Date()) => d.toUTCString().replace('GMT', '+0000');
let n = 0;
export const uniqueId = (domain = 'example.org') => `<${Date.now().toString(36)}.${++n}.${Math.random().toString(36).slice(2, 8)}@${domain}>`;

export function reply(opts: { from: string; to: string; inReplyTo?: string; subject?: string; text: string; messageId?: string; extra?: string }) {
  const thread = opts.inReplyTo ? `In-Reply-To: ${opts.inReplyTo}\r\nReferences: ${opts.inReplyTo}\r\n` : '';
  return (
    `From: ${opts.from}\r\nTo: ${opts.to}\r\nSubject: ${opts.subject ?? 'Re: A question about your work'}\r\n` +
    `Message-ID: ${opts.messageId ?? uniqueId()}\r\nDate: ${date()}\r\n${thread}${opts.extra ?? ''}MIME-Version: 1.0\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\n\r\n${opts.text.replace(/\n/g, '\r\n')}\r\n`
  );
}

export function outOfOffice(opts: { from: string; to: string; inReplyTo: string; back: string }) {
  return reply({
    ...opts,
    subject: 'Automatic reply: A question about your work',
    extra: 'Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n',
    text: `I am out of the office and back on ${opts.back}. I will answer when I return.`,
  });
}

/** A Postfix-style RFC 3464 report: Action failed with a 5.1.1, our message's headers returned. */
export function bounce(opts: { to: string; recipient: string; originalMessageId: string; action?: 'failed' | 'delayed'; status?: string }) {
  const b = `b${Math.random().toString(36).slice(2)}`;
  const status = opts.status ?? (opts.action === 'delayed' ? '4.4.1' : '5.1.1');
  return [
    `From: MAILER-DAEMON@mail.example.com (Mail Delivery System)`,
    `To: ${opts.to}`,
    `Subject: ${opts.action === 'delayed' ? 'Delayed Mail (still being retried)' : 'Undelivered Mail Returned to Sender'}`,
    `Message-ID: ${uniqueId('mail.example.com')}`,
    `Date: ${date()}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `<${opts.recipient}>: host mx.example.org said: 550 ${status} User unknown`,
    '',
    `--${b}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mail.example.com',
    '',
    `Final-Recipient: rfc822; ${opts.recipient}`,
    `Action: ${opts.action ?? 'failed'}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; 550 ${status} <${opts.recipient}>: Recipient address rejected: User unknown`,
    '',
    `--${b}`,
    'Content-Type: text/rfc822-headers',
    '',
    `From: ${opts.to}`,
    `To: ${opts.recipient}`,
    `Message-ID: ${opts.originalMessageId}`,
    'Subject: A question about your work',
    '',
    `--${b}--`,
    '',
  ].join('\r\n');
}

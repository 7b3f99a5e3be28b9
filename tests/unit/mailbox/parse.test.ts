import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ruleHeaders } from '../../../src/domain/inbound-mail.ts';
import { headerBlockOf, parseDeliveryStatus, parseInbound, parseInboundHeaders, parsePlainBounce } from '../../../src/infra/mailbox/parse-inbound.ts';

const DIR = fileURLToPath(new URL('../../fixtures/inbound/', import.meta.url));
const raw = (file: string) => readFileSync(join(DIR, file));

describe('headers', () => {
  it('a header block alone parses (an IMAP BODY.PEEK[HEADER] fetch)', async () => {
    const headers = await parseInboundHeaders(headerBlockOf(raw('reply-gmail.eml')));
    expect(headers.from).toEqual({ address: 'sam.carter@example.org', name: 'Sam Carter' });
    expect(headers.inReplyTo).toBe('<506e99a0-4669-5aa6-9bc6-144c32edc2b1@example.com>');
    expect(headers.date).toBe('2026-12-08T14:12:27.000Z');
  });

  it('encoded subjects are decoded (RFC 2047)', async () => {
    expect((await parseInboundHeaders(raw('auto-french-reponse-automatique.eml'))).subject).toBe(
      'Réponse automatique : Twenty minutes to learn about your work?',
    );
  });

  it('folded References give every id, oldest first', async () => {
    expect((await parseInboundHeaders(raw('reply-to-nudge.eml'))).references).toEqual([
      '<a6dee8df-108c-5493-a49c-6c991b93ae31@example.com>',
      '<3e0f0afc-9711-51f1-ab24-65d0b24dfd4d@example.com>',
    ]);
  });

  it('a Message-ID folded onto its own line is read', async () => {
    expect((await parseInboundHeaders(raw('reply-outlook-exchange.eml'))).messageId).toBe(
      '<AM9PR08MB6721E3B1C0FFEE4A5D2C9F7E8A1B0C2D3E4F5@AM9PR08MB6721.eurprd08.prod.outlook.com>',
    );
  });

  it('only the headers the rules need are kept, names lower-cased', async () => {
    const headers = await parseInboundHeaders(raw('auto-exchange-ooo.eml'));
    expect(Object.keys(headers.headers).every((k) => (ruleHeaders as readonly string[]).includes(k))).toBe(true);
    expect(headers.headers).toMatchObject({
      'auto-submitted': 'auto-generated',
      'x-ms-exchange-generated-message-source': 'Mailbox Rules Agent',
      'x-auto-response-suppress': 'All',
    });
  });

  it('a multipart/report carries its report-type', async () => {
    expect((await parseInboundHeaders(raw('bounce-postfix-5.1.1.eml'))).contentType).toEqual({ type: 'multipart/report', reportType: 'delivery-status' });
  });

  it('In-Reply-To with two ids keeps the first, the other joins the thread', async () => {
    const h = await parseInboundHeaders('From: bob@example.org\r\nIn-Reply-To: <a@example.com> <b@example.com>\r\nReferences: <a@example.com>\r\n');
    expect(h.inReplyTo).toBe('<a@example.com>');
    expect(h.references).toEqual(['<a@example.com>', '<b@example.com>']);
  });
});

describe('text', () => {
  it('the new text has no quoted history; the full text keeps it', async () => {
    const m = await parseInbound(raw('reply-gmail.eml'));
    expect(m.newText).not.toContain('Olivia Brown suggested');
    expect(m.fullText).toContain('Olivia Brown suggested');
  });

  it('an HTML-only message is read as text, its Gmail quote removed', async () => {
    const mail = [
      'From: Bob Example <bob@example.org>',
      'To: ann.seeker@example.com',
      'Subject: Re: Coffee?',
      'In-Reply-To: <a@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=UTF-8',
      '',
      '<div dir="ltr">Thursday works.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 7 Dec 2026 at 09:00, Ann &lt;ann.seeker@example.com&gt; wrote:<br></div><blockquote class="gmail_quote">Hi Bob, reply stop to unsubscribe.</blockquote></div>',
    ].join('\r\n');
    const m = await parseInbound(mail);
    expect(m.newText).toBe('Thursday works.');
  });

  it('an HTML-only Outlook reply is read as text, its "From: … Sent: …" block removed', async () => {
    const mail = [
      'From: Priya Raman <priya.raman@example.org>',
      'To: ann.seeker@example.com',
      'Subject: RE: Coffee?',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset="us-ascii"',
      '',
      '<html><body><div>Tuesday at 2pm suits me.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%">',
      '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif"><b>From:</b> Ann Seeker &lt;ann.seeker@example.com&gt;<br>',
      '<b>Sent:</b> Monday, December 7, 2026 9:00 AM<br><b>To:</b> Priya Raman<br><b>Subject:</b> Coffee?</font></div>',
      '<div>Hi Priya, would you have twenty minutes? Reply stop to unsubscribe.</div></body></html>',
    ].join('\r\n');
    expect((await parseInbound(mail)).newText).toBe('Tuesday at 2pm suits me.');
  });
});

describe('delivery status notifications', () => {
  it('the delivery-status part is read per recipient, not appended to the text', async () => {
    const m = await parseInbound(raw('bounce-postfix-5.1.1.eml'));
    expect(m.report?.recipients).toEqual([
      {
        finalRecipient: 'k.nakamura@example.org',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 <k.nakamura@example.org>: Recipient address rejected: User unknown in virtual mailbox table',
      },
    ]);
    expect(m.fullText).not.toContain('Reporting-MTA');
  });

  it('the original Message-ID comes from the returned message/rfc822 part', async () => {
    expect((await parseInbound(raw('bounce-postfix-5.1.1.eml'))).report?.originalMessageId).toBe('<0ea6c816-7e52-5fb5-a0aa-f7ce88a4e3d5@example.com>');
  });

  it('the original Message-ID comes from the text/rfc822-headers part', async () => {
    expect((await parseInbound(raw('delayed-postfix-4.4.1.eml'))).report?.originalMessageId).toBe('<0639940b-86e8-56fa-86bb-e4e9beaf29b3@example.com>');
    expect((await parseInbound(raw('bounce-exchange-ndr-5.1.10.eml'))).report?.originalMessageId).toBe('<2af0d31d-274f-5909-8229-06a8487aace3@example.com>');
  });

  it('the returned message is not merged into the text', async () => {
    expect((await parseInbound(raw('bounce-gmail-mail-delivery-subsystem.eml'))).fullText).not.toContain('Hi Olivia');
  });

  it("Gmail's X-Original-Message-ID is used when no message is returned", async () => {
    const mail = [
      'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
      'To: ann.seeker@example.com',
      'Subject: Delivery Status Notification (Failure)',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; boundary="b1"; report-type=delivery-status',
      '',
      '--b1',
      'Content-Type: text/plain; charset="UTF-8"',
      '',
      '** Address not found **',
      '',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; googlemail.com',
      'X-Original-Message-ID: <orig@example.com>',
      '',
      'Final-Recipient: rfc822; bob@example.org',
      'Action: failed',
      'Status: 5.1.1',
      '',
      '--b1--',
      '',
    ].join('\r\n');
    expect((await parseInbound(mail)).report).toEqual({
      recipients: [{ finalRecipient: 'bob@example.org', action: 'failed', status: '5.1.1' }],
      originalMessageId: '<orig@example.com>',
    });
  });

  it('field names are case-insensitive, continuation lines unfolded, the original recipient kept when it differs', () => {
    const status = parseDeliveryStatus(
      'Reporting-MTA: dns; mx\n\nfinal-recipient: RFC822; <Bob.X@Mailhost.example.org>\noriginal-recipient: rfc822;bob@example.org\nACTION: Failed\nstatus: 5.2.2 (mailbox full)\nDiagnostic-Code: smtp; 552 5.2.2\n  Mailbox full\n',
    );
    expect(status.recipients).toEqual([
      {
        finalRecipient: 'bob.x@mailhost.example.org',
        originalRecipient: 'bob@example.org',
        action: 'failed',
        status: '5.2.2',
        diagnostic: '552 5.2.2 Mailbox full',
      },
    ]);
  });

  it('qmail: "<address>:" and the remote answer below it', () => {
    const report = parsePlainBounce(
      [
        'Hi. This is the qmail-send program at mx.example.net.',
        "I'm afraid I wasn't able to deliver your message to the following addresses.",
        "This is a permanent error; I've given up. Sorry it didn't work out.",
        '',
        '<bob@example.org>:',
        '192.0.2.25 does not like recipient.',
        'Remote host said: 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown',
        'Giving up on 192.0.2.25.',
        '',
        '--- Below this line is a copy of the message.',
        '',
        'Return-Path: <ann.seeker@example.com>',
        'Message-ID: <orig@example.com>',
        'Subject: Coffee?',
        '',
        'Hi Bob',
      ].join('\n'),
    );
    expect(report).toEqual({
      recipients: [
        {
          finalRecipient: 'bob@example.org',
          action: 'failed',
          status: '',
          diagnostic:
            '192.0.2.25 does not like recipient. Remote host said: 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown Giving up on 192.0.2.25.',
        },
      ],
      originalMessageId: '<orig@example.com>',
    });
  });

  it("Gmail's older plain notice, failed or delayed", () => {
    const failed = parsePlainBounce(
      [
        'Delivery to the following recipient failed permanently:',
        '',
        '     bob@example.org',
        '',
        'Technical details of permanent failure:',
        'Google tried to deliver your message, but it was rejected by the server for the recipient domain example.org.',
        '',
        'The error that the other server returned was:',
        '550 5.1.1 <bob@example.org>... User Unknown',
        '',
        '----- Original message -----',
        '',
        'Message-ID: <orig@example.com>',
        'Subject: Coffee?',
      ].join('\n'),
    );
    expect(failed?.recipients).toEqual([
      { finalRecipient: 'bob@example.org', action: 'failed', status: '', diagnostic: '550 5.1.1 <bob@example.org>... User Unknown' },
    ]);
    expect(failed?.originalMessageId).toBe('<orig@example.com>');
    const delayed = parsePlainBounce(
      ['Delivery to the following recipient has been delayed:', '', '     bob@example.org', '', 'Message will be retried for 2 more day(s)', ''].join('\n'),
    );
    expect(delayed?.recipients[0]).toMatchObject({ finalRecipient: 'bob@example.org', action: 'delayed' });
  });

  it('X-Failed-Recipients names the recipients when the text has no shape we know', async () => {
    const m = await parseInbound(raw('ignored-bounce-not-ours.eml'));
    expect(m.report).toEqual({
      recipients: [
        {
          finalRecipient: 'old.friend@example.net',
          action: 'failed',
          status: '',
          diagnostic: '550 5.1.1 <old.friend@example.net>: Recipient address rejected: User unknown',
        },
      ],
      originalMessageId: '<CAAnn5eeKer+0ld=Fr1eNd7xQ2m@mail.example.com>',
    });
  });

  it("a person's message gets no report", async () => {
    expect((await parseInbound(raw('reply-gmail.eml'))).report).toBeUndefined();
    expect((await parseInbound(raw('optout-please-remove-me.eml'))).report).toBeUndefined();
  });
});

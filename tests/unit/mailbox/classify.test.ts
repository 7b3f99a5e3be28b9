import { describe, expect, it } from 'vitest';
import {
  classifyInbound,
  inboundKey,
  matchInbound,
  type DeliveryReport,
  type InboundClassification,
  type InboundHeaders,
  type InboundMatch,
  type InboundMessage,
  type Known,
} from '../../../src/domain/inbound-mail.ts';

const SEEKER = 'ann.seeker@example.com';
const REQUEST = '<6f1c2a90-0d4e-5b7a-9c1e-3a1f0b2c4d5e@outreach.example.com>';
const NUDGE = '<8a2d3b41-1e5f-5c8b-8d2f-4b2a1c3d5e6f@outreach.example.com>';
const KEEP_IN_TOUCH = '<9b3e4c52-2f60-5d9c-9e30-5c3b2d4e6f70@outreach.example.com>';

const known: Known = {
  sent: {
    [REQUEST]: { contactId: 'c-bob', meetingId: 'm-bob', kind: 'meeting-request-direct' },
    [NUDGE]: { contactId: 'c-bob', meetingId: 'm-bob', kind: 'nudge' },
    // Stored without its angle brackets.
    [KEEP_IN_TOUCH.slice(1, -1)]: { contactId: 'c-carol', kind: 'keep-in-touch' },
  },
  contacts: { 'bob@example.org': 'c-bob', 'robert.example@example.net': 'c-bob', 'carol@example.org': 'c-carol' },
  seeker: [SEEKER],
};
const clock = { now: '2026-11-30T12:00:00Z', zone: 'Europe/London' };

const headers = (over: Partial<InboundHeaders> = {}): InboundHeaders => ({
  messageId: '<CAB1x2y3z@mail.example.org>',
  inReplyTo: null,
  references: [],
  from: { address: 'bob@example.org', name: 'Bob Example' },
  to: [{ address: SEEKER, name: 'Ann Seeker' }],
  cc: [],
  subject: 'Re: Twenty minutes about data teams?',
  date: '2026-11-30T10:00:00.000Z',
  contentType: { type: 'text/plain' },
  headers: {},
  ...over,
});
const inThread = (over: Partial<InboundHeaders> = {}) => headers({ inReplyTo: REQUEST, references: [REQUEST], ...over });

/** given a message (headers, new text, report), when it is matched and classified, then … */
const given = (h: InboundHeaders, newText = '', extra: { fullText?: string; report?: DeliveryReport } = {}) => {
  const message: InboundMessage = { headers: h, newText, fullText: extra.fullText ?? newText, ...(extra.report ? { report: extra.report } : {}) };
  const match = matchInbound(h, known);
  const classified = classifyInbound(message, match, known, clock);
  return {
    matchIs: (expected: InboundMatch) => expect(match).toEqual(expected),
    is: (expected: InboundClassification) => expect(classified).toEqual(expected),
    isA: (kind: InboundClassification['kind'], more: Partial<Record<string, unknown>> = {}) => expect(classified).toMatchObject({ kind, ...more }),
  };
};

describe('matchInbound: only our threads and our contacts are looked at', () => {
  it('a message answering one of ours is looked at, for the contact and meeting of ours it answers', () => {
    given(inThread({ from: { address: 'someone@example.net' } })).matchIs({ look: true, why: 'our-thread', contactId: 'c-bob', meetingId: 'm-bob' });
  });

  it('a message whose References name one of ours is looked at (a reply to a nudge)', () => {
    given(headers({ inReplyTo: '<unknown@example.net>', references: [REQUEST, NUDGE] })).matchIs({
      look: true,
      why: 'our-thread',
      contactId: 'c-bob',
      meetingId: 'm-bob',
    });
  });

  it('Message-IDs match whatever their brackets and the case of their domain', () => {
    const id = KEEP_IN_TOUCH.replace('outreach.example.com', 'OUTREACH.example.com');
    given(headers({ from: { address: 'x@example.net' }, inReplyTo: id })).matchIs({ look: true, why: 'our-thread', contactId: 'c-carol' });
  });

  it("a message from a contact's address is looked at", () => {
    given(headers({ subject: 'Coffee?' })).matchIs({ look: true, why: 'from-contact', contactId: 'c-bob' });
  });

  it("a contact's other address counts as the contact, whatever its case", () => {
    given(headers({ from: { address: 'robert.example@example.NET' } })).matchIs({ look: true, why: 'from-contact', contactId: 'c-bob' });
  });

  it('a message from an unknown sender outside our threads is not looked at', () => {
    given(headers({ from: { address: 'news@shop.example.net' }, subject: 'Winter sale' })).matchIs({ look: false, why: 'not-ours' });
  });

  it("the seeker's own messages are never looked at, even in our threads", () => {
    given(inThread({ from: { address: 'Ann.Seeker@example.com' }, to: [{ address: 'bob@example.org' }] })).matchIs({ look: false, why: 'from-the-seeker' });
    given(headers({ messageId: NUDGE, from: { address: 'ann@other.example' } })).matchIs({ look: false, why: 'from-the-seeker' });
  });

  it('a delivery report sent to the seeker is looked at', () => {
    given(headers({ from: { address: 'postmaster@mx.example.net' }, contentType: { type: 'multipart/report', reportType: 'delivery-status' } })).matchIs({
      look: true,
      why: 'delivery-report',
    });
  });

  it('a delivery report sent to someone else is not', () => {
    given(
      headers({
        from: { address: 'reports@mx.example.net' },
        to: [{ address: 'ops@example.com' }],
        contentType: { type: 'multipart/report', reportType: 'delivery-status' },
      }),
    ).matchIs({ look: false, why: 'not-ours' });
  });

  it('a message from a mailer-daemon to the seeker is looked at', () => {
    given(headers({ from: { address: 'MAILER-DAEMON@mta.example.net' }, subject: 'Failure Notice' })).matchIs({ look: true, why: 'mail-system' });
  });

  it('a message from a contact to the seeker with the subject "unsubscribe" is an unsubscribe request', () => {
    given(headers({ subject: ' Unsubscribe ' })).matchIs({ look: true, why: 'unsubscribe-request', contactId: 'c-bob' });
  });

  it('"unsubscribe" from an address we do not know is not looked at', () => {
    given(headers({ from: { address: 'stranger@example.net' }, subject: 'unsubscribe' })).matchIs({ look: false, why: 'not-ours' });
  });
});

describe('inboundKey', () => {
  it('is the Message-ID without its brackets, the domain lower-cased', () => {
    expect(inboundKey({ headers: { messageId: '<CAB1x2y3z@Mail.Example.ORG>' } })).toBe('CAB1x2y3z@mail.example.org');
  });

  it('is null without a Message-ID', () => {
    expect(inboundKey({ headers: { messageId: null } })).toBeNull();
  });
});

describe('reply', () => {
  it("a person's answer in our thread is a reply, with the excerpt of its new text", () => {
    given(inThread(), 'Hi Ann,\n\nThursday at 10 works.\n\nBob').is({
      kind: 'reply',
      contactId: 'c-bob',
      meetingId: 'm-bob',
      excerpt: 'Hi Ann, Thursday at 10 works. Bob',
    });
  });

  it('a message from a contact outside our threads is a reply too', () => {
    given(headers({ subject: 'Sorry for the delay' }), 'Still keen to talk.').is({ kind: 'reply', contactId: 'c-bob', excerpt: 'Still keen to talk.' });
  });

  it("an answer in our thread from an address we do not know is the contact's (a colleague, an assistant)", () => {
    given(inThread({ from: { address: 'assistant@example.org' } }), 'Bob is free on Friday.').isA('reply', { contactId: 'c-bob', meetingId: 'm-bob' });
  });

  it('bulk or list mail from a contact outside our threads is ignored', () => {
    given(headers({ subject: 'Our December newsletter', headers: { 'list-unsubscribe': '<https://example.org/u>' } })).isA('ignore');
    given(headers({ subject: 'Team update', headers: { precedence: 'list', 'list-id': '<team.example.org>' } })).isA('ignore');
  });

  it('a Precedence of list in our thread is not an automatic reply', () => {
    given(inThread({ headers: { precedence: 'list' } }), 'Replying from the list.').isA('reply');
  });
});

describe('automatic reply: never counted as a reply', () => {
  it.each(['auto-replied', 'auto-generated', 'auto-notified', 'Auto-Replied (vacation)', 'auto-replied; owner-email="bob@example.org"'])(
    'Auto-Submitted: %s',
    (value) => {
      given(inThread({ headers: { 'auto-submitted': value } }), 'I am away.').isA('auto-reply', { contactId: 'c-bob', meetingId: 'm-bob' });
    },
  );

  it('Auto-Submitted: no is a person', () => {
    given(inThread({ headers: { 'auto-submitted': 'no' } }), 'Thursday works.').isA('reply');
  });

  it('X-Autoreply and X-Autorespond', () => {
    given(inThread({ headers: { 'x-autoreply': 'yes' } })).isA('auto-reply', { signal: 'X-Autoreply' });
    given(inThread({ headers: { 'x-autorespond': 'Thank you' } })).isA('auto-reply', { signal: 'X-Autorespond' });
  });

  it('Precedence: auto_reply, anywhere', () => {
    given(headers({ subject: 'Thanks', headers: { precedence: 'auto_reply' } })).isA('auto-reply', { signal: 'Precedence: auto_reply' });
  });

  it('Precedence: bulk or junk on an answer in our thread is an automatic reply', () => {
    given(inThread({ headers: { precedence: 'bulk' } })).isA('auto-reply', { signal: 'Precedence: bulk' });
    given(inThread({ headers: { precedence: 'junk' } })).isA('auto-reply', { signal: 'Precedence: junk' });
  });

  it("Exchange's generated-message and inbox-rule loop headers", () => {
    given(inThread({ headers: { 'x-ms-exchange-generated-message-source': 'Mailbox Rules Agent' } })).isA('auto-reply');
    given(inThread({ headers: { 'x-ms-exchange-inbox-rules-loop': 'bob@example.org' } })).isA('auto-reply');
  });

  it('X-Auto-Response-Suppress alone does not make a message automatic', () => {
    given(inThread({ headers: { 'x-auto-response-suppress': 'All' } }), 'Thursday works.').isA('reply');
  });

  it.each([
    'Out of Office: Re: Twenty minutes?',
    'Automatic reply: Twenty minutes?',
    'Auto: Twenty minutes?',
    'Autoreply: Twenty minutes?',
    'Auto-Reply: Twenty minutes?',
    'Abwesenheitsnotiz: Twenty minutes?',
    'Automatische Antwort: Twenty minutes?',
    'Réponse automatique : Twenty minutes?',
    'Respuesta automática: Twenty minutes?',
    'Risposta automatica: Twenty minutes?',
    'Automatisch antwoord: Twenty minutes?',
    '[Out of office] back on 4 January',
  ])('the out-of-office subject "%s"', (subject) => {
    given(inThread({ subject }), 'I am away.').isA('auto-reply', { signal: 'subject' });
  });

  it('a subject that mentions out of office after "Re:" is a person', () => {
    given(inThread({ subject: 'Re: Out of office next week?' }), 'I am out next week, how about the 14th?').isA('reply');
  });

  it('an automatic reply is never an opt-out, even when it says unsubscribe', () => {
    given(inThread({ headers: { 'auto-submitted': 'auto-replied' } }), 'I am away. To unsubscribe from our newsletter, click here.').isA('auto-reply');
  });

  it('an automatic reply carries the return date it states', () => {
    given(inThread({ subject: 'Automatic reply: Twenty minutes?' }), 'I will be back on Monday 14 December.').is({
      kind: 'auto-reply',
      contactId: 'c-bob',
      meetingId: 'm-bob',
      returnsOn: '2026-12-14',
      signal: 'subject',
    });
  });

  it('an automatic reply without a readable date has none', () => {
    given(inThread({ subject: 'Automatic reply: Twenty minutes?' }), 'I am out of the office.').isA('auto-reply', { returnsOn: null });
  });
});

const dsn = (over: Partial<InboundHeaders> = {}) =>
  headers({
    from: { address: 'mailer-daemon@mx.example.com', name: 'Mail Delivery System' },
    subject: 'Undelivered Mail Returned to Sender',
    contentType: { type: 'multipart/report', reportType: 'delivery-status' },
    ...over,
  });
const recipient = (over: Partial<DeliveryReport['recipients'][number]> = {}) => ({
  finalRecipient: 'bob@example.org',
  action: 'failed',
  status: '5.1.1',
  diagnostic: 'smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown',
  ...over,
});

describe('delivery status notifications', () => {
  it('a failed recipient with a 5.x.x status is a bounce, for the contact and meeting of the original message', () => {
    given(dsn(), '', { report: { recipients: [recipient()], originalMessageId: REQUEST } }).is({
      kind: 'bounce',
      contactId: 'c-bob',
      meetingId: 'm-bob',
      recipient: 'bob@example.org',
      status: '5.1.1',
      diagnostic: 'smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown',
      originalMessageId: REQUEST,
    });
  });

  it("the original message is matched even when the recipient's address is no contact's (an alias expanded)", () => {
    given(dsn(), '', { report: { recipients: [recipient({ finalRecipient: 'b.example@mailhost.example.org' })], originalMessageId: REQUEST } }).isA('bounce', {
      contactId: 'c-bob',
      recipient: 'b.example@mailhost.example.org',
    });
  });

  it('the original recipient is the one reported when the report has it', () => {
    given(dsn(), '', {
      report: { recipients: [recipient({ finalRecipient: 'bob.x@mailhost.example.org', originalRecipient: 'bob@example.org' })], originalMessageId: REQUEST },
    }).isA('bounce', { recipient: 'bob@example.org' });
  });

  it('a failed recipient who is a contact is a bounce even when the original message is unknown', () => {
    given(dsn(), '', { report: { recipients: [recipient({ finalRecipient: 'carol@example.org' })] } }).is({
      kind: 'bounce',
      contactId: 'c-carol',
      recipient: 'carol@example.org',
      status: '5.1.1',
      diagnostic: 'smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown',
    });
  });

  it('a report in our thread is matched through the thread when it returns no headers', () => {
    given(dsn({ inReplyTo: NUDGE, references: [NUDGE] }), '', { report: { recipients: [recipient({ finalRecipient: 'bob@mailhost.example.org' })] } }).isA(
      'bounce',
      { contactId: 'c-bob', meetingId: 'm-bob' },
    );
  });

  it('a delayed recipient is delayed: noted, not suppressed', () => {
    given(dsn({ subject: 'Delayed Mail (still being retried)' }), '', {
      report: {
        recipients: [recipient({ action: 'delayed', status: '4.4.1', diagnostic: 'connect to mx.example.org[192.0.2.25]:25: Connection timed out' })],
        originalMessageId: REQUEST,
      },
    }).is({ kind: 'delayed', contactId: 'c-bob', meetingId: 'm-bob', recipient: 'bob@example.org', status: '4.4.1', originalMessageId: REQUEST });
  });

  it('failed with a 4.x.x status is delayed, not a bounce', () => {
    given(dsn(), '', { report: { recipients: [recipient({ status: '4.4.7' })], originalMessageId: REQUEST } }).isA('delayed', { status: '4.4.7' });
  });

  it('a report without a status takes it from the diagnostic', () => {
    given(dsn(), '', {
      report: {
        recipients: [recipient({ status: '', diagnostic: 'Remote host said: 550 5.1.1 <bob@example.org>... User Unknown' })],
        originalMessageId: REQUEST,
      },
    }).isA('bounce', { status: '5.1.1' });
    given(dsn(), '', {
      report: {
        recipients: [recipient({ status: '', diagnostic: 'Remote host said: 554 delivery error: dd This user does not have an account' })],
        originalMessageId: REQUEST,
      },
    }).isA('bounce', { status: '5.0.0' });
  });

  it('a report about neither our message nor a contact is ignored', () => {
    given(dsn(), '', { report: { recipients: [recipient({ finalRecipient: 'friend@example.net' })], originalMessageId: '<personal@mail.example.com>' } }).is({
      kind: 'ignore',
      reason: 'a delivery notification about mail that is not ours',
    });
  });

  it('a report that names another contact than the one our message went to is not about it', () => {
    given(dsn(), '', { report: { recipients: [recipient({ finalRecipient: 'carol@example.org' })], originalMessageId: REQUEST } }).isA('ignore');
  });

  it('a report whose recipients were all delivered is ignored', () => {
    given(dsn(), '', { report: { recipients: [recipient({ action: 'delivered', status: '2.0.0' })], originalMessageId: REQUEST } }).is({
      kind: 'ignore',
      reason: 'a delivery notification without a failure',
    });
  });

  it('a notice from the mail system that could not be read is ignored, never taken for a reply', () => {
    given(inThread({ from: { address: 'mailer-daemon@mx.example.com' }, subject: 'Mail delivery failed' }), 'Something went wrong.').isA('ignore');
  });

  it('a report is never an automatic reply, though it says Auto-Submitted', () => {
    given(dsn({ headers: { 'auto-submitted': 'auto-replied' } }), '', { report: { recipients: [recipient()], originalMessageId: REQUEST } }).isA('bounce');
  });
});

describe('opt-out', () => {
  it('asking to stop in the first lines of the new text is an opt-out', () => {
    given(inThread(), 'Please remove me from your list.').is({
      kind: 'opt-out',
      contactId: 'c-bob',
      meetingId: 'm-bob',
      excerpt: 'Please remove me from your list.',
    });
  });

  it('stop words only in the quoted text are not an opt-out', () => {
    given(inThread(), 'Thursday works.', {
      fullText: 'Thursday works.\n\nOn Mon, Dec 14, 2026 at 9:02 AM Ann <ann@example.com> wrote:\n> Reply stop to unsubscribe.',
    }).isA('reply');
  });

  it('the subject "unsubscribe" sent to the seeker is an opt-out', () => {
    given(headers({ subject: 'unsubscribe' }), '').is({ kind: 'opt-out', contactId: 'c-bob', excerpt: '' });
  });

  it('the subject "unsubscribe" is an opt-out even when the client marks it as generated', () => {
    given(headers({ subject: 'unsubscribe', headers: { 'auto-submitted': 'auto-generated' } }), 'This message was automatically generated.').isA('opt-out');
  });
});

describe('ignore', () => {
  it('a message not looked at is ignored, with the reason it was not', () => {
    given(headers({ from: { address: 'news@shop.example.net' } }), 'Big sale').is({ kind: 'ignore', reason: 'not-ours' });
  });

  it('classification refuses a clock without a zone it knows', () => {
    const h = inThread();
    expect(() => classifyInbound({ headers: h, newText: '', fullText: '' }, matchInbound(h, known), known, { now: clock.now, zone: 'Nowhere/Town' })).toThrow(
      /zone/,
    );
  });
});

import { describe, it } from 'vitest';
import { contactDecider, type ContactCommand } from '../../../src/domain/contact.ts';
import type { InboundFact } from '../../../src/domain/inbound-record.ts';
import { workspaceDecider } from '../../../src/domain/workspace.ts';
import { deciderSpec } from '../../support/decider-spec.ts';
import { configured, CONTACT_ID, contactAdded, MEETING_ID, NOW } from '../../support/domain-fixtures.ts';

const spec = deciderSpec(contactDecider, undefined);
const inbound = (fact: Omit<InboundFact, 'contactId'> & Record<string, unknown>): ContactCommand => ({
  type: 'RecordInbound',
  inbound: { contactId: CONTACT_ID, ...fact } as InboundFact,
  now: NOW,
});
const bounce = (recipient = 'ada@example.org') =>
  inbound({ kind: 'bounce', meetingId: MEETING_ID, recipient, status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 <ada@example.org>: User unknown' });

describe('mail read in the seeker’s mailbox', () => {
  it('a person’s reply is recorded as a reply read in the mailbox, its excerpt as the summary', () => {
    spec
      .given([contactAdded()])
      .when(inbound({ kind: 'reply', meetingId: MEETING_ID, excerpt: 'Happy to talk on Thursday.' }))
      .then([{ type: 'ReplyReceived', data: { summary: 'Happy to talk on Thursday.', source: 'mailbox', meetingId: MEETING_ID, receivedAt: NOW } }]);
  });

  it('a reply’s excerpt keeps no control character or bidirectional override a message may carry', () => {
    spec
      .given([contactAdded()])
      .when(inbound({ kind: 'reply', excerpt: '\u202eHappy\u0000 to talk.\u2066' }))
      .then([{ type: 'ReplyReceived', data: { summary: 'Happy to talk.', source: 'mailbox', receivedAt: NOW } }]);
  });

  it('nothing is recorded about a forgotten contact: their words are not kept again', () => {
    spec
      .given([contactAdded(), { type: 'ContactForgotten', data: { forgottenAt: NOW } }])
      .when(inbound({ kind: 'reply', excerpt: 'Hello again' }))
      .thenNothing();
  });

  it('an automatic answer is never a reply: it is recorded with the day the person is back', () => {
    spec
      .given([contactAdded()])
      .when(inbound({ kind: 'auto-reply', meetingId: MEETING_ID, returnsOn: '2026-12-14', signal: 'Auto-Submitted: auto-replied' }))
      .then([{ type: 'AutoReplyReceived', data: { meetingId: MEETING_ID, returnsOn: '2026-12-14', signal: 'Auto-Submitted: auto-replied', receivedAt: NOW } }]);
  });

  it('a permanent failure of the contact’s address suppresses it, with the SMTP code the report quotes', () => {
    spec
      .given([contactAdded()])
      .when(bounce())
      .then([
        {
          type: 'EmailBounced',
          data: {
            effect: 'delivery-report',
            email: 'ada@example.org',
            code: 550,
            reason: '5.1.1 smtp; 550 5.1.1 <ada@example.org>: User unknown',
            meetingId: MEETING_ID,
            bouncedAt: NOW,
          },
        },
      ]);
  });

  it('a report about an address the contact no longer has suppresses nothing', () => {
    spec
      .given([contactAdded({ email: 'ada@new.example' })])
      .when(bounce())
      .thenNothing();
  });

  it('an address already suppressed is not suppressed again', () => {
    spec
      .given([contactAdded(), { type: 'EmailBounced', data: { effect: 'nudge:x', email: 'ada@example.org', code: 550, reason: 'no', bouncedAt: NOW } }])
      .when(bounce())
      .thenNothing();
  });

  it('a delay is noted and suppresses nothing', () => {
    spec
      .given([contactAdded()])
      .when(inbound({ kind: 'delayed', recipient: 'ada@example.org', status: '4.4.1' }))
      .then([{ type: 'EmailDelayed', data: { email: 'ada@example.org', status: '4.4.1', notedAt: NOW } }]);
  });

  it('a reply asking to stop opts the contact out, once', () => {
    spec
      .given([contactAdded()])
      .when(inbound({ kind: 'opt-out', excerpt: 'Please remove me' }))
      .then([{ type: 'ContactOptedOut', data: { source: 'reply', optedOutAt: NOW } }]);
    spec
      .given([contactAdded(), { type: 'ContactOptedOut', data: { source: 'seeker', optedOutAt: NOW } }])
      .when(inbound({ kind: 'opt-out', excerpt: 'Please remove me' }))
      .thenNothing();
  });
});

describe('the mailbox connection', () => {
  const ws = deciderSpec(workspaceDecider, undefined);
  it('a refused password is recorded once, however often the worker meets it', () => {
    const disconnect = { type: 'DisconnectMailbox', provider: 'imap', reason: 'auth-failed', now: NOW } as const;
    ws.given([configured()])
      .when(disconnect)
      .then([{ type: 'MailboxDisconnected', data: { provider: 'imap', reason: 'auth-failed', disconnectedAt: NOW } }]);
    ws.given([configured(), { type: 'MailboxDisconnected', data: { provider: 'imap', reason: 'auth-failed', disconnectedAt: NOW } }])
      .when(disconnect)
      .thenNothing();
  });

  it('a mailbox read again after a disconnection is recorded as connected, and only then', () => {
    const connect = { type: 'ConnectMailbox', provider: 'imap', now: NOW } as const;
    ws.given([configured(), { type: 'MailboxDisconnected', data: { provider: 'imap', reason: 'auth-failed', disconnectedAt: NOW } }])
      .when(connect)
      .then([{ type: 'MailboxConnected', data: { provider: 'imap', connectedAt: NOW } }]);
    ws.given([configured(), { type: 'MailboxConnected', data: { provider: 'imap', connectedAt: NOW } }])
      .when(connect)
      .thenNothing();
  });
});

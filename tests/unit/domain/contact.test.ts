import { describe, it } from 'vitest';
import { contactDecider, type ContactCommand } from '../../../src/domain/contact.ts';
import type { ContactEvent } from '../../../src/domain/events.ts';
import { deciderSpec } from '../../support/decider-spec.ts';
import { contactAdded, NOW } from '../../support/domain-fixtures.ts';

const spec = deciderSpec(contactDecider, undefined);
const keepInTouch: ContactCommand = { type: 'RecordKeepInTouchSent', messageId: '<k1@outreach>', now: NOW };
const updateWritten: ContactEvent = {
  type: 'ContactUpdateWritten',
  data: { text: 'I started the data course you recommended.', writtenAt: '2026-11-30T10:00:00.000Z' },
};

describe('contact', () => {
  it('a contact is added once', () => {
    spec
      .given([contactAdded()])
      .when({ type: 'AddContact', contact: contactAdded().data as never, now: NOW })
      .thenRefused('illegal_state', /already exists/);
  });

  it('a keep-in-touch note goes to a contact with an address once the seeker wrote an update', () => {
    spec
      .given([contactAdded(), updateWritten])
      .when(keepInTouch)
      .then([{ type: 'KeepInTouchSent', data: { messageId: '<k1@outreach>', sentAt: NOW } }]);
  });

  it('no keep-in-touch note without an update from the seeker', () => {
    spec
      .given([contactAdded()])
      .when(keepInTouch)
      .thenRefused('illegal_state', /no update written/);
  });

  it('an update goes with one note only: the next needs a new one', () => {
    spec
      .given([contactAdded(), updateWritten, { type: 'KeepInTouchSent', data: { messageId: '<k0@outreach>', sentAt: '2026-11-29T12:00:00.000Z' } }])
      .when(keepInTouch)
      .thenRefused('illegal_state', /no update written/);
  });

  it('an update is written about an existing contact', () => {
    spec
      .given([])
      .when({ type: 'WriteUpdate', text: 'I started the course', now: NOW })
      .thenRefused('illegal_state', /does not exist/);
  });

  it('no email to a contact who opted out', () => {
    spec
      .given([contactAdded(), { type: 'ContactOptedOut', data: { source: 'seeker', optedOutAt: NOW } }])
      .when(keepInTouch)
      .thenRefused('illegal_state', /opted out/);
  });

  it('no email to a contact who was forgotten', () => {
    spec
      .given([contactAdded(), { type: 'ContactForgotten', data: { forgottenAt: NOW } }])
      .when(keepInTouch)
      .thenRefused('illegal_state', /forgotten/);
  });

  it('no email to a contact without an address', () => {
    spec
      .given([contactAdded({ email: undefined })])
      .when(keepInTouch)
      .thenRefused('illegal_state', /no email address/);
  });

  it("keep-in-touch stops when the contact replied after the update was written: the reply is the seeker's to answer", () => {
    spec
      .given([contactAdded(), updateWritten, { type: 'ReplyReceived', data: { receivedAt: NOW } }])
      .when(keepInTouch)
      .thenRefused('illegal_state', /replied/);
  });

  it('opting out twice records nothing new', () => {
    spec
      .given([contactAdded(), { type: 'ContactOptedOut', data: { source: 'seeker', optedOutAt: NOW } }])
      .when({ type: 'OptOut', source: 'unsubscribe-link', now: NOW })
      .thenNothing();
  });

  it("a forgotten contact's details cannot be changed", () => {
    spec
      .given([contactAdded(), { type: 'ContactForgotten', data: { forgottenAt: NOW } }])
      .when({ type: 'ChangeContactDetails', changes: { role: 'CTO' }, now: NOW })
      .thenRefused('illegal_state', /forgotten/);
  });

  it('forgetting a contact twice records nothing new', () => {
    spec
      .given([contactAdded(), { type: 'ContactForgotten', data: { forgottenAt: NOW } }])
      .when({ type: 'ForgetContact', now: NOW })
      .thenNothing();
  });

  it('no email to an address that bounced', () => {
    spec
      .given([
        contactAdded(),
        { type: 'EmailBounced', data: { effect: 'thank-you:x', email: 'ada@example.org', code: 550, reason: 'no such user', bouncedAt: NOW } },
      ])
      .when(keepInTouch)
      .thenRefused('illegal_state', /bounced/);
  });

  it('a new address lifts the suppression of the one that bounced', () => {
    spec
      .given([
        contactAdded(),
        { type: 'EmailBounced', data: { effect: 'thank-you:x', email: 'ada@example.org', code: 550, reason: 'no such user', bouncedAt: NOW } },
        { type: 'ContactDetailsChanged', data: { changes: { email: 'ada@new.example' }, changedAt: NOW } },
        updateWritten,
      ])
      .when(keepInTouch)
      .then([{ type: 'KeepInTouchSent', data: { messageId: '<k1@outreach>', sentAt: NOW } }]);
  });

  it('a bounce is recorded once per address', () => {
    spec
      .given([
        contactAdded(),
        { type: 'EmailBounced', data: { effect: 'thank-you:x', email: 'ada@example.org', code: 550, reason: 'no such user', bouncedAt: NOW } },
      ])
      .when({ type: 'RecordEmailBounced', effect: 'nudge:y', code: 550, reason: 'no such user', now: NOW })
      .thenNothing();
  });

  it('a meeting can be linked only to a contact that exists', () => {
    spec
      .given([])
      .when({ type: 'LinkMeeting', meetingId: '01a22886-cd0e-72c7-98fb-c8b5ea28f5ff', now: NOW })
      .thenRefused('illegal_state', /does not exist/);
  });
});

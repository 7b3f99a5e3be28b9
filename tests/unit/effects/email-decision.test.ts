import { describe, expect, it } from 'vitest';
import { decideEmail } from '../../../src/app/effects/email/decide.ts';
import type { EmailEffectData, EmailFacts } from '../../../src/app/effects/email/facts.ts';
import { effectKey, type EmailEffect } from '../../../src/app/effects/effect.ts';
import type { MeetingEvent } from '../../../src/domain/events.ts';
import { booked, CONTACT_ID, contactAdded, held, MEETING_ID, outreachSent, requested } from '../../support/domain-fixtures.ts';
import { contactOf, LATER_EVENT, meetingOf, reachable, seeker, SOURCE_EVENT, WORKSPACE } from '../../support/effect-facts.ts';
import { effectSpec } from '../../support/effect-spec.ts';

const NOW = '2026-11-25T16:00:00Z';
const spec = effectSpec(decideEmail);
const job = (kind: EmailEffect, sourceEventId = SOURCE_EVENT): EmailEffectData => ({
  key: effectKey(kind, sourceEventId),
  kind,
  sourceEventId,
  workspaceId: WORKSPACE,
  contactId: CONTACT_ID,
  meetingId: MEETING_ID,
});
const facts = (over: Partial<EmailFacts> & { meetingEvents?: MeetingEvent[] } = {}): EmailFacts => {
  const { meetingEvents = [requested(), outreachSent, booked(), held()], ...rest } = over;
  return {
    ws: seeker().config,
    contact: reachable(),
    contactExists: true,
    meeting: meetingOf(...meetingEvents),
    done: false,
    latestBookingEventId: SOURCE_EVENT,
    content: {},
    ...rest,
  };
};
const ctx = { now: NOW };
const upcoming = [requested(), outreachSent, booked('2026-12-02T10:00:00-05:00')];

describe('email effect decision', () => {
  it('an email for a workspace that is not configured is skipped', () => {
    spec
      .given(facts({ ws: undefined }))
      .when(job('thank-you'), ctx)
      .thenSkipped('the workspace is not configured');
  });

  it('an email about a contact who does not exist is skipped', () => {
    spec
      .given(facts({ contactExists: false }))
      .when(job('thank-you'), ctx)
      .thenSkipped('the contact does not exist');
  });

  it('an email whose result event is stored is not sent again', () => {
    spec
      .given(facts({ done: true }))
      .when(job('thank-you'), ctx)
      .thenSkipped('already done: its result event is stored');
  });

  it('a thank-you to a contact who opted out is skipped by the rule that would record it', () => {
    const optedOut = contactOf(contactAdded(), { type: 'ContactOptedOut', data: { source: 'seeker', optedOutAt: NOW } });
    spec
      .given(facts({ contact: optedOut }))
      .when(job('thank-you'), ctx)
      .thenSkipped('no thank-you: the contact opted out');
  });

  it("a thank-you goes to the contact, answers the request in its thread and is recorded as the meeting's thank-you", () => {
    spec
      .given(facts())
      .when(job('thank-you'), ctx)
      .thenPerformed((intent) => {
        expect(intent.to).toEqual({ name: 'Ada Lovelace', email: 'ada@example.org' });
        expect(intent.from).toEqual({ name: 'Sam Seeker', email: 'sam@example.com' });
        expect(intent.template).toBe('thank-you');
        expect(intent.thread).toEqual({ inReplyTo: '<m1@outreach>', references: ['<m1@outreach>'] });
        expect(intent.record).toMatchObject({ on: 'meeting', meetingId: MEETING_ID, command: { type: 'RecordThankYouSent', messageId: intent.messageId } });
        expect(intent.unsubscribe).toEqual({ workspaceId: WORKSPACE, contactId: CONTACT_ID });
      });
  });

  it("the Message-ID derives from the effect key, in the seeker's domain unless one is configured", () => {
    const first = facts();
    let id = '';
    spec
      .given(first)
      .when(job('thank-you'), ctx)
      .thenPerformed((intent) => {
        id = intent.messageId;
      });
    expect(id).toMatch(/^<[0-9a-f-]{36}@example\.com>$/);
    spec
      .given(first)
      .when(job('thank-you'), ctx)
      .thenPerformed((intent) => expect(intent.messageId).toBe(id));
    spec
      .given(first)
      .when(job('thank-you'), { now: NOW, messageDomain: 'mail.example.net' })
      .thenPerformed((intent) => expect(intent.messageId).toMatch(/@mail\.example\.net>$/));
  });

  it("mail to a contact counts against the seeker's daily limit, in the seeker's zone", () => {
    spec
      .given(facts())
      .when(job('thank-you'), ctx)
      .thenPerformed((intent) => {
        expect(intent.dailyLimit).toMatchObject({ workspaceId: WORKSPACE, limit: 50, window: { zone: 'Europe/London' } });
      });
  });

  it('the prep brief goes to the seeker, with no unsubscribe link, outside the daily limit', () => {
    spec
      .given(facts({ meetingEvents: upcoming }))
      .when(job('prep-brief'), ctx)
      .thenPerformed((intent) => {
        expect(intent.to.email).toBe('sam@example.com');
        expect(intent.unsubscribe).toBeUndefined();
        expect(intent.dailyLimit).toBeUndefined();
      });
  });

  it('a confirmation made for an older booking time is skipped', () => {
    spec
      .given(facts({ meetingEvents: upcoming, latestBookingEventId: LATER_EVENT }))
      .when(job('booking-confirmation'), ctx)
      .thenSkipped('superseded by a later booking time');
  });

  it('a confirmation for a meeting that has already started is skipped', () => {
    spec
      .given(facts({ meetingEvents: [requested(), booked('2026-11-25T10:00:00-05:00')] }))
      .when(job('booking-confirmation'), ctx)
      .thenSkipped('the meeting has already started');
  });

  it('a confirmation carries the invitation of the current booking and records it as the ics event', () => {
    spec
      .given(facts({ meetingEvents: upcoming }))
      .when(job('booking-confirmation'), ctx)
      .thenPerformed((intent) => {
        expect(intent.invitation).toMatchObject({
          method: 'REQUEST',
          sequence: 0,
          uid: `${MEETING_ID}@example.com`,
          start: '2026-12-02T10:00:00-05:00',
          minutes: 20,
        });
        expect(intent.record.command).toMatchObject({
          type: 'RecordCalendarEvent',
          change: 'created',
          provider: 'ics',
          calendarEventId: `${MEETING_ID}@example.com`,
        });
      });
  });

  it('a cancellation carries a CANCEL invitation with the sequence raised', () => {
    const cancelled: MeetingEvent = { type: 'MeetingCancelled', data: { by: 'seeker', source: 'seeker', cancelledAt: NOW } };
    spec
      .given(facts({ meetingEvents: [...upcoming, cancelled] }))
      .when(job('calendar-cancel'), ctx)
      .thenPerformed((intent) => {
        expect(intent.template).toBe('meeting-cancelled');
        expect(intent.invitation).toMatchObject({ method: 'CANCEL', sequence: 1 });
      });
  });

  it('a keep-in-touch note whose touch was followed by a later one is skipped', () => {
    const touched = contactOf(contactAdded(), { type: 'KeepInTouchSent', data: { messageId: '<k2@x>', sentAt: '2026-11-24T10:00:00Z' } });
    spec
      .given(facts({ contact: touched, sourceTouchAt: '2026-10-01T10:00:00Z' }))
      .when({ ...job('keep-in-touch'), meetingId: undefined } as never, ctx)
      .thenSkipped('a later touch started its own keep-in-touch');
  });

  it('a request through a gatekeeper is written with the gatekeeper template', () => {
    spec
      .given(facts({ meetingEvents: [requested({ via: 'gatekeeper' })] }))
      .when(job('request-email'), ctx)
      .thenPerformed((intent) => {
        expect(intent.template).toBe('meeting-request-gatekeeper');
        expect(intent.record.command.type).toBe('RecordOutreachEmailSent');
      });
  });

  it('a nudge after the contact replied is skipped', () => {
    const replied = contactOf(contactAdded(), { type: 'ReplyReceived', data: { receivedAt: '2026-11-22T10:00:00Z' } });
    spec
      .given(facts({ contact: replied, meetingEvents: [requested(), outreachSent] }))
      .when(job('nudge'), ctx)
      .thenSkipped('no nudge: the contact replied');
  });
});

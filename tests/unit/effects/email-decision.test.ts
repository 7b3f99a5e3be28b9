import { describe, expect, it } from 'vitest';
import { decideEmail } from '../../../src/app/effects/email/decide.ts';
import type { EmailEffectData, EmailFacts } from '../../../src/app/effects/email/facts.ts';
import { effectKey, type EmailEffect } from '../../../src/app/effects/effect.ts';
import type { ContactEvent, MeetingEvent } from '../../../src/domain/events.ts';
import type { Draft } from '../../../src/domain/drafts.ts';
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
const GATEKEEPER_ID = '01a22886-c6a0-70f9-ab35-52ff5a5432c9';
const gatekeeper = contactOf(contactAdded({ contactId: GATEKEEPER_ID, name: 'Dana Reyes', email: 'dana@front.example', role: 'receptionist' }));
const viaGatekeeper = requested({ via: 'gatekeeper', gatekeeperContactId: GATEKEEPER_ID });
const noReview = { ...seeker().config!, review: 'none' as const };
const written: ContactEvent = { type: 'ContactUpdateWritten', data: { text: 'I started the data course you recommended.', writtenAt: '2026-11-24T09:00:00Z' } };
const draftOf = (status: 'waiting' | 'approved' | 'discarded'): Draft => ({
  draftId: '01a22886-0000-7000-8000-0000000000d1',
  effect: effectKey('request-email', SOURCE_EVENT),
  kind: 'request-email',
  meetingId: MEETING_ID,
  toContactId: CONTACT_ID,
  subject: 'Edited subject',
  text: 'Edited text',
  draftedAt: '2026-11-20T10:00:00Z',
  status,
});
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

  it('a confirmation carries no .ics when the connected Google Calendar sends the invitation, and says so', () => {
    spec
      .given(facts({ meetingEvents: upcoming, calendarConnected: true }))
      .when(job('booking-confirmation'), { ...ctx, calendarSendsInvites: true })
      .thenPerformed((intent) => {
        expect(intent.invitation).toBeUndefined();
        expect(intent.variables['invitationFrom']).toBe('The invitation comes from my calendar, in a separate email.');
      });
  });

  it('a confirmation carries its .ics when Google sends invitations but this seeker has not connected a calendar', () => {
    spec
      .given(facts({ meetingEvents: upcoming, calendarConnected: false }))
      .when(job('booking-confirmation'), { ...ctx, calendarSendsInvites: true })
      .thenPerformed((intent) => {
        expect(intent.invitation).toMatchObject({ method: 'REQUEST' });
        expect(intent.variables['invitationFrom']).toBeUndefined();
      });
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
    const touched = contactOf(contactAdded(), written, { type: 'KeepInTouchSent', data: { messageId: '<k2@x>', sentAt: '2026-11-24T10:00:00Z' } }, written);
    spec
      .given(facts({ contact: touched, sourceTouchAt: '2026-10-01T10:00:00Z' }))
      .when({ ...job('keep-in-touch'), meetingId: undefined } as never, ctx)
      .thenSkipped('a later touch started its own keep-in-touch');
  });

  it("by default a first request waits as a draft for the seeker's review", () => {
    const d = decideEmail(job('request-email'), facts({ meetingEvents: [requested()] }), ctx);
    expect(d.decision).toBe('draft');
  });

  it('with review off a first request goes when due', () => {
    spec
      .given(facts({ meetingEvents: [requested()], ws: noReview }))
      .when(job('request-email'), ctx)
      .thenPerformed();
  });

  it("a first request goes only in the recipient's business hours: due on a Saturday, it waits for Monday morning", () => {
    spec
      .given(facts({ meetingEvents: [requested()], ws: noReview }))
      .when(job('request-email'), { now: '2026-11-28T10:00:00Z' })
      .thenDeferred('2026-11-30T09:00:00Z', /business hours/);
  });

  it('a first request held for review is drafted at any hour, so the seeker can read it at once', () => {
    const d = decideEmail(job('request-email'), facts({ meetingEvents: [requested()] }), { now: '2026-11-28T10:00:00Z' });
    expect(d.decision).toBe('draft');
  });

  it('with review of every email a thank-you is drafted too; with first-touch it goes', () => {
    expect(decideEmail(job('thank-you'), facts({ ws: { ...seeker().config!, review: 'all' } }), ctx).decision).toBe('draft');
    expect(decideEmail(job('thank-you'), facts(), ctx).decision).toBe('perform');
  });

  it('a drafted email waits for its review instead of being drafted again', () => {
    spec
      .given(facts({ meetingEvents: [requested()], draft: draftOf('waiting') }))
      .when(job('request-email'), ctx)
      .thenSkipped(/waiting for the seeker's review/);
  });

  it("an approved draft goes by its approval's job, with the approved words, and its own job stands aside", () => {
    const approved = facts({ meetingEvents: [requested()], draft: draftOf('approved') });
    spec.given(approved).when(job('request-email'), ctx).thenSkipped('its draft was approved: it goes by the approval');
    spec
      .given(approved)
      .when(job('request-email'), { ...ctx, approved: true })
      .thenPerformed((intent) => {
        expect(intent.content).toEqual({ subject: 'Edited subject', text: 'Edited text' });
      });
  });

  it('a draft the contact answered meanwhile is withdrawn, not sent', () => {
    const replied = contactOf(contactAdded(), { type: 'ReplyReceived', data: { receivedAt: '2026-11-21T10:00:00Z' } });
    spec
      .given(facts({ contact: replied, meetingEvents: [requested()], draft: draftOf('approved') }))
      .when(job('request-email'), { ...ctx, approved: true })
      .thenSkipped('its draft was withdrawn: the contact replied');
  });

  it('a keep-in-touch note without an update from the seeker waits for one', () => {
    spec
      .given(facts({ meetingEvents: [] }))
      .when({ ...job('keep-in-touch'), meetingId: undefined } as never, ctx)
      .thenDeferred('2026-11-26T09:00:00Z', /waiting for the seeker's update/);
  });

  it("a keep-in-touch note carries the seeker's update", () => {
    spec
      .given(facts({ contact: contactOf(contactAdded(), written), meetingEvents: [] }))
      .when({ ...job('keep-in-touch'), meetingId: undefined } as never, ctx)
      .thenPerformed((intent) => expect(intent.variables['update']).toBe('I started the data course you recommended.'));
  });

  it('the thank-you quotes the insight, names the referrals given and asks for no more names after two', () => {
    const insightful = held();
    (insightful.data as { insights?: string }).insights = 'Portfolio work beats certificates.';
    spec
      .given(facts({ meetingEvents: [requested(), outreachSent, booked(), insightful], content: { referralNames: ['Dan Lee', 'Erin Shaw'] } }))
      .when(job('thank-you'), ctx)
      .thenPerformed((intent) => {
        expect(intent.variables).toMatchObject({
          insight: 'portfolio work beats certificates',
          referralNames: 'Dan Lee and Erin Shaw',
          askForNames: '',
          cards: 'your business card',
        });
      });
  });

  it('the first request\'s subject is kept so that follow-ups answer it as "Re:"', () => {
    const sent: MeetingEvent = {
      type: 'OutreachEmailSent',
      data: { messageId: '<m1@outreach>', sentAt: '2026-11-20T10:01:00Z', subject: 'Dan Lee suggested I get in touch' },
    };
    spec
      .given(facts({ meetingEvents: [requested(), sent] }))
      .when(job('nudge'), ctx)
      .thenPerformed((intent) => expect(intent.variables['originalSubject']).toBe('Dan Lee suggested I get in touch'));
  });

  it('a nudge after the contact replied is skipped', () => {
    const replied = contactOf(contactAdded(), { type: 'ReplyReceived', data: { receivedAt: '2026-11-22T10:00:00Z' } });
    spec
      .given(facts({ contact: replied, meetingEvents: [requested(), outreachSent] }))
      .when(job('nudge'), ctx)
      .thenSkipped('no nudge: the contact replied');
  });
});

describe('email effect decision through a gatekeeper', () => {
  it("a request through a gatekeeper goes to the gatekeeper, with the gatekeeper template, recorded as the gatekeeper's email", () => {
    spec
      .given(facts({ meetingEvents: [viaGatekeeper], content: { gatekeeper }, ws: noReview }))
      .when(job('gatekeeper-request'), ctx)
      .thenPerformed((intent) => {
        expect(intent.to).toEqual({ name: 'Dana Reyes', email: 'dana@front.example' });
        expect(intent.toContactId).toBe(GATEKEEPER_ID);
        expect(intent.template).toBe('meeting-request-gatekeeper');
        expect(intent.variables).toMatchObject({ gatekeeperFirstName: 'Dana', contactName: 'Ada Lovelace' });
        expect(intent.record.command.type).toBe('RecordGatekeeperEmailSent');
        expect(intent.bounce.contactId).toBe(GATEKEEPER_ID);
      });
  });

  it('the person sought gets no request until the gatekeeper has introduced the seeker', () => {
    spec
      .given(facts({ meetingEvents: [viaGatekeeper], content: { gatekeeper }, ws: noReview }))
      .when(job('request-email'), ctx)
      .thenSkipped('no request email: it waits for the gatekeeper to introduce you');
  });

  it('after the introduction the request goes to the person sought and says who introduced them', () => {
    const introduced: MeetingEvent = { type: 'GatekeeperIntroduced', data: { introducedAt: '2026-11-24T10:00:00Z' } };
    spec
      .given(facts({ meetingEvents: [viaGatekeeper, introduced], content: { gatekeeper }, ws: noReview }))
      .when(job('request-email'), ctx)
      .thenPerformed((intent) => {
        expect(intent.to.email).toBe('ada@example.org');
        expect(intent.variables['introducedByName']).toBe('Dana Reyes');
      });
  });

  it('the nudge to a gatekeeper answers the email to the gatekeeper, in its thread', () => {
    const sent: MeetingEvent = {
      type: 'GatekeeperEmailSent',
      data: { messageId: '<g1@outreach>', sentAt: '2026-11-18T10:00:00Z', subject: 'Could you help me reach Ada Lovelace?' },
    };
    spec
      .given(facts({ meetingEvents: [viaGatekeeper, sent], content: { gatekeeper } }))
      .when(job('gatekeeper-nudge'), ctx)
      .thenPerformed((intent) => {
        expect(intent.to.email).toBe('dana@front.example');
        expect(intent.thread).toEqual({ inReplyTo: '<g1@outreach>', references: ['<g1@outreach>'] });
        expect(intent.variables['originalSubject']).toBe('Could you help me reach Ada Lovelace?');
      });
  });
});

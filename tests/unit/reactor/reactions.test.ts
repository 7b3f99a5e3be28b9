import { describe, expect, it } from 'vitest';
import type { Reaction } from '../../../src/app/effects/effect.ts';
import { NO_REACTION, REACTIONS, type ReactionFacts } from '../../../src/app/reactor/reactions.ts';
import type { EventType } from '../../../src/domain/events.ts';
import type { StoredEvent } from '../../../src/eventstore/port.ts';
import { booked, configured, CONTACT_ID, contactAdded, MEETING_ID, outreachSent, requested } from '../../support/domain-fixtures.ts';
import { contactOf, meetingOf, SOURCE_EVENT, workspaceOf, WORKSPACE } from '../../support/effect-facts.ts';

/** Given the facts, when an event of this type is stored, then the reactor's table asks for this. */
const when = (type: EventType, data: unknown, stream: string, facts: Partial<ReactionFacts> = {}): Reaction => {
  const event: StoredEvent = {
    id: SOURCE_EVENT,
    stream,
    revision: 0,
    position: 1n,
    type,
    data,
    metadata: { workspaceId: WORKSPACE },
    createdAt: '2026-11-30T12:00:00Z',
  } as StoredEvent;
  const rule = REACTIONS[type];
  return rule ? rule.react(event, { workspace: workspaceOf(configured()), ...facts }) : NO_REACTION;
};
const onMeeting = `meeting-${MEETING_ID}`;
const onContact = `contact-${CONTACT_ID}`;
const kinds = (r: Reaction) => r.schedule.map((j) => j.data.kind);
const withMeeting = { meeting: meetingOf(requested(), outreachSent, booked()), contact: contactOf(contactAdded({ timezone: 'America/New_York' })) };
const connected = workspaceOf(configured(), {
  type: 'CalendarConnected',
  data: { provider: 'google', calendarId: 'primary', connectedAt: '2026-11-01T00:00:00Z' },
});

describe("the reactor's table", () => {
  it("a request by email that no one reviews is scheduled at the next business moment in the contact's zone", () => {
    const r = when('MeetingRequested', requested({ requestedAt: '2026-11-28T10:00:00Z' }).data, onMeeting, {
      workspace: workspaceOf(configured({ review: 'none' })),
      contact: contactOf(contactAdded({ timezone: 'America/New_York' })),
    });
    expect(r.schedule).toEqual([
      expect.objectContaining({
        queue: 'email',
        dueAt: '2026-11-30T14:00:00Z',
        data: expect.objectContaining({ kind: 'request-email', key: `request-email:${SOURCE_EVENT}` }),
      }),
    ]);
  });

  it('a request by email held for review is drafted at once, so the seeker can read it before business hours', () => {
    // Saturday: under first-touch review (the default) the draft is made now; its approval sends it in business hours.
    const r = when('MeetingRequested', requested({ requestedAt: '2026-11-28T10:00:00Z' }).data, onMeeting, {
      contact: contactOf(contactAdded({ timezone: 'America/New_York' })),
    });
    expect(r.schedule).toEqual([expect.objectContaining({ dueAt: '2026-11-28T10:00:00Z', data: expect.objectContaining({ kind: 'request-email' }) })]);
  });

  it('a request by phone sends nothing', () => {
    expect(when('MeetingRequested', requested({ channel: 'phone' }).data, onMeeting)).toEqual(NO_REACTION);
  });

  it('nothing is scheduled for a workspace that is not configured', () => {
    expect(when('MeetingRequested', requested().data, onMeeting, { workspace: workspaceOf() })).toEqual(NO_REACTION);
  });

  it('a sent request schedules its nudge the nudge delay later, in business hours', () => {
    const r = when('OutreachEmailSent', { messageId: '<m@x>', sentAt: '2026-11-30T15:00:00Z' }, onMeeting, withMeeting);
    expect(r.schedule.map((j) => [j.data.kind, j.dueAt])).toEqual([['nudge', '2026-12-07T14:00:00Z']]);
  });

  it('a booking schedules the confirmation, the prep brief and the .ics file, and withdraws the nudges', () => {
    const r = when('MeetingBooked', booked().data, onMeeting, withMeeting);
    expect(kinds(r)).toEqual(['booking-confirmation', 'prep-brief', 'calendar-file']);
    expect(r.cancel).toEqual([
      {
        scope: `meeting:${MEETING_ID}`,
        kinds: ['nudge', 'request-email', 'gatekeeper-request', 'gatekeeper-nudge', 'booking-confirmation', 'prep-brief'],
        because: 'MeetingBooked',
      },
    ]);
  });

  it('with a calendar connected a booking also creates the Google event', () => {
    expect(kinds(when('MeetingBooked', booked().data, onMeeting, { ...withMeeting, workspace: connected }))).toContain('google-create');
  });

  it('a time moved in the calendar is not pushed back to it', () => {
    const moved = { start: '2026-11-26T10:00:00-05:00', minutes: 20, timezone: 'America/New_York', source: 'calendar', rescheduledAt: '2026-11-22T00:00:00Z' };
    expect(kinds(when('MeetingRescheduled', moved, onMeeting, { ...withMeeting, workspace: connected }))).not.toContain('google-update');
    expect(kinds(when('MeetingRescheduled', { ...moved, source: 'seeker' }, onMeeting, { ...withMeeting, workspace: connected }))).toContain('google-update');
  });

  it('cancelling a booked meeting sends the cancellation and updates the calendars', () => {
    const r = when('MeetingCancelled', { by: 'seeker', source: 'seeker', cancelledAt: '2026-11-22T00:00:00Z' }, onMeeting, {
      ...withMeeting,
      workspace: connected,
    });
    expect(kinds(r)).toEqual(['calendar-cancel', 'calendar-file', 'google-delete']);
  });

  it('cancelling a request never booked only withdraws what was pending', () => {
    const r = when('MeetingCancelled', { by: 'seeker', source: 'seeker', cancelledAt: '2026-11-22T00:00:00Z' }, onMeeting, { meeting: meetingOf(requested()) });
    expect(r.schedule).toEqual([]);
    expect(r.cancel).toHaveLength(1);
  });

  it('a held meeting schedules the thank-you and withdraws the prep brief and the nudge', () => {
    const r = when('MeetingHeld', { heldAt: '2026-11-25T10:25:00-05:00', actualMinutes: 25, referralsAsked: 2, businessCards: 0 }, onMeeting, withMeeting);
    expect(r.schedule.map((j) => [j.data.kind, j.dueAt, j.priority])).toEqual([['thank-you', '2026-11-25T17:25:00Z', 1]]);
    expect(r.cancel).toEqual([{ scope: `meeting:${MEETING_ID}`, kinds: ['prep-brief', 'nudge'], because: 'MeetingHeld' }]);
  });

  it('a thank-you starts the keep-in-touch cadence', () => {
    const r = when('ThankYouSent', { messageId: '<t@x>', sentAt: '2026-11-25T17:25:00Z' }, onMeeting, withMeeting);
    expect(r.schedule.map((j) => [j.data.kind, j.data.contactId])).toEqual([['keep-in-touch', CONTACT_ID]]);
  });

  it('a reply withdraws the nudges and keep-in-touch notes', () => {
    expect(when('ReplyReceived', { receivedAt: '2026-11-25T00:00:00Z' }, onContact).cancel).toEqual([
      { scope: `contact:${CONTACT_ID}`, kinds: ['nudge', 'keep-in-touch'], because: 'ReplyReceived' },
    ]);
  });

  it('forgetting a contact withdraws everything pending for them and schedules the erasure of their copies', () => {
    const r = when('ContactForgotten', { forgottenAt: '2026-11-25T00:00:00Z' }, onContact);
    expect(kinds(r)).toEqual(['erase-copies']);
    expect(r.cancel).toEqual([{ scope: `contact:${CONTACT_ID}`, kinds: 'all', because: 'ContactForgotten' }]);
  });

  it('an opt-out and a bounce withdraw everything pending for the contact', () => {
    expect(when('ContactOptedOut', { source: 'seeker', optedOutAt: '2026-11-25T00:00:00Z' }, onContact).cancel[0]).toMatchObject({
      kinds: 'all',
      because: 'ContactOptedOut',
    });
    expect(when('EmailBounced', {}, onContact).cancel[0]).toMatchObject({ kinds: 'all', because: 'EmailBounced' });
  });

  it('connecting a calendar starts its poll and the backfill of its live meetings, disconnecting stops the poll', () => {
    expect(when('CalendarConnected', {}, `workspace-${WORKSPACE}`).polls).toEqual([{ workspaceId: WORKSPACE, on: true, backfillFrom: expect.any(String) }]);
    expect(when('CalendarDisconnected', {}, `workspace-${WORKSPACE}`).polls).toEqual([{ workspaceId: WORKSPACE, on: false }]);
  });
});

describe('an out-of-office answer', () => {
  const facts = { meeting: meetingOf(requested(), outreachSent), contact: contactOf(contactAdded({ timezone: 'America/New_York' })) };
  const auto = (over: Record<string, unknown>) => ({
    meetingId: MEETING_ID,
    signal: 'Auto-Submitted: auto-replied',
    receivedAt: '2026-11-21T09:00:00Z',
    ...over,
  });

  it('moves the nudge to the business day after the person is back, and withdraws the one of the request', () => {
    const r = when('AutoReplyReceived', auto({ returnsOn: '2026-12-14' }), onContact, facts);
    expect(r.schedule.map((j) => [j.data.kind, j.dueAt, j.data.key])).toEqual([['nudge', '2026-12-15T14:00:00Z', `nudge:${SOURCE_EVENT}`]]);
    expect(r.cancel).toEqual([{ scope: `meeting:${MEETING_ID}`, kinds: ['nudge'], because: 'AutoReplyReceived' }]);
  });

  it('without a return date, moves the nudge by the nudge delay from the answer', () => {
    const r = when('AutoReplyReceived', auto({}), onContact, facts);
    expect(r.schedule.map((j) => j.dueAt)).toEqual(['2026-11-26T14:00:00Z']);
  });

  it('never brings the nudge forward', () => {
    const r = when('AutoReplyReceived', auto({ returnsOn: '2026-11-21' }), onContact, facts);
    expect(r.schedule.map((j) => j.dueAt)).toEqual(['2026-11-25T14:00:00Z']);
  });

  it('moves nothing once the nudge went, or the meeting was booked', () => {
    const nudged = {
      ...facts,
      meeting: meetingOf(requested(), outreachSent, { type: 'NudgeSent', data: { messageId: '<n@x>', sentAt: '2026-11-25T14:00:00Z' } }),
    };
    expect(when('AutoReplyReceived', auto({}), onContact, nudged)).toEqual(NO_REACTION);
    expect(when('AutoReplyReceived', auto({}), onContact, withMeeting)).toEqual(NO_REACTION);
  });
});

import { describe, it } from 'vitest';
import { meetingDecider, type MeetingCommand } from '../../../src/domain/meeting.ts';
import type { ContactEvent, MeetingEvent } from '../../../src/domain/events.ts';
import type { ContactState } from '../../../src/domain/contact.ts';
import { deciderSpec } from '../../support/decider-spec.ts';
import { booked, contactAdded, contactWith, held, NOW, OTHER_ID, outreachSent, requested } from '../../support/domain-fixtures.ts';

const withContact = (contact: ContactState, openMeetingId?: string) => deciderSpec(meetingDecider, { contact, openMeetingId });
const reachable = withContact(contactWith(contactAdded()));
const optedOut: ContactEvent = { type: 'ContactOptedOut', data: { source: 'seeker', optedOutAt: '2026-11-22T00:00:00Z' } };
const replied: ContactEvent = { type: 'ReplyReceived', data: { receivedAt: '2026-11-22T00:00:00Z' } };

const request = (over: Partial<Extract<MeetingCommand, { type: 'RequestMeeting' }>['request']> = {}): MeetingCommand => ({
  type: 'RequestMeeting',
  request: requested(over).data as never,
  now: NOW,
});
const thankYou: MeetingCommand = { type: 'RecordThankYouSent', messageId: '<t1@outreach>', now: NOW };
const nudge: MeetingCommand = { type: 'RecordNudgeSent', messageId: '<n1@outreach>', now: NOW };
const hold = (heldAt = '2026-11-25T10:25:00-05:00'): MeetingCommand => ({ type: 'HoldMeeting', held: held(heldAt).data as never, now: NOW });

describe('meeting request', () => {
  it('a request by email goes to a contact with an address', () => {
    reachable.given([]).when(request()).then([requested()]);
  });

  it('no request by email to a contact without an address', () => {
    withContact(contactWith(contactAdded({ email: undefined })))
      .given([])
      .when(request())
      .thenRefused('illegal_state', /no email address/);
  });

  it('a request by phone may go to a contact without an address', () => {
    withContact(contactWith(contactAdded({ email: undefined })))
      .given([])
      .when(request({ channel: 'phone' }))
      .then([requested({ channel: 'phone' })]);
  });

  it('no request by email to a contact who opted out', () => {
    withContact(contactWith(contactAdded(), optedOut))
      .given([])
      .when(request())
      .thenRefused('illegal_state', /opted out/);
  });

  it('no request to a contact who was forgotten', () => {
    withContact(contactWith(contactAdded(), { type: 'ContactForgotten', data: { forgottenAt: NOW } }))
      .given([])
      .when(request({ channel: 'phone' }))
      .thenRefused('illegal_state', /forgotten/);
  });

  it('one open request per contact', () => {
    withContact(contactWith(contactAdded()), OTHER_ID)
      .given([])
      .when(request())
      .thenRefused('illegal_state', new RegExp(`open request \\(meeting ${OTHER_ID}\\)`));
  });
});

describe('booking and holding', () => {
  it('a meeting is booked with the start and its offset as given', () => {
    reachable
      .given([requested()])
      .when({ type: 'BookMeeting', booking: { start: '2026-11-25T10:00:00-05:00', minutes: 20, timezone: 'America/New_York' }, now: '2026-11-21T09:00:00Z' })
      .then([booked()]);
  });

  it('a meeting is held only after it was booked', () => {
    reachable
      .given([requested()])
      .when(hold())
      .thenRefused('illegal_state', /cannot record the meeting as held: the meeting is requested/);
  });

  it('a meeting is not held before its booked start', () => {
    reachable
      .given([requested(), booked()])
      .when(hold('2026-11-25T09:59:00-05:00'))
      .thenRefused('illegal_state', /before its booked start/);
  });

  it('a meeting is not recorded as held in the future', () => {
    reachable
      .given([requested(), booked('2026-12-25T10:00:00Z')])
      .when({ ...hold('2026-12-25T10:30:00Z'), now: NOW } as MeetingCommand)
      .thenRefused('illegal_state', /in the future/);
  });

  it('a held meeting records what was learned', () => {
    reachable.given([requested(), booked()]).when(hold()).then([held()]);
  });

  it('rescheduling to the time it already has records nothing', () => {
    reachable
      .given([requested(), booked()])
      .when({
        type: 'RescheduleMeeting',
        booking: { start: '2026-11-25T10:00:00-05:00', minutes: 20, timezone: 'America/New_York' },
        source: 'calendar',
        now: NOW,
      })
      .thenNothing();
  });

  it('an invitation not yet answered is not a response', () => {
    reachable.given([requested(), booked()]).when({ type: 'RecordAttendeeResponse', response: 'needsAction', now: NOW }).thenNothing();
  });

  it('an answer already recorded is not recorded again after a reschedule', () => {
    const moved: MeetingEvent = {
      type: 'MeetingRescheduled',
      data: { start: '2026-11-26T10:00:00-05:00', minutes: 20, timezone: 'America/New_York', source: 'seeker', rescheduledAt: NOW },
    };
    reachable
      .given([requested(), booked(), { type: 'AttendeeResponded', data: { response: 'accepted', respondedAt: NOW } }, moved])
      .when({ type: 'RecordAttendeeResponse', response: 'accepted', now: NOW })
      .thenNothing();
  });

  it('a time moved in the calendar is recorded with the version of the event it was read from', () => {
    const version = { etag: '"7"', updated: '2026-11-22T08:00:00.123Z', sequence: 2, start: '2026-11-26T15:00:00Z', minutes: 30 };
    reachable
      .given([requested(), booked()])
      .when({
        type: 'RescheduleMeeting',
        booking: { start: '2026-11-26T15:00:00Z', minutes: 30, timezone: 'UTC' },
        source: 'calendar',
        calendarVersion: version,
        now: NOW,
      })
      .then([
        {
          type: 'MeetingRescheduled',
          data: { start: '2026-11-26T15:00:00Z', minutes: 30, timezone: 'UTC', source: 'calendar', rescheduledAt: NOW, calendarVersion: version },
        },
      ]);
  });

  it('a Google write is recorded with the version Google answered', () => {
    const version = { etag: '"3"', updated: '2026-11-22T08:00:00.123Z', sequence: 0, start: '2026-11-25T15:00:00Z', minutes: 20 };
    reachable
      .given([requested(), booked()])
      .when({ type: 'RecordCalendarEvent', change: 'created', provider: 'google', calendarEventId: 'abcde12345', version, now: NOW })
      .then([{ type: 'CalendarEventCreated', data: { provider: 'google', calendarEventId: 'abcde12345', at: NOW, version } }]);
  });

  it('an edit in the calendar no meeting can take is recorded for the seeker to decide, once per version', () => {
    const edit = { reason: 'all-day' as const, date: '2026-11-26', calendarVersion: { etag: '"8"' } };
    reachable
      .given([requested(), booked()])
      .when({ type: 'RecordCalendarEditNeedingDecision', edit, now: NOW })
      .then([{ type: 'CalendarEditNeedsDecision', data: { ...edit, seenAt: NOW } }]);
    reachable
      .given([requested(), booked(), { type: 'CalendarEditNeedsDecision', data: { ...edit, seenAt: NOW } }])
      .when({ type: 'RecordCalendarEditNeedingDecision', edit, now: NOW })
      .thenNothing();
  });

  it('cancelling a cancelled meeting records nothing', () => {
    reachable
      .given([requested(), { type: 'MeetingCancelled', data: { by: 'contact', source: 'calendar', cancelledAt: NOW } }])
      .when({ type: 'CancelMeeting', by: 'seeker', source: 'seeker', now: NOW })
      .thenNothing();
  });

  it('a held meeting cannot be cancelled', () => {
    reachable
      .given([requested(), booked(), held()])
      .when({ type: 'CancelMeeting', by: 'seeker', source: 'seeker', now: NOW })
      .thenRefused('illegal_state', /the meeting is held/);
  });
});

describe('thank-you', () => {
  it('a held meeting gets its thank-you', () => {
    reachable
      .given([requested(), booked(), held()])
      .when(thankYou)
      .then([{ type: 'ThankYouSent', data: { messageId: '<t1@outreach>', sentAt: NOW } }]);
  });

  it('exactly one thank-you per held meeting', () => {
    reachable
      .given([requested(), booked(), held(), { type: 'ThankYouSent', data: { messageId: '<t0@outreach>', sentAt: NOW } }])
      .when(thankYou)
      .thenRefused('illegal_state', /already sent/);
  });

  it('no thank-you before the meeting was held', () => {
    reachable
      .given([requested(), booked()])
      .when(thankYou)
      .thenRefused('illegal_state', /the meeting is booked/);
  });

  it('no thank-you to a contact who opted out since the meeting', () => {
    withContact(contactWith(contactAdded(), optedOut))
      .given([requested(), booked(), held()])
      .when(thankYou)
      .thenRefused('illegal_state', /opted out/);
  });
});

describe('nudge', () => {
  it('one nudge goes when the request got no reply and no booking', () => {
    reachable
      .given([requested(), outreachSent])
      .when(nudge)
      .then([{ type: 'NudgeSent', data: { messageId: '<n1@outreach>', sentAt: NOW } }]);
  });

  it('only one nudge per request', () => {
    reachable
      .given([requested(), outreachSent, { type: 'NudgeSent', data: { messageId: '<n0@outreach>', sentAt: NOW } }])
      .when(nudge)
      .thenRefused('illegal_state', /already sent/);
  });

  it('nudges stop on a reply', () => {
    withContact(contactWith(contactAdded(), replied))
      .given([requested(), outreachSent])
      .when(nudge)
      .thenRefused('illegal_state', /replied/);
  });

  it('nudges stop on a booking', () => {
    reachable
      .given([requested(), outreachSent, booked()])
      .when(nudge)
      .thenRefused('illegal_state', /booked/);
  });

  it('nudges stop on a cancellation', () => {
    reachable
      .given([requested(), outreachSent, { type: 'MeetingCancelled', data: { by: 'contact', source: 'seeker', cancelledAt: NOW } }])
      .when(nudge)
      .thenRefused('illegal_state', /cancelled/);
  });

  it('nudges stop on an opt-out', () => {
    withContact(contactWith(contactAdded(), optedOut))
      .given([requested(), outreachSent])
      .when(nudge)
      .thenRefused('illegal_state', /opted out/);
  });
});

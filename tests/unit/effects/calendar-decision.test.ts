import { describe, expect, it } from 'vitest';
import { decideCalendar, waitAfterRefusal } from '../../../src/app/effects/calendar/decide.ts';
import { googleEventIdFor } from '../../../src/app/effects/calendar/event-id.ts';
import type { CalendarEffectData, CalendarFacts } from '../../../src/app/effects/calendar/facts.ts';
import { effectKey, type CalendarEffect } from '../../../src/app/effects/effect.ts';
import type { MeetingEvent } from '../../../src/domain/events.ts';
import { booked, configured, CONTACT_ID, MEETING_ID, requested } from '../../support/domain-fixtures.ts';
import { meetingOf, reachable, SOURCE_EVENT, workspaceOf, WORKSPACE } from '../../support/effect-facts.ts';
import { effectSpec } from '../../support/effect-spec.ts';

const NOW = '2026-11-22T16:00:00Z';
const spec = effectSpec(decideCalendar);
const job = (kind: CalendarEffect): CalendarEffectData => ({
  key: effectKey(kind, SOURCE_EVENT),
  kind,
  sourceEventId: SOURCE_EVENT,
  workspaceId: WORKSPACE,
  contactId: CONTACT_ID,
  meetingId: MEETING_ID,
});
const connected = workspaceOf(configured(), { type: 'CalendarConnected', data: { provider: 'google', calendarId: 'primary', connectedAt: NOW } });
const cancelled: MeetingEvent = { type: 'MeetingCancelled', data: { by: 'seeker', source: 'seeker', cancelledAt: NOW } };
const facts = (over: Partial<CalendarFacts> & { meetingEvents?: MeetingEvent[] } = {}): CalendarFacts => {
  const { meetingEvents = [requested(), booked()], ...rest } = over;
  return { workspace: connected, meeting: meetingOf(...meetingEvents), contact: reachable(), done: false, content: {}, ...rest };
};
const google = { now: NOW, google: { calendarId: 'primary', sendUpdates: 'all' as const } };

describe('calendar effect decision', () => {
  it('a calendar write for a workspace that is not configured is skipped', () => {
    spec
      .given(facts({ workspace: workspaceOf() }))
      .when(job('calendar-file'), google)
      .thenSkipped('the workspace is not configured');
  });

  it('a meeting never booked has nothing to put in a calendar', () => {
    spec
      .given(facts({ meetingEvents: [requested()] }))
      .when(job('calendar-file'), google)
      .thenSkipped('the meeting was never booked');
  });

  it('the .ics file mirrors the current booking, stamped with the booking time', () => {
    spec
      .given(facts())
      .when(job('calendar-file'), google)
      .thenPerformed((intent) => {
        expect(intent).toMatchObject({ kind: 'write-file', meetingId: MEETING_ID, invitation: { method: 'REQUEST', now: '2026-11-21T09:00:00Z' } });
      });
  });

  it('the .ics file of a cancelled meeting is a CANCEL', () => {
    spec
      .given(facts({ meetingEvents: [requested(), booked(), cancelled] }))
      .when(job('calendar-file'), google)
      .thenPerformed((intent) => expect(intent).toMatchObject({ kind: 'write-file', invitation: { method: 'CANCEL' } }));
  });

  it('no Google write while no calendar is connected', () => {
    spec
      .given(facts({ workspace: workspaceOf(configured()) }))
      .when(job('google-create'), google)
      .thenSkipped('no calendar is connected');
  });

  it('no Google write when Google is not configured', () => {
    spec
      .given(facts())
      .when(job('google-create'), { now: NOW })
      .thenSkipped(/Google Calendar is not configured/);
  });

  it('a Google write whose result event is stored is not made again', () => {
    spec
      .given(facts({ done: true }))
      .when(job('google-create'), google)
      .thenSkipped('already done: its result event is stored');
  });

  it("a booking inserts the event under the id derived from the meeting, with the contact as attendee and the product's marks", () => {
    spec
      .given(facts())
      .when(job('google-create'), google)
      .thenPerformed((intent) => {
        expect(intent).toMatchObject({
          kind: 'google',
          call: 'insert',
          change: 'created',
          calendarId: 'primary',
          sendUpdates: 'all',
          eventId: googleEventIdFor(MEETING_ID),
          event: {
            id: googleEventIdFor(MEETING_ID),
            status: 'confirmed',
            attendees: [{ email: 'ada@example.org', displayName: 'Ada Lovelace' }],
            start: { timeZone: 'America/New_York' },
            extendedProperties: { private: { meetingId: MEETING_ID, workspaceId: WORKSPACE, source: 'outreach' } },
          },
        });
      });
  });

  it('a Google delete waits for a cancelled meeting', () => {
    spec.given(facts()).when(job('google-delete'), google).thenSkipped('the meeting is booked, not cancelled');
  });

  it('a Google update of a meeting we never made an event for makes one', () => {
    spec
      .given(facts())
      .when(job('google-update'), google)
      .thenPerformed((intent) => expect(intent).toMatchObject({ kind: 'google', call: 'insert', change: 'created' }));
  });

  it('a Google update patches on the version we last knew (If-Match)', () => {
    const created: MeetingEvent = {
      type: 'CalendarEventCreated',
      data: {
        provider: 'google',
        calendarEventId: googleEventIdFor(MEETING_ID),
        at: NOW,
        version: { etag: '"41"', start: '2026-11-25T15:00:00Z', minutes: 20 },
      },
    };
    spec
      .given(facts({ meetingEvents: [requested(), booked(), created] }))
      .when(job('google-update'), google)
      .thenPerformed((intent) => expect(intent).toMatchObject({ kind: 'google', call: 'patch', change: 'updated', ifMatch: '"41"' }));
  });

  it('a Google update of a meeting no longer booked is skipped', () => {
    spec
      .given(facts({ meetingEvents: [requested(), booked(), cancelled] }))
      .when(job('google-update'), google)
      .thenSkipped('the meeting is cancelled');
  });
});

describe('waiting after Google refused', () => {
  it('a rate limit waits as long as Retry-After says', () => {
    expect(waitAfterRefusal({ outcome: 'rate-limited', retryAfterMs: 7000, message: 'slow down' }, NOW, { baseMs: 1000, deferrals: 3, random: 0.5 })).toEqual({
      decision: 'defer',
      until: '2026-11-22T16:00:07.000Z',
      reason: 'slow down',
    });
  });

  it('a rate limit without Retry-After waits about a second the first time, plus jitter', () => {
    expect(waitAfterRefusal({ outcome: 'rate-limited', message: 'slow down' }, NOW, { baseMs: 1000, deferrals: 0, random: 0.25 })?.until).toBe(
      '2026-11-22T16:00:01.250Z',
    );
  });

  it('each further rate limit without Retry-After doubles the wait, up to 64 seconds', () => {
    const wait = (deferrals: number) =>
      Date.parse(waitAfterRefusal({ outcome: 'rate-limited', message: 'slow down' }, NOW, { baseMs: 1000, deferrals, random: 0 })!.until) - Date.parse(NOW);
    expect([0, 1, 2, 3, 6, 7, 20].map(wait)).toEqual([1000, 2000, 4000, 8000, 64_000, 64_000, 64_000]);
  });

  it('an exceeded quota waits an hour, never drops', () => {
    expect(waitAfterRefusal({ outcome: 'quota-exceeded', message: 'quota' }, NOW, { baseMs: 1000, deferrals: 0, random: 0 })?.until).toBe(
      '2026-11-22T17:00:00.000Z',
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../src/app/effects/calendar/api.ts';
import { readCalendarChange } from '../../../src/app/effects/calendar/changes.ts';
import type { MeetingEvent } from '../../../src/domain/events.ts';
import { booked, held, requested } from '../../support/domain-fixtures.ts';
import { meetingOf, reachable } from '../../support/effect-facts.ts';

const START = '2026-11-25T10:00:00-05:00';
const listed = (over: CalendarEvent = {}): CalendarEvent => ({
  status: 'confirmed',
  start: { dateTime: START, timeZone: 'America/New_York' },
  end: { dateTime: '2026-11-25T10:20:00-05:00' },
  ...over,
});
const booking = meetingOf(requested(), booked(START));
const change = (item: CalendarEvent, ...events: MeetingEvent[]) => readCalendarChange(item, events.length ? meetingOf(...events) : booking, reachable());

describe('reading an event changed in the calendar', () => {
  it('the event as booked is no change', () => {
    expect(change(listed())).toEqual([]);
  });

  it('a deleted event cancels an open meeting', () => {
    expect(change({ status: 'cancelled' })).toEqual([{ type: 'cancel' }]);
  });

  it('a deleted event of a meeting already held changes nothing', () => {
    expect(change({ status: 'cancelled' }, requested(), booked(START), held())).toEqual([]);
  });

  it('a moved event reschedules the meeting to its new time and length', () => {
    expect(
      change(listed({ start: { dateTime: '2026-11-26T11:00:00-05:00', timeZone: 'America/New_York' }, end: { dateTime: '2026-11-26T11:30:00-05:00' } })),
    ).toEqual([{ type: 'reschedule', at: '2026-11-26T11:00:00-05:00', minutes: 30, timezone: 'America/New_York' }]);
  });

  it('an event stretched beyond 240 minutes is not taken as a reschedule', () => {
    expect(change(listed({ end: { dateTime: '2026-11-25T15:00:00-05:00' } }))).toEqual([]);
  });

  it("the contact's answer to the invitation is recorded", () => {
    expect(change(listed({ attendees: [{ email: 'ada@example.org', responseStatus: 'declined' }] }))).toEqual([{ type: 'respond', response: 'declined' }]);
  });

  it("an answer of someone else on the event is not the contact's", () => {
    expect(change(listed({ attendees: [{ email: 'other@example.org', responseStatus: 'declined' }] }))).toEqual([]);
  });
});

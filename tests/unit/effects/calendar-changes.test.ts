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
const created = (start = START, etag = '"1"'): MeetingEvent => ({
  type: 'CalendarEventCreated',
  data: {
    provider: 'google',
    calendarEventId: 'abcde12345',
    at: '2026-11-21T09:00:01Z',
    version: { etag, updated: '2026-11-21T09:00:01.000Z', sequence: 0, start, minutes: 20 },
  },
});
const movedBySeeker = (start: string, at = '2026-11-22T09:00:00Z'): MeetingEvent => ({
  type: 'MeetingRescheduled',
  data: { start, minutes: 20, timezone: 'America/New_York', source: 'seeker', rescheduledAt: at },
});
const LATER = '2026-11-26T11:00:00-05:00';
const booking = meetingOf(requested(), booked(START), created());
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

  it('a moved event is recorded with the version it was read from', () => {
    const item = listed({
      etag: '"9"',
      updated: '2026-11-23T08:00:00.000Z',
      sequence: 1,
      start: { dateTime: LATER },
      end: { dateTime: '2026-11-26T11:20:00-05:00' },
    });
    expect(change(item)).toEqual([
      {
        type: 'reschedule',
        at: LATER,
        minutes: 20,
        timezone: 'America/New_York',
        version: { etag: '"9"', updated: '2026-11-23T08:00:00.000Z', sequence: 1, start: LATER, minutes: 20 },
      },
    ]);
  });

  it('the version we wrote ourselves is no edit, though the seeker has moved the meeting since', () => {
    expect(change(listed({ etag: '"1"' }), requested(), booked(START), created(), movedBySeeker(LATER))).toEqual([]);
  });

  it("a time the seeker set that is not yet in Google wins over the calendar's older time", () => {
    const answered = listed({ etag: '"2"', updated: '2026-11-21T12:00:00.000Z', attendees: [{ email: 'ada@example.org', responseStatus: 'accepted' }] });
    expect(change(answered, requested(), booked(START), created(), movedBySeeker(LATER))).toEqual([{ type: 'respond', response: 'accepted' }]);
  });

  it("a move in the calendar made after the seeker's change not yet pushed wins: the later change by time", () => {
    const third = '2026-11-27T09:00:00-05:00';
    const item = listed({ etag: '"3"', updated: '2026-11-22T10:00:00.000Z', start: { dateTime: third }, end: { dateTime: '2026-11-27T09:20:00-05:00' } });
    expect(change(item, requested(), booked(START), created(), movedBySeeker(LATER, '2026-11-22T09:00:00Z'))).toMatchObject([
      { type: 'reschedule', at: third },
    ]);
  });

  it("a move in the calendar made before the seeker's change not yet pushed loses to it", () => {
    const third = '2026-11-27T09:00:00-05:00';
    const item = listed({ etag: '"3"', updated: '2026-11-22T08:00:00.000Z', start: { dateTime: third }, end: { dateTime: '2026-11-27T09:20:00-05:00' } });
    expect(change(item, requested(), booked(START), created(), movedBySeeker(LATER, '2026-11-22T09:00:00Z'))).toEqual([]);
  });

  it('an event at the time we last wrote is no move, whatever else changed in it', () => {
    expect(change(listed({ etag: '"5"', updated: '2026-11-23T08:00:00.000Z', summary: 'renamed' }))).toEqual([]);
  });

  it('an invitation not yet answered is no answer', () => {
    expect(change(listed({ attendees: [{ email: 'ada@example.org', responseStatus: 'needsAction' }] }))).toEqual([]);
  });

  it('an event stretched beyond 240 minutes is not taken as a reschedule: the seeker is asked to decide', () => {
    expect(change(listed({ end: { dateTime: '2026-11-25T15:00:00-05:00' } }))).toEqual([
      { type: 'needs-decision', edit: { reason: 'length', start: START, minutes: 300, calendarVersion: undefined } },
    ]);
  });

  it('an event made all-day in the calendar asks the seeker to decide', () => {
    expect(change(listed({ etag: '"8"', start: { date: '2026-11-26' }, end: { date: '2026-11-27' } }))).toEqual([
      { type: 'needs-decision', edit: { reason: 'all-day', date: '2026-11-26', calendarVersion: { etag: '"8"' } } },
    ]);
  });

  it("the contact's answer to the invitation is recorded", () => {
    expect(change(listed({ attendees: [{ email: 'ada@example.org', responseStatus: 'declined' }] }))).toEqual([{ type: 'respond', response: 'declined' }]);
  });

  it("an answer of someone else on the event is not the contact's", () => {
    expect(change(listed({ attendees: [{ email: 'other@example.org', responseStatus: 'declined' }] }))).toEqual([]);
  });
});

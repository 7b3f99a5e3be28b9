import { describe, expect, it } from 'vitest';
import { contactAdded, eventLog, id, meetingRequested } from './support/log.ts';
import { NOW, project } from './support/harness.ts';

const book = (log: ReturnType<typeof eventLog>, n: number, start: string, over: { minutes?: number; location?: string; ws?: string } = {}) => {
  log.contact(id(n), 'ContactAdded', contactAdded(n), over.ws);
  log.meeting(id(n, 'm'), 'MeetingRequested', meetingRequested(n, n), over.ws);
  log.meeting(
    id(n, 'm'),
    'MeetingBooked',
    {
      start,
      minutes: over.minutes ?? 20,
      timezone: 'Europe/London',
      videoUrl: 'https://meet.example/x',
      ...(over.location ? { location: over.location } : {}),
      bookedAt: '2026-11-03T09:00:00Z',
    },
    over.ws,
  );
};

describe('agenda read model', () => {
  it('a booked meeting after now is on the agenda with its contact, end and place', () => {
    const log = eventLog();
    book(log, 1, '2026-11-25T15:00:00+01:00', { location: 'Café Nero, Fleet St' });
    expect(project(log.events).rows('agenda')).toEqual([
      {
        meetingId: id(1, 'm'),
        workspaceId: 'ws-a',
        contactId: id(1),
        contactName: 'Ada Person1',
        organisation: 'Northwind Analytics',
        start: '2026-11-25T14:00:00.000Z',
        end: '2026-11-25T14:20:00.000Z',
        minutes: 20,
        timezone: 'Europe/London',
        location: 'Café Nero, Fleet St',
        videoUrl: 'https://meet.example/x',
      },
    ]);
  });

  it('meetings are ordered by start, soonest first', () => {
    const log = eventLog();
    book(log, 1, '2026-11-27T10:00:00Z');
    book(log, 2, '2026-11-25T10:00:00Z');
    book(log, 3, '2026-11-26T10:00:00Z');
    expect(
      project(log.events)
        .rows('agenda')
        .map((r) => r['meetingId']),
    ).toEqual([id(2, 'm'), id(3, 'm'), id(1, 'm')]);
  });

  it('a meeting that has ended is no longer upcoming; one under way still is', () => {
    const log = eventLog();
    book(log, 1, '2026-11-24T08:00:00Z', { minutes: 30 }); // ended 08:30, now is 09:00
    book(log, 2, '2026-11-24T08:50:00Z', { minutes: 20 }); // until 09:10
    expect(
      project(log.events)
        .rows('agenda', { now: NOW })
        .map((r) => r['meetingId']),
    ).toEqual([id(2, 'm')]);
  });

  it('a request that is not booked is not on the agenda', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    expect(project(log.events).rows('agenda')).toEqual([]);
  });

  it('a reschedule moves the meeting to its new time', () => {
    const log = eventLog();
    book(log, 1, '2026-11-25T10:00:00Z');
    log.meeting(id(1, 'm'), 'MeetingRescheduled', {
      start: '2026-12-01T16:00:00Z',
      minutes: 30,
      timezone: 'Europe/London',
      source: 'calendar',
      rescheduledAt: '2026-11-20T09:00:00Z',
    });
    expect(project(log.events).rows('agenda')[0]).toMatchObject({ start: '2026-12-01T16:00:00.000Z', end: '2026-12-01T16:30:00.000Z', minutes: 30 });
  });

  it('cancelled, held and missed meetings leave the agenda', () => {
    const log = eventLog();
    book(log, 1, '2026-11-25T10:00:00Z');
    book(log, 2, '2026-11-25T11:00:00Z');
    book(log, 3, '2026-11-25T12:00:00Z');
    log.meeting(id(1, 'm'), 'MeetingCancelled', { by: 'seeker', source: 'seeker', cancelledAt: '2026-11-20T09:00:00Z' });
    log.meeting(id(2, 'm'), 'MeetingHeld', { heldAt: '2026-11-25T11:20:00Z', actualMinutes: 20, referralsAsked: 2, businessCards: 0 });
    log.meeting(id(3, 'm'), 'MeetingNoShow', { recordedAt: '2026-11-25T12:30:00Z' });
    expect(project(log.events).rows('agenda')).toEqual([]);
  });

  it("the workspace filter keeps one seeker's meetings", () => {
    const log = eventLog();
    book(log, 1, '2026-11-25T10:00:00Z');
    book(log, 2, '2026-11-25T11:00:00Z', { ws: 'ws-b' });
    expect(
      project(log.events)
        .rows('agenda', { workspaceId: 'ws-b' })
        .map((r) => r['meetingId']),
    ).toEqual([id(2, 'm')]);
  });

  it("a forgotten contact's booking stays, without a name or place", () => {
    const log = eventLog();
    book(log, 1, '2026-11-25T10:00:00Z', { location: '12 Acacia Avenue' });
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-21T09:00:00Z' });
    expect(project(log.events).rows('agenda')[0]).toMatchObject({ contactName: null, organisation: null, location: null, videoUrl: null });
  });
});

import { describe, expect, it } from 'vitest';
import { contactAdded, eventLog, heldMeeting, id, meetingRequested } from './support/log.ts';
import { project } from './support/harness.ts';

describe('overruns read model', () => {
  it('a held meeting longer than the booked length is an overrun, by the difference', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { bookedMinutes: 20, actualMinutes: 31 });
    expect(project(log.events).rows('overruns')).toEqual([
      {
        meetingId: id(1, 'm'),
        workspaceId: 'ws-a',
        contactId: id(1),
        contactName: 'Ada Person1',
        organisation: 'Northwind Analytics',
        heldAt: '2026-11-23T10:20:00.000Z',
        agreedMinutes: 20,
        actualMinutes: 31,
        overByMinutes: 11,
      },
    ]);
  });

  it('a meeting within or at its agreed length is not an overrun', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { bookedMinutes: 20, actualMinutes: 20 });
    heldMeeting(log, 2, 2, { bookedMinutes: 20, actualMinutes: 15 });
    expect(project(log.events).rows('overruns')).toEqual([]);
  });

  it("the length agreed is the latest reschedule's", () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1, { minutes: 15 }));
    log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-23T10:00:00Z', minutes: 15, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' });
    log.meeting(id(1, 'm'), 'MeetingRescheduled', {
      start: '2026-11-23T11:00:00Z',
      minutes: 30,
      timezone: 'Europe/London',
      source: 'seeker',
      rescheduledAt: '2026-11-04T09:00:00Z',
    });
    log.meeting(id(1, 'm'), 'MeetingHeld', { heldAt: '2026-11-23T11:35:00Z', actualMinutes: 35, referralsAsked: 2, businessCards: 0 });
    expect(project(log.events).rows('overruns')[0]).toMatchObject({ agreedMinutes: 30, overByMinutes: 5 });
  });

  it('the length agreed is the booked one, not the one asked for in the request', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1, { minutes: 15 }));
    log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-23T10:00:00Z', minutes: 30, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' });
    log.meeting(id(1, 'm'), 'MeetingHeld', { heldAt: '2026-11-23T10:25:00Z', actualMinutes: 25, referralsAsked: 2, businessCards: 0 });
    expect(project(log.events).rows('overruns')).toEqual([]);
  });

  it('overruns are listed latest first', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { actualMinutes: 25, heldAt: '2026-11-20T10:25:00Z' });
    heldMeeting(log, 2, 2, { actualMinutes: 25, heldAt: '2026-11-23T10:25:00Z' });
    expect(
      project(log.events)
        .rows('overruns')
        .map((r) => r['meetingId']),
    ).toEqual([id(2, 'm'), id(1, 'm')]);
  });

  it("a forgotten contact's overrun stays as a number, without a name", () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { actualMinutes: 31 });
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    expect(project(log.events).rows('overruns')[0]).toMatchObject({ contactName: null, organisation: null, overByMinutes: 11 });
  });
});

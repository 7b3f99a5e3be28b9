import { describe, expect, it } from 'vitest';
import { contactAdded, eventLog, heldMeeting, id, meetingRequested } from './support/log.ts';
import { project } from './support/harness.ts';

describe('pipeline read model', () => {
  it('a request is a row with the contact, channel, via and the minutes asked for', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1, { via: 'gatekeeper', minutes: 15, referralContactId: id(7) }));
    expect(project(log.events).rows('pipeline')).toEqual([
      expect.objectContaining({
        meetingId: id(1, 'm'),
        contactId: id(1),
        contactName: 'Ada Person1',
        organisation: 'Northwind Analytics',
        status: 'requested',
        channel: 'email',
        via: 'gatekeeper',
        referralContactId: id(7),
        agreedMinutes: 15,
        requestedAt: '2026-11-02T11:00:00.000Z',
      }),
    ]);
  });

  it('a held meeting carries requested, booked and held times, agreed and actual minutes and the thank-you', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { bookedMinutes: 30, actualMinutes: 34 });
    expect(project(log.events).rows('pipeline')[0]).toMatchObject({
      status: 'held',
      requestedAt: '2026-11-02T11:00:00.000Z',
      requestSentAt: '2026-11-02T11:01:00.000Z',
      bookedAt: '2026-11-03T09:00:00.000Z',
      start: '2026-11-23T10:00:00.000Z',
      heldAt: '2026-11-23T10:20:00.000Z',
      agreedMinutes: 30,
      requestedMinutes: 20,
      actualMinutes: 34,
      referralsAsked: 2,
      businessCards: 1,
      thankYouSentAt: '2026-11-23T12:20:00.000Z',
    });
  });

  it('a reschedule moves the start and counts', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-26T10:00:00Z', minutes: 20, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' });
    log.meeting(id(1, 'm'), 'MeetingRescheduled', {
      start: '2026-11-27T10:00:00Z',
      minutes: 15,
      timezone: 'Europe/London',
      source: 'seeker',
      rescheduledAt: '2026-11-04T09:00:00Z',
    });
    expect(project(log.events).rows('pipeline')[0]).toMatchObject({ status: 'booked', start: '2026-11-27T10:00:00.000Z', agreedMinutes: 15, reschedules: 1 });
  });

  it('a cancellation records who cancelled and when', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.meeting(id(1, 'm'), 'MeetingCancelled', { by: 'contact', source: 'calendar', reason: 'Travelling', cancelledAt: '2026-11-04T09:00:00Z' });
    expect(project(log.events).rows('pipeline')[0]).toMatchObject({ status: 'cancelled', cancelledBy: 'contact', cancelledAt: '2026-11-04T09:00:00.000Z' });
  });

  it('a no-show is its own status', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-20T10:00:00Z', minutes: 20, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' });
    log.meeting(id(1, 'm'), 'MeetingNoShow', { recordedAt: '2026-11-20T10:30:00Z' });
    expect(project(log.events).rows('pipeline')[0]).toMatchObject({ status: 'no_show', noShowAt: '2026-11-20T10:30:00.000Z' });
  });

  it('a contact renamed shows the new name on its meetings', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.contact(id(1), 'ContactDetailsChanged', { changes: { name: 'Ada King' }, changedAt: '2026-11-25T09:00:00Z' });
    expect(project(log.events).rows('pipeline')[0]!['contactName']).toBe('Ada King');
  });

  it('the newest request comes first', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.contact(id(2), 'ContactAdded', contactAdded(2));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1, { requestedAt: '2026-11-02T11:00:00Z' }));
    log.meeting(id(2, 'm'), 'MeetingRequested', meetingRequested(2, 2, { requestedAt: '2026-11-03T11:00:00Z' }));
    expect(
      project(log.events)
        .rows('pipeline')
        .map((r) => r['meetingId']),
    ).toEqual([id(2, 'm'), id(1, 'm')]);
  });

  it("a forgotten contact's meetings stay, without a name or organisation", () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    expect(project(log.events).rows('pipeline')[0]).toMatchObject({ status: 'held', contactName: null, organisation: null, actualMinutes: 20 });
  });
});

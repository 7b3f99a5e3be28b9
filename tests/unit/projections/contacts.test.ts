import { describe, expect, it } from 'vitest';
import { contactAdded, eventLog, heldMeeting, id, meetingRequested, workspaceConfigured } from './support/log.ts';
import { NOW, project } from './support/harness.ts';

const contactRow = (log: ReturnType<typeof eventLog>, now = NOW) => project(log.events).rows('contacts', { now })[0]!;

describe('contacts read model', () => {
  it('a contact added is active with its details, and the next action is to request a meeting', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1, { referredBy: { contactId: id(9), meetingId: id(9, 'm') }, source: 'referral' }));
    expect(contactRow(log)).toMatchObject({
      contactId: id(1),
      workspaceId: 'ws-a',
      status: 'active',
      name: 'Ada Person1',
      email: 'ada1@example.org',
      organisation: 'Northwind Analytics',
      role: 'Head of Data',
      level: 'senior',
      industry: 'software',
      source: 'referral',
      referredBy: id(9),
      referredByMeeting: id(9, 'm'),
      tags: ['warm'],
      lastTouch: 'added',
      lastTouchAt: '2026-11-02T10:00:00.000Z',
      nextAction: 'request a meeting',
      meetings: 0,
    });
  });

  it('details changed replace only the fields named', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.contact(id(1), 'ContactDetailsChanged', { changes: { role: 'VP Data', tags: ['warm', 'vip'] }, changedAt: '2026-11-03T10:00:00Z' });
    expect(contactRow(log)).toMatchObject({ role: 'VP Data', tags: ['warm', 'vip'], name: 'Ada Person1', organisation: 'Northwind Analytics' });
  });

  it('a requested meeting waits for a reply, and the request is the last touch', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    expect(contactRow(log)).toMatchObject({
      meetingStatus: 'requested',
      meetings: 1,
      nextAction: 'waiting for reply',
      lastTouch: 'request',
      lastTouchAt: '2026-11-02T11:00:00.000Z',
    });
  });

  it('a reply after the request asks to book a time', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.contact(id(1), 'ReplyReceived', { summary: 'Happy to talk next week', receivedAt: '2026-11-03T08:00:00Z' });
    expect(contactRow(log)).toMatchObject({ nextAction: 'reply received: book a time', lastTouch: 'reply', repliedAt: '2026-11-03T08:00:00.000Z' });
  });

  it('a booked meeting in the future is the next action, with its start', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-26T15:00:00+01:00', minutes: 20, timezone: 'Europe/Paris', bookedAt: '2026-11-03T09:00:00Z' });
    expect(contactRow(log)).toMatchObject({
      meetingStatus: 'booked',
      meetingStart: '2026-11-26T14:00:00.000Z',
      nextAction: 'meeting booked 2026-11-26T14:00:00.000Z',
      nextActionAt: '2026-11-26T14:00:00.000Z',
    });
  });

  it('a booked meeting whose start has passed asks to record how it went', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-20T10:00:00Z', minutes: 20, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' });
    expect(contactRow(log).nextAction).toBe('record how the meeting went');
  });

  it('a rescheduled meeting shows the new start', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-26T10:00:00Z', minutes: 20, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' });
    log.meeting(id(1, 'm'), 'MeetingRescheduled', {
      start: '2026-11-27T10:00:00Z',
      minutes: 20,
      timezone: 'Europe/London',
      source: 'calendar',
      rescheduledAt: '2026-11-04T09:00:00Z',
    });
    expect(contactRow(log).meetingStart).toBe('2026-11-27T10:00:00.000Z');
  });

  it('a held meeting without a thank-you asks to send one', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { thankYouAt: null });
    expect(contactRow(log)).toMatchObject({ meetingStatus: 'held', meetingsHeld: 1, thankYousPending: 1, nextAction: 'send thank-you', lastTouch: 'meeting' });
  });

  it('after the thank-you the next action is to keep in touch, and the thank-you is the last touch', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    expect(contactRow(log)).toMatchObject({
      thankYousPending: 0,
      nextAction: 'keep in touch',
      lastTouch: 'thank-you',
      lastTouchAt: '2026-11-23T12:20:00.000Z',
    });
  });

  it('a keep-in-touch note moves the last touch', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.contact(id(1), 'KeepInTouchSent', { messageId: '<k1@outreach>', sentAt: '2027-01-04T10:00:00Z' });
    expect(contactRow(log)).toMatchObject({ lastTouch: 'keep-in-touch', lastTouchAt: '2027-01-04T10:00:00.000Z' });
  });

  it('an older event recorded late does not move the last touch back', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.contact(id(1), 'ReplyReceived', { receivedAt: '2026-11-10T08:00:00Z' });
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1, { requestedAt: '2026-11-05T08:00:00Z' }));
    expect(contactRow(log)).toMatchObject({ lastTouch: 'reply', lastTouchAt: '2026-11-10T08:00:00.000Z' });
  });

  it('a cancelled or missed meeting leads back to requesting one', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.meeting(id(1, 'm'), 'MeetingCancelled', { by: 'contact', source: 'seeker', cancelledAt: '2026-11-04T09:00:00Z' });
    expect(contactRow(log)).toMatchObject({ meetingStatus: 'cancelled', nextAction: 'request a meeting' });
  });

  it('a bounced address asks for a working one until the address changes', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.contact(id(1), 'EmailBounced', {
      effect: 'request-email:x',
      email: 'ada1@example.org',
      code: 550,
      reason: 'no such user',
      bouncedAt: '2026-11-03T09:00:00Z',
    });
    expect(contactRow(log)).toMatchObject({ emailBounced: true, nextAction: 'find a working email address' });
    log.contact(id(1), 'ContactDetailsChanged', { changes: { email: 'ada@northwind.example' }, changedAt: '2026-11-04T09:00:00Z' });
    expect(contactRow(log)).toMatchObject({ emailBounced: false, nextAction: 'request a meeting' });
  });

  it('an opted-out contact is not to be contacted', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.contact(id(1), 'ContactOptedOut', { source: 'unsubscribe-link', optedOutAt: '2026-11-05T09:00:00Z' });
    expect(contactRow(log)).toMatchObject({ status: 'opted_out', optedOutAt: '2026-11-05T09:00:00.000Z', nextAction: 'do not contact (opted out)' });
  });

  it('a forgotten contact keeps its row and counts but loses name, email, phone, organisation, role, industry and tags', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    expect(contactRow(log)).toMatchObject({
      status: 'forgotten',
      name: null,
      email: null,
      phone: null,
      organisation: null,
      role: null,
      linkedinUrl: null,
      timezone: null,
      tags: [],
      level: 'senior',
      industry: null,
      meetingsHeld: 1,
      nextAction: null,
    });
  });

  it('opting out after being forgotten leaves the contact forgotten', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    log.contact(id(1), 'ContactOptedOut', { source: 'seeker', optedOutAt: '2026-11-26T09:00:00Z' });
    expect(contactRow(log).status).toBe('forgotten');
  });

  it('contacts are listed oldest first, per workspace or across all of them', () => {
    const log = eventLog();
    log.workspace('WorkspaceConfigured', workspaceConfigured(), 'ws-b');
    log.contact(id(2), 'ContactAdded', contactAdded(2, { addedAt: '2026-11-05T10:00:00Z' }), 'ws-b');
    log.contact(id(1), 'ContactAdded', contactAdded(1, { addedAt: '2026-11-04T10:00:00Z' }));
    const { rows } = project(log.events);
    expect(rows('contacts').map((r) => r['contactId'])).toEqual([id(1), id(2)]);
    expect(rows('contacts', { workspaceId: 'ws-b' }).map((r) => r['contactId'])).toEqual([id(2)]);
  });
});

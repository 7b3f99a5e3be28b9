import { describe, expect, it } from 'vitest';
import { todayList } from '../../../src/read-models/today.ts';
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
      nextAction: 'meeting on 14:00 on Thu 26 Nov',
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

  it('after the thank-you the next action is to write an update for the keep-in-touch note, and the thank-you is the last touch', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    expect(contactRow(log)).toMatchObject({
      thankYousPending: 0,
      nextAction: expect.stringMatching(/^write \S+ an update for your next keep-in-touch note$/),
      lastTouch: 'thank-you',
      lastTouchAt: '2026-11-23T12:20:00.000Z',
    });
  });

  it('once the update is written, the next action says it goes with the next note', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.contact(id(1), 'ContactUpdateWritten', { text: 'I started the course.', writtenAt: '2026-12-01T10:00:00Z' });
    expect(contactRow(log)).toMatchObject({ nextAction: 'keep in touch: your update goes with the next note' });
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

describe('contacts read model: telephone, gatekeepers and drafts', () => {
  const asked = (over: Parameters<typeof meetingRequested>[2] = {}) => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1, { timezone: 'Europe/London' }));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1, over));
    return log;
  };

  /** An email about meeting 1, held for review: `kind` to `to`. */
  const drafted = (kind: 'request-email' | 'gatekeeper-request', to: string, subject: string, n: string) => ({
    draftId: `01a22886-0000-7000-8000-0000000000${n}`,
    effect: `${kind}:${id(1, 'm')}`,
    kind,
    meetingId: id(1, 'm'),
    toContactId: to,
    subject,
    text: 'Dear …',
    draftedAt: '2026-11-02T11:00:00Z',
  });

  it('a request by telephone asks the seeker to call, never to wait for a reply', () => {
    expect(contactRow(asked({ channel: 'phone' }))).toMatchObject({ nextAction: 'call Ada' });
  });

  it('a call-back is due when they asked, at their time', () => {
    const log = asked({ channel: 'phone' });
    log.meeting(id(1, 'm'), 'CallLogged', { outcome: 'call-back', attempt: 1, nextCallAt: '2026-12-08T14:00:00Z', calledAt: '2026-12-04T10:00:00Z' });
    expect(contactRow(log)).toMatchObject({ nextAction: 'call Ada at 14:00 on Tue 8 Dec', nextActionAt: '2026-12-08T14:00:00.000Z' });
  });

  it('after three calls with no answer the next action says so', () => {
    const log = asked({ channel: 'phone' });
    for (const attempt of [1, 2, 3]) log.meeting(id(1, 'm'), 'CallLogged', { outcome: 'voicemail', attempt, calledAt: `2026-12-0${attempt}T10:00:00Z` });
    expect(contactRow(log).nextAction).toMatch(/^no answer after 3 calls/);
  });

  it('a request through a switchboard asks the seeker to call it and ask for the person', () => {
    expect(contactRow(asked({ channel: 'phone', via: 'gatekeeper' }))).toMatchObject({ nextAction: 'call the switchboard and ask for Ada' });
  });

  it('a request through a gatekeeper by email waits for the introduction', () => {
    expect(contactRow(asked({ via: 'gatekeeper', gatekeeperContactId: id(2) }))).toMatchObject({ nextAction: 'waiting for the gatekeeper to introduce you' });
  });

  it('a gatekeeper’s reply on the meeting (read in the mailbox) asks the seeker to confirm the introduction', () => {
    const log = asked({ via: 'gatekeeper', gatekeeperContactId: id(2) });
    log.contact(id(2), 'ContactAdded', contactAdded(2));
    log.contact(id(2), 'ReplyReceived', {
      summary: 'I have passed your note to Ada.',
      source: 'mailbox',
      meetingId: id(1, 'm'),
      receivedAt: '2026-12-03T09:00:00Z',
    });
    const rows = project(log.events).rows('contacts', { now: NOW });
    expect(rows.find((r) => r['contactId'] === id(1))).toMatchObject({ nextAction: expect.stringMatching(/^answered: introduction\?/) });
  });

  it('a reply from someone else than the gatekeeper naming the meeting does not count as the gatekeeper’s', () => {
    const log = asked({ via: 'gatekeeper', gatekeeperContactId: id(2) });
    log.contact(id(3), 'ContactAdded', contactAdded(3));
    log.contact(id(3), 'ReplyReceived', { summary: 'Wrong thread', source: 'mailbox', meetingId: id(1, 'm'), receivedAt: '2026-12-03T09:00:00Z' });
    const rows = project(log.events).rows('contacts', { now: NOW });
    expect(rows.find((r) => r['contactId'] === id(1))).toMatchObject({ nextAction: 'waiting for the gatekeeper to introduce you' });
  });

  it('a draft waiting for review comes first', () => {
    const log = asked();
    log.contact(id(1), 'EmailDrafted', drafted('request-email', id(1), '20 minutes of your advice?', 'd5'));
    expect(contactRow(log)).toMatchObject({ nextAction: 'review the draft to Ada waiting for your approval' });
  });

  it('the introduction withdraws the email to the gatekeeper still waiting for review', () => {
    const log = asked({ via: 'gatekeeper', gatekeeperContactId: id(2) });
    log.contact(id(2), 'ContactAdded', contactAdded(2));
    log.contact(id(1), 'EmailDrafted', drafted('gatekeeper-request', id(2), 'Could you help me reach Ada?', 'd6'));
    log.meeting(id(1, 'm'), 'GatekeeperIntroduced', { introducedAt: '2026-11-03T09:00:00Z' });
    const { models } = project(log.events);
    expect(models.list('drafts', { limit: 10, offset: 0, now: NOW }).rows).toEqual([
      expect.objectContaining({ kind: 'gatekeeper-request', status: 'withdrawn', reason: 'the gatekeeper introduced you' }),
    ]);
    expect(contactRow(log).nextAction).not.toMatch(/review the draft/);
  });
});

describe('calendar edits to decide', () => {
  const booked = () => {
    const log = eventLog();
    log.workspace('WorkspaceConfigured', workspaceConfigured());
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-26T10:00:00Z', minutes: 20, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' });
    log.meeting(id(1, 'm'), 'CalendarEditNeedsDecision', { reason: 'all-day', date: '2026-11-27', seenAt: '2026-11-23T09:00:00Z' });
    return log;
  };

  it('an edit in the calendar the meeting cannot take is the next action, and heads the day', () => {
    const { models } = project(booked().events);
    expect(models.list('contacts', { limit: 10, offset: 0, now: NOW }).rows[0]).toMatchObject({
      nextAction: 'decide: changed in the calendar (made all-day on 2026-11-27): reschedule or cancel the meeting',
    });
    expect(todayList(models, { workspaceId: 'ws-a', now: NOW })[0]).toMatchObject({
      kind: 'decide',
      section: 'Calendar changes to decide',
      what: 'Ada Person1: changed in the calendar (made all-day on 2026-11-27): reschedule or cancel the meeting',
    });
  });

  it('a reschedule by the seeker settles the calendar edit', () => {
    const log = booked();
    log.meeting(id(1, 'm'), 'MeetingRescheduled', {
      start: '2026-11-27T10:00:00Z',
      minutes: 20,
      timezone: 'Europe/London',
      source: 'seeker',
      rescheduledAt: '2026-11-24T08:00:00Z',
    });
    const { models } = project(log.events);
    expect(models.list('contacts', { limit: 10, offset: 0, now: NOW }).rows[0]!['nextAction']).toMatch(/^meeting on /);
    expect(todayList(models, { workspaceId: 'ws-a', now: NOW }).filter((t) => t.kind === 'decide')).toEqual([]);
  });
});

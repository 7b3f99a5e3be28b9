import { describe, expect, it } from 'vitest';
import { contactAdded, eventLog, heldMeeting, id, meetingRequested, workspaceConfigured } from './support/log.ts';
import { project } from './support/harness.ts';

const configured = () => {
  const log = eventLog();
  log.workspace('WorkspaceConfigured', workspaceConfigured());
  return log;
};
const followUps = (log: ReturnType<typeof eventLog>, now: string) => project(log.events).rows('follow-ups', { now });

/** A request email sent on Monday 2 Nov 2026 at 11:01 UTC to a contact in `timezone`. */
const requestSent = (log: ReturnType<typeof eventLog>, n: number, timezone = 'Europe/London') => {
  log.contact(id(n), 'ContactAdded', contactAdded(n, { timezone }));
  log.meeting(id(n, 'm'), 'MeetingRequested', meetingRequested(n, n));
  log.meeting(id(n, 'm'), 'OutreachEmailSent', { messageId: `<r${n}@outreach>`, sentAt: '2026-11-02T11:01:00Z' });
};

describe('follow-ups read model', () => {
  it("a held meeting owes a thank-you, due by the scheduling rules: Friday 16:20 + 2 h moves back to Friday's last business minute", () => {
    const log = configured();
    heldMeeting(log, 1, 1, { heldAt: '2026-11-27T16:20:00Z', thankYouAt: null });
    expect(followUps(log, '2026-11-27T16:30:00Z')).toEqual([
      {
        kind: 'thank-you',
        workspaceId: 'ws-a',
        contactId: id(1),
        contactName: 'Ada Person1',
        meetingId: id(1, 'm'),
        since: '2026-11-27T16:20:00.000Z',
        dueAt: '2026-11-27T17:29:00.000Z',
        overdue: false,
      },
    ]);
  });

  it('a thank-you past its due time is overdue', () => {
    const log = configured();
    heldMeeting(log, 1, 1, { heldAt: '2026-11-23T10:20:00Z', thankYouAt: null });
    expect(followUps(log, '2026-11-24T09:00:00Z')[0]).toMatchObject({ kind: 'thank-you', dueAt: '2026-11-23T12:20:00.000Z', overdue: true });
  });

  it('the thank-you sent is no longer due, and the keep-in-touch note is due a cadence later in business hours', () => {
    const log = configured();
    heldMeeting(log, 1, 1, { thankYouAt: '2026-11-23T12:20:00Z' });
    expect(followUps(log, '2026-11-24T09:00:00Z')).toEqual([]);
    // Six weeks on is Monday 4 Jan 2027 12:20 London, inside business hours.
    expect(followUps(log, '2027-01-04T13:00:00Z')).toEqual([
      expect.objectContaining({
        kind: 'keep-in-touch',
        contactId: id(1),
        meetingId: null,
        since: '2026-11-23T12:20:00.000Z',
        dueAt: '2027-01-04T12:20:00.000Z',
        overdue: true,
      }),
    ]);
  });

  it('each keep-in-touch note sent sets the next one a cadence later', () => {
    const log = configured();
    heldMeeting(log, 1, 1);
    log.contact(id(1), 'KeepInTouchSent', { messageId: '<k1@outreach>', sentAt: '2027-01-04T12:20:00Z' });
    expect(followUps(log, '2027-01-05T09:00:00Z')).toEqual([]);
    expect(followUps(log, '2027-02-15T13:00:00Z')[0]).toMatchObject({ kind: 'keep-in-touch', dueAt: '2027-02-15T12:20:00.000Z' });
  });

  it("a request email owes one nudge after the nudge delay, in the recipient's business hours", () => {
    const log = configured();
    requestSent(log, 1, 'Asia/Tokyo');
    expect(followUps(log, '2026-11-06T09:00:00Z')).toEqual([]);
    // 2 Nov 11:01 UTC + 5 days = Saturday 7 Nov 20:01 Tokyo: the next window opens Monday 9 Nov 09:00 JST = 00:00 UTC.
    expect(followUps(log, '2026-11-08T00:00:00Z')).toEqual([
      expect.objectContaining({ kind: 'nudge', meetingId: id(1, 'm'), dueAt: '2026-11-09T00:00:00.000Z', overdue: false }),
    ]);
  });

  it("the contact's zone falls back to the workspace's", () => {
    const log = configured();
    log.contact(id(1), 'ContactAdded', contactAdded(1, { timezone: undefined }));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.meeting(id(1, 'm'), 'OutreachEmailSent', { messageId: '<r1@outreach>', sentAt: '2026-11-02T11:01:00Z' });
    expect(followUps(log, '2026-11-10T00:00:00Z')[0]).toMatchObject({ kind: 'nudge', dueAt: '2026-11-09T09:00:00.000Z' });
  });

  it.each([
    [
      'the nudge is sent',
      (log: ReturnType<typeof eventLog>) => log.meeting(id(1, 'm'), 'NudgeSent', { messageId: '<n1@outreach>', sentAt: '2026-11-09T09:00:00Z' }),
    ],
    ['the contact replies', (log: ReturnType<typeof eventLog>) => log.contact(id(1), 'ReplyReceived', { receivedAt: '2026-11-03T09:00:00Z' })],
    [
      'the meeting is booked',
      (log: ReturnType<typeof eventLog>) =>
        log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-20T10:00:00Z', minutes: 20, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' }),
    ],
    [
      'the meeting is cancelled',
      (log: ReturnType<typeof eventLog>) =>
        log.meeting(id(1, 'm'), 'MeetingCancelled', { by: 'seeker', source: 'seeker', cancelledAt: '2026-11-03T09:00:00Z' }),
    ],
    [
      'the contact opts out',
      (log: ReturnType<typeof eventLog>) => log.contact(id(1), 'ContactOptedOut', { source: 'reply', optedOutAt: '2026-11-03T09:00:00Z' }),
    ],
    [
      'the address bounces',
      (log: ReturnType<typeof eventLog>) =>
        log.contact(id(1), 'EmailBounced', {
          effect: 'request-email:x',
          email: 'ada1@example.org',
          code: 550,
          reason: 'unknown user',
          bouncedAt: '2026-11-03T09:00:00Z',
        }),
    ],
  ])('the nudge stops when %s', (_why, then) => {
    const log = configured();
    requestSent(log, 1);
    then(log);
    expect(followUps(log, '2026-11-20T00:00:00Z').filter((f) => f['kind'] === 'nudge')).toEqual([]);
  });

  it('no nudge is owed when the contact replied after the request but before the email went out', () => {
    const log = configured();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.contact(id(1), 'ReplyReceived', { receivedAt: '2026-11-02T11:00:30Z' });
    log.meeting(id(1, 'm'), 'OutreachEmailSent', { messageId: '<r1@outreach>', sentAt: '2026-11-02T11:01:00Z' });
    expect(followUps(log, '2026-11-20T00:00:00Z')).toEqual([]);
  });

  it('a contact who replied once gets no keep-in-touch notes', () => {
    const log = configured();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.contact(id(1), 'ReplyReceived', { receivedAt: '2026-11-02T09:00:00Z' });
    log.meeting(id(1, 'm'), 'MeetingRequested', meetingRequested(1, 1));
    log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-23T10:00:00Z', minutes: 20, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' });
    log.meeting(id(1, 'm'), 'MeetingHeld', { heldAt: '2026-11-23T10:20:00Z', actualMinutes: 20, referralsAsked: 2, businessCards: 0 });
    log.meeting(id(1, 'm'), 'ThankYouSent', { messageId: '<t1@outreach>', sentAt: '2026-11-23T12:20:00Z' });
    expect(followUps(log, '2027-06-01T00:00:00Z')).toEqual([]);
  });

  it('a reply ends the keep-in-touch notes already owed', () => {
    const log = configured();
    heldMeeting(log, 1, 1);
    log.contact(id(1), 'ReplyReceived', { receivedAt: '2026-12-01T09:00:00Z' });
    expect(followUps(log, '2027-06-01T00:00:00Z')).toEqual([]);
  });

  it('an opted-out contact owes nothing, not even the thank-you', () => {
    const log = configured();
    heldMeeting(log, 1, 1, { thankYouAt: null });
    log.contact(id(1), 'ContactOptedOut', { source: 'unsubscribe-link', optedOutAt: '2026-11-23T11:00:00Z' });
    expect(followUps(log, '2026-11-24T09:00:00Z')).toEqual([]);
  });

  it('nothing is owed in a workspace that was never configured, as the reactor schedules nothing there', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { thankYouAt: null });
    expect(followUps(log, '2026-11-24T09:00:00Z')).toEqual([]);
  });

  it('follow-ups are listed earliest first', () => {
    const log = configured();
    heldMeeting(log, 2, 2, { heldAt: '2026-11-23T15:00:00Z', thankYouAt: null });
    heldMeeting(log, 1, 1, { heldAt: '2026-11-23T10:20:00Z', thankYouAt: null });
    expect(followUps(log, '2026-11-24T09:00:00Z').map((f) => f['meetingId'])).toEqual([id(1, 'm'), id(2, 'm')]);
  });

  it('a forgotten contact owes nothing and leaves no name behind', () => {
    const log = configured();
    heldMeeting(log, 1, 1, { thankYouAt: null });
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-23T11:00:00Z' });
    const { rows, db } = project(log.events);
    expect(rows('follow-ups')).toEqual([]);
    expect(db.prepare('SELECT timezone, status FROM follow_ups_contacts').get()).toEqual({ timezone: null, status: 'forgotten' });
  });
});

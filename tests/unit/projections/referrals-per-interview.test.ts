import { describe, expect, it } from 'vitest';
import { contactAdded, eventLog, heldMeeting, id } from './support/log.ts';
import { project } from './support/harness.ts';

describe('referrals per interview read model', () => {
  it("each held meeting shows the referrals asked for against the method's two", () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { referralsAsked: 1 });
    expect(project(log.events).rows('referrals-per-interview')).toEqual([
      {
        meetingId: id(1, 'm'),
        workspaceId: 'ws-a',
        heldAt: '2026-11-23T10:20:00.000Z',
        referralsAsked: 1,
        referralsReceived: 0,
        reachedTarget: false,
      },
    ]);
  });

  it('contacts added naming the meeting count as referrals received', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.contact(id(2), 'ContactAdded', contactAdded(2, { referredBy: { contactId: id(1), meetingId: id(1, 'm') } }));
    log.contact(id(3), 'ContactAdded', contactAdded(3, { referredBy: { contactId: id(1), meetingId: id(1, 'm') } }));
    log.contact(id(4), 'ContactAdded', contactAdded(4, { referredBy: { contactId: id(1) } }));
    expect(project(log.events).rows('referrals-per-interview')[0]).toMatchObject({ referralsReceived: 2 });
  });

  it('the summary averages referrals asked over held meetings and counts those reaching two', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { referralsAsked: 2 });
    heldMeeting(log, 2, 2, { referralsAsked: 3 });
    heldMeeting(log, 3, 3, { referralsAsked: 0 });
    expect(project(log.events).dashboard().referralsPerInterview).toEqual({ average: 1.67, target: 2, meetings: 3, reachingTarget: 2 });
  });

  it('a meeting not held yet is not in the figures, even when a referral already names it', () => {
    const log = eventLog();
    log.contact(id(2), 'ContactAdded', contactAdded(2, { referredBy: { contactId: id(1), meetingId: id(1, 'm') } }));
    const r = project(log.events);
    expect(r.rows('referrals-per-interview')).toEqual([]);
    expect(r.dashboard().referralsPerInterview).toEqual({ average: null, target: 2, meetings: 0, reachingTarget: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { contactAdded, eventLog, heldMeeting, id, meetingRequested } from './support/log.ts';
import { project } from './support/harness.ts';

describe('levels by industry read model', () => {
  it('a contact counts as met once a meeting with them is held', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { contact: { industry: 'finance', level: 'executive' } });
    log.contact(id(2), 'ContactAdded', contactAdded(2, { industry: 'finance', level: 'executive' }));
    log.meeting(id(2, 'm'), 'MeetingRequested', meetingRequested(2, 2));
    expect(project(log.events).rows('levels-by-industry')).toEqual([{ industry: 'finance', level: 'executive', contacts: 2, met: 1 }]);
  });

  it('the dashboard lists the distinct levels met per industry, lowest rung first', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { contact: { industry: 'software', level: 'executive' } });
    heldMeeting(log, 2, 2, { contact: { industry: 'software', level: 'entry' } });
    heldMeeting(log, 3, 3, { contact: { industry: 'software', level: 'entry' } });
    heldMeeting(log, 4, 4, { contact: { industry: 'finance', level: 'mid' } });
    log.contact(id(5), 'ContactAdded', contactAdded(5, { industry: 'retail', level: 'senior' }));
    expect(project(log.events).dashboard().levelsByIndustry).toEqual([
      { industry: 'finance', levels: ['mid'] },
      { industry: 'software', levels: ['entry', 'executive'] },
    ]);
  });

  it('two meetings held with one contact count that contact once', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.meeting(id(2, 'm'), 'MeetingRequested', meetingRequested(2, 1));
    log.meeting(id(2, 'm'), 'MeetingHeld', { heldAt: '2026-12-10T10:00:00Z', actualMinutes: 20, referralsAsked: 0, businessCards: 0 });
    expect(project(log.events).rows('levels-by-industry')).toEqual([{ industry: 'software', level: 'senior', contacts: 1, met: 1 }]);
  });

  it('a changed level or industry moves the contact to its new group', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.contact(id(1), 'ContactDetailsChanged', { changes: { level: 'executive' }, changedAt: '2026-11-25T09:00:00Z' });
    expect(project(log.events).rows('levels-by-industry')).toEqual([{ industry: 'software', level: 'executive', contacts: 1, met: 1 }]);
  });

  it('contacts without an industry or a level are left out', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1, { industry: undefined }));
    log.contact(id(2), 'ContactAdded', contactAdded(2, { level: undefined }));
    expect(project(log.events).rows('levels-by-industry')).toEqual([]);
  });

  it('a forgotten contact no longer counts: their industry was sealed with the rest of them', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    heldMeeting(log, 2, 2);
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    const r = project(log.events);
    expect(r.rows('levels-by-industry')).toEqual([{ industry: 'software', level: 'senior', contacts: 1, met: 1 }]);
  });
});

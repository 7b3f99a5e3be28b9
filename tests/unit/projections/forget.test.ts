import { describe, expect, it } from 'vitest';
import { contactAdded, eventLog, heldMeeting, id, workspaceConfigured } from './support/log.ts';
import { everyCell, project } from './support/harness.ts';
import { readModelNames } from '../../../src/read-models/queries.ts';

/** Everything personal the log holds about contact 1, as it could reach a read model. */
const PERSONAL = [
  'Ada Person1',
  'ada1@example.org',
  '+44 20 7946 0001',
  'linkedin.com/in/ada',
  'Acacia Avenue',
  'hiring freeze',
  'Portfolio beats',
  'Call Ada on her mobile',
  'Northwind Analytics',
  'Head of Data',
  'Litware',
];

function fullStory() {
  const log = eventLog();
  log.workspace('WorkspaceConfigured', workspaceConfigured());
  heldMeeting(log, 1, 1, { contact: { linkedinUrl: 'https://linkedin.com/in/ada' } });
  log.contact(id(1), 'ResearchNoteAdded', { note: 'Call Ada on her mobile', addedAt: '2026-11-02T10:30:00Z' });
  log.contact(id(1), 'ReplyReceived', { summary: 'Call Ada on her mobile', receivedAt: '2026-11-24T08:00:00Z' });
  log.contact(id(1), 'JobLeadReported', {
    description: 'Call Ada on her mobile about the opening',
    organisation: 'Litware',
    reportedAt: '2026-11-24T09:00:00Z',
  });
  log.contact(id(2), 'ContactAdded', contactAdded(2, { organisation: 'Contoso', role: 'Analyst', referredBy: { contactId: id(1), meetingId: id(1, 'm') } }));
  log.meeting(id(3, 'm'), 'MeetingRequested', {
    meetingId: id(3, 'm'),
    contactId: id(1),
    channel: 'email',
    via: 'direct',
    minutes: 20,
    requestedAt: '2026-11-24T10:00:00Z',
  });
  log.meeting(id(3, 'm'), 'MeetingBooked', {
    start: '2026-12-01T10:00:00Z',
    minutes: 20,
    timezone: 'Europe/London',
    location: '12 Acacia Avenue',
    bookedAt: '2026-11-24T11:00:00Z',
  });
  return log;
}

describe('forgetting a contact in every read model', () => {
  it('before forgetting, the personal data is there (so the check below means something)', () => {
    const cells = everyCell(project(fullStory().events).db);
    for (const p of ['Ada Person1', 'ada1@example.org', '+44 20 7946 0001', '12 Acacia Avenue', 'Call Ada on her mobile about the opening'])
      expect(cells).toContain(p);
  });

  it('after ContactForgotten no table holds their name, email, phone, profile, notes, place or words', () => {
    const log = fullStory();
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    const cells = everyCell(project(log.events).db);
    for (const p of PERSONAL) expect(cells, p).not.toContain(p);
  });

  it('no read model returns it either, and another contact is untouched', () => {
    const log = fullStory();
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    const r = project(log.events);
    const everything = JSON.stringify([...readModelNames.map((n) => r.rows(n, { now: '2026-11-25T10:00:00Z' })), r.dashboard({ now: '2026-11-25T10:00:00Z' })]);
    for (const p of PERSONAL) expect(everything, p).not.toContain(p);
    expect(everything).toContain('Ada Person2');
  });

  it('the anonymous counts stay: contacts, meetings held, the funnel, latency, referrals and leads (not the industry: sealed free text)', () => {
    const log = fullStory();
    const before = project(log.events).dashboard({ now: '2026-11-25T10:00:00Z' });
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    const r = project(log.events);
    const after = r.dashboard({ now: '2026-11-25T10:00:00Z' });
    expect(after.totals).toEqual(before.totals);
    expect(after.thankYouLatency).toEqual(before.thankYouLatency);
    expect(after.referralsPerInterview).toEqual(before.referralsPerInterview);
    expect(before.levelsByIndustry).not.toEqual([]);
    expect(after.levelsByIndustry).toEqual([]);
    expect(r.models.workspaces()).toEqual([{ workspaceId: 'ws-a', ownerName: 'Sam Seeker', timezone: 'Europe/London', contacts: 2, meetings: 2 }]);
  });
});

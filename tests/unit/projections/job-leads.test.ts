import { describe, expect, it } from 'vitest';
import { eventLog, heldMeeting, id } from './support/log.ts';
import { project } from './support/harness.ts';

describe('job leads read model', () => {
  it('a job lead reported is listed with its contact, organisation and meeting', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    const e = log.contact(id(1), 'JobLeadReported', {
      description: 'Junior analyst opening, not advertised',
      organisation: 'Litware',
      meetingId: id(1, 'm'),
      reportedAt: '2026-11-24T09:00:00Z',
    });
    expect(project(log.events).rows('job-leads')).toEqual([
      {
        leadId: e.id,
        workspaceId: 'ws-a',
        contactId: id(1),
        contactName: 'Ada Person1',
        organisation: 'Litware',
        description: 'Junior analyst opening, not advertised',
        meetingId: id(1, 'm'),
        reportedAt: '2026-11-24T09:00:00.000Z',
      },
    ]);
  });

  it('leads are listed latest first', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.contact(id(1), 'JobLeadReported', { description: 'First', reportedAt: '2026-11-24T09:00:00Z' });
    log.contact(id(1), 'JobLeadReported', { description: 'Second', reportedAt: '2026-11-25T09:00:00Z' });
    expect(
      project(log.events)
        .rows('job-leads')
        .map((r) => r['description']),
    ).toEqual(['Second', 'First']);
  });

  it('forgetting the contact removes the description, the organisation and the name, and keeps the lead as a count', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.contact(id(1), 'JobLeadReported', { description: 'Ask Ada about the role', organisation: 'Litware', reportedAt: '2026-11-24T09:00:00Z' });
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    const r = project(log.events);
    expect(r.rows('job-leads')).toEqual([expect.objectContaining({ contactName: null, description: null, organisation: null })]);
    expect(r.dashboard().totals.leads).toBe(1);
  });
});

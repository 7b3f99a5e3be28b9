import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openReadModels, readModelNames } from '../../../src/read-models/queries.ts';
import { contactAdded, eventLog, heldMeeting, id, workspaceConfigured } from './support/log.ts';
import { NOW, project } from './support/harness.ts';

const many = (n: number) => {
  const log = eventLog();
  log.workspace('WorkspaceConfigured', workspaceConfigured());
  log.workspace('WorkspaceConfigured', workspaceConfigured({ ownerName: 'Bea Seeker' }), 'ws-b');
  // Every contact added at the same instant: paging must not depend on a tie-break SQLite picks.
  for (let i = 1; i <= n; i++) log.contact(id(i), 'ContactAdded', contactAdded(i, { addedAt: '2026-11-02T10:00:00Z' }), i % 2 ? 'ws-a' : 'ws-b');
  return log;
};

describe('the read-model API', () => {
  it('names every read model the HTTP layer serves', () => {
    expect(readModelNames).toEqual([
      'contacts',
      'pipeline',
      'funnel',
      'referral-tree',
      'agenda',
      'follow-ups',
      'thank-you-latency',
      'referrals-per-interview',
      'levels-by-industry',
      'overruns',
      'job-leads',
      'drafts',
    ]);
  });

  it('pages are stable and add up to the whole list', () => {
    const { models } = project(many(25).events);
    const all = models.list('contacts', { limit: 1000, offset: 0, now: NOW });
    const paged = [0, 10, 20].flatMap((offset) => models.list('contacts', { limit: 10, offset, now: NOW }).rows);
    expect(all.total).toBe(25);
    expect(paged.map((r) => r['contactId'])).toEqual(all.rows.map((r) => r['contactId']));
    expect(new Set(paged.map((r) => r['contactId'])).size).toBe(25);
  });

  it('the total counts the filtered rows, not the page', () => {
    const { models } = project(many(25).events);
    expect(models.list('contacts', { workspaceId: 'ws-b', limit: 5, offset: 0, now: NOW })).toMatchObject({ total: 12 });
  });

  it('every read model answers for a workspace with nothing in it', () => {
    const { models } = project(many(3).events);
    for (const name of readModelNames) expect(models.list(name, { workspaceId: 'ws-none', limit: 10, offset: 0, now: NOW })).toEqual({ rows: [], total: 0 });
  });

  it('workspaces list each seeker with their counts', () => {
    expect(project(many(3).events).models.workspaces()).toEqual([
      { workspaceId: 'ws-a', ownerName: 'Sam Seeker', timezone: 'Europe/London', contacts: 2, meetings: 0 },
      { workspaceId: 'ws-b', ownerName: 'Bea Seeker', timezone: 'Europe/London', contacts: 1, meetings: 0 },
    ]);
  });

  it('the dashboard of one workspace counts only its own; without one, every workspace', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    heldMeeting(log, 2, 2, { ws: 'ws-b', actualMinutes: 30 });
    const { dashboard } = project(log.events);
    expect(dashboard().totals.held).toBe(2);
    expect(dashboard({ workspaceId: 'ws-b' })).toMatchObject({ workspaceId: 'ws-b', totals: { held: 1 }, overruns: [{ meetingId: id(2, 'm') }] });
    expect(dashboard()).toMatchObject({ workspaceId: null });
  });

  it('the dashboard has every figure, even for an empty log', () => {
    expect(project([]).dashboard()).toEqual({
      workspaceId: null,
      funnel: [],
      totals: { added: 0, requested: 0, booked: 0, held: 0, thanked: 0, leads: 0 },
      meetingsPerWeek: [],
      thankYouLatency: { p50Hours: null, p90Hours: null, within24hShare: null, count: 0 },
      referralsPerInterview: { average: null, target: 2, meetings: 0, reachingTarget: 0 },
      levelsByIndustry: [],
      agenda: [],
      followUpsDue: [],
      overruns: [],
      jobLeads: [],
      draftsWaiting: [],
      levelsCovered: [],
      objectivity: [],
      range: { from: null, to: null },
      listTotals: { agenda: 0, followUps: 0, overruns: 0, jobLeads: 0, drafts: 0 },
    });
  });

  it('refuses an unknown read model, a bad page and a bad time with coded errors', () => {
    const { models } = project([]);
    expect(() => models.list('nope' as never, { limit: 1, offset: 0, now: NOW })).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => models.list('contacts', { limit: -1, offset: 0, now: NOW })).toThrow(expect.objectContaining({ code: 'validation', field: 'limit' }));
    expect(() => models.list('contacts', { limit: 1, offset: 1.5, now: NOW })).toThrow(expect.objectContaining({ code: 'validation', field: 'offset' }));
    expect(() => models.list('contacts', { limit: 1, offset: 0, now: 'tomorrow' })).toThrow(expect.objectContaining({ code: 'validation', field: 'now' }));
  });

  it('`now` may carry any offset', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.meeting(id(1, 'm'), 'MeetingRequested', {
      meetingId: id(1, 'm'),
      contactId: id(1),
      channel: 'email',
      via: 'direct',
      minutes: 20,
      requestedAt: '2026-11-02T11:00:00Z',
    });
    log.meeting(id(1, 'm'), 'MeetingBooked', { start: '2026-11-24T10:00:00Z', minutes: 20, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' });
    const { rows } = project(log.events);
    expect(rows('agenda', { now: '2026-11-24T10:30:00+01:00' })).toHaveLength(1); // 09:30 UTC
    expect(rows('agenda', { now: '2026-11-24T05:30:00-05:00' })).toHaveLength(0); // 10:30 UTC
  });

  it('openReadModels answers on a data folder no projector has touched yet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outreach-rm-'));
    try {
      const models = openReadModels(dir);
      expect(models.list('pipeline', { limit: 10, offset: 0, now: NOW })).toEqual({ rows: [], total: 0 });
      expect(models.lag(5n).every((l) => l.checkpoint === 0 && l.lag === 5)).toBe(true);
      models.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

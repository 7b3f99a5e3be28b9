import { describe, expect, it } from 'vitest';
import { contactAdded, eventLog, heldMeeting, id, workspaceConfigured } from './support/log.ts';
import { project } from './support/harness.ts';

describe('funnel read model', () => {
  it('each step counts in the ISO week it happened', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1); // added and requested 2 Nov (W45), booked 3 Nov (W45), held and thanked 23 Nov (W48)
    log.contact(id(1), 'JobLeadReported', { description: 'A junior analyst opening', reportedAt: '2026-11-24T09:00:00Z' });
    expect(project(log.events).rows('funnel')).toEqual([
      { week: '2026-W45', added: 1, requested: 1, booked: 1, held: 0, thanked: 0, leads: 0 },
      { week: '2026-W48', added: 0, requested: 0, booked: 0, held: 1, thanked: 1, leads: 1 },
    ]);
  });

  it('weeks are ISO weeks of the UTC date: a Sunday evening in New York is Monday in UTC', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1, { addedAt: '2026-11-29T21:00:00-05:00' })); // Mon 30 Nov 02:00 UTC
    log.contact(id(2), 'ContactAdded', contactAdded(2, { addedAt: '2027-01-01T10:00:00Z' })); // a Friday in 2026-W53
    expect(
      project(log.events)
        .rows('funnel')
        .map((r) => [r['week'], r['added']]),
    ).toEqual([
      ['2026-W49', 1],
      ['2026-W53', 1],
    ]);
  });

  it('a coach sees the weeks summed across workspaces; a seeker only their own', () => {
    const log = eventLog();
    log.workspace('WorkspaceConfigured', workspaceConfigured(), 'ws-b');
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    log.contact(id(2), 'ContactAdded', contactAdded(2), 'ws-b');
    const { rows } = project(log.events);
    expect(rows('funnel')[0]).toMatchObject({ week: '2026-W45', added: 2 });
    expect(rows('funnel', { workspaceId: 'ws-b' })[0]).toMatchObject({ week: '2026-W45', added: 1 });
  });

  it('the dashboard totals add up the weeks and meetings per week are the booked and held counts', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    heldMeeting(log, 2, 2, { thankYouAt: null });
    const d = project(log.events).dashboard();
    expect(d.totals).toEqual({ added: 2, requested: 2, booked: 2, held: 2, thanked: 1, leads: 0 });
    expect(d.meetingsPerWeek).toEqual([
      { week: '2026-W45', held: 0, booked: 2 },
      { week: '2026-W48', held: 2, booked: 0 },
    ]);
  });

  it('forgetting a contact leaves the counts as they were', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    const before = project(log.events).rows('funnel');
    log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    expect(project(log.events).rows('funnel')).toEqual(before);
  });
});

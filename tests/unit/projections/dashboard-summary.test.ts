import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../src/eventstore/port.ts';
import { levelsCovered, objectivity, referralsIn } from '../../../src/read-models/coach.ts';
import { levelsByIndustry } from '../../../src/read-models/projections/levels-by-industry.ts';
import { objectivityCounts } from '../../../src/read-models/projections/objectivity.ts';
import { referralsPerInterview } from '../../../src/read-models/projections/referrals-per-interview.ts';
import { generateLog } from './support/generated-log.ts';
import { contactAdded, eventLog, heldMeeting, id, meetingRequested } from './support/log.ts';
import { project } from './support/harness.ts';

/*
 * The dashboard reads levels per industry and interviews per career target from counters the
 * projections keep as events arrive. Here those answers are compared with the same figures
 * aggregated from scratch over the contacts and meetings (the queries a date range still uses),
 * for every workspace and across all, live, after a forget, and after the counters' projections
 * are rebuilt from zero.
 */

/** Career targets, meetings with and without one of their own, a contact's target and level changed after their meeting, a forget. */
function targetsLog() {
  const log = eventLog('ws-0001');
  log.workspace('CareerTargetAdded', { target: 'Data analysis', addedAt: '2026-11-01T09:00:00Z' });
  log.workspace('CareerTargetAdded', { target: 'Product management', addedAt: '2026-11-01T09:00:00Z' });
  log.workspace('CareerTargetAdded', { target: 'Data analysis', addedAt: '2026-11-01T09:00:00Z' }, 'ws-0002');
  log.workspace('CareerTargetAdded', { target: 'UX research', addedAt: '2026-11-01T09:00:00Z' }, 'ws-0002');
  log.workspace('CareerTargetRemoved', { target: 'UX research', removedAt: '2026-11-02T09:00:00Z' }, 'ws-0002');
  heldMeeting(log, 1, 1, { contact: { target: 'Data analysis', industry: 'finance', level: 'entry' } });
  heldMeeting(log, 2, 2, { contact: { target: 'Data analysis', industry: 'finance', level: 'executive' } });
  heldMeeting(log, 3, 3, { ws: 'ws-0002', contact: { target: 'Product management', industry: 'finance', level: 'mid' } });
  // A meeting with a target of its own counts there, whatever its contact's is.
  log.contact(id(4), 'ContactAdded', contactAdded(4, { target: 'Data analysis' }), 'ws-0002');
  log.meeting(id(4, 'm'), 'MeetingRequested', meetingRequested(4, 4, { target: 'UX research' }), 'ws-0002');
  log.meeting(
    id(4, 'm'),
    'MeetingHeld',
    { heldAt: '2026-11-20T10:00:00Z', actualMinutes: 20, referralsAsked: 1, businessCards: 0, sentiment: 'negative' },
    'ws-0002',
  );
  // Changed after their meeting was held: the meeting moves with the contact's target, the contact with their level.
  log.contact(id(2), 'ContactDetailsChanged', { changes: { target: 'Product management', level: 'senior' }, changedAt: '2026-11-25T09:00:00Z' });
  // Forgotten: out of the levels (the industry went with them), their meeting still held under its target.
  log.contact(id(1), 'ContactForgotten', { forgottenAt: '2026-11-26T09:00:00Z' });
  log.contact(id(1), 'ContactDetailsChanged', { changes: { target: 'UX research' }, changedAt: '2026-11-27T09:00:00Z' });
  return log.events;
}

/** A generated log over several workspaces (industries, levels, meetings held, forgets) with the targets above. */
function events(): StoredEvent[] {
  const generated = [...generateLog({ seed: 20261205, events: 4000, workspaces: 4, concurrency: 60 })];
  return [...generated, ...targetsLog()].map((e, i) => ({ ...e, position: BigInt(i + 1), createdAt: '2026-11-30T12:00:00.000Z' }) as StoredEvent);
}

function expectCountersMatchScratch(r: ReturnType<typeof project>, workspaces: (string | undefined)[]) {
  // The counts themselves, not only whether a level has any: every contact with an industry and a level, and those met.
  const scratch = r.db
    .prepare(
      `SELECT workspace_id, industry, level, COUNT(*) AS contacts,
         SUM(contact_id IN (SELECT contact_id FROM pipeline WHERE held_at IS NOT NULL)) AS met
       FROM contacts WHERE industry IS NOT NULL AND level IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )
    .all();
  expect(r.db.prepare('SELECT workspace_id, industry, level, contacts, met FROM levels_summary ORDER BY 1, 2, 3').all()).toEqual(scratch);
  for (const ws of workspaces) {
    const d = r.dashboard(ws === undefined ? {} : { workspaceId: ws });
    const covered = levelsCovered(r.db, ws, {});
    expect(d.levelsCovered, `levels covered in ${ws ?? 'all'}`).toEqual(covered);
    expect(d.levelsByIndustry, `levels met in ${ws ?? 'all'}`).toEqual(
      covered.map((l) => ({ industry: l.industry, levels: l.met })).filter((l) => l.levels.length),
    );
    expect(d.objectivity, `objectivity in ${ws ?? 'all'}`).toEqual(objectivity(r.db, ws, {}));
    expect(d.referralsPerInterview, `referrals per interview in ${ws ?? 'all'}`).toEqual(referralsIn(r.db, ws, {}));
  }
}

const summaryTables = ['levels_summary', 'levels_summary_all', 'objectivity_summary', 'objectivity_summary_all', 'referrals_summary'];
const dump = (r: ReturnType<typeof project>) =>
  Object.fromEntries(summaryTables.map((t) => [t, r.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2${t === 'referrals_summary' ? '' : ', 3'}`).all()]));

describe('the dashboard summary counters', () => {
  const log = events();
  const workspaces = [undefined, 'ws-0001', 'ws-0002', 'ws-0003', 'ws-0004', 'ws-none'];

  it('give what aggregating the contacts and meetings from scratch gives, per workspace and across all', () => {
    const r = project(log);
    expect(log.filter((e) => e.type === 'ContactForgotten').length).toBeGreaterThan(1);
    const all = r.dashboard();
    expect(all.levelsCovered.length).toBeGreaterThan(1);
    expect(all.objectivity.map((o) => [o.target, o.named, o.interviewsHeld])).toEqual([
      ['Data analysis', true, 1],
      ['Product management', true, 2],
      ['UX research', false, 1],
    ]);
    expectCountersMatchScratch(r, workspaces);
  });

  it('applied live in batches, then rebuilt from zero, hold the same rows and the same answers', () => {
    const r = project([]);
    for (let i = 0; i < log.length; i += 337) r.projector.apply(log.slice(i, i + 337), null);
    const live = dump(r);
    expectCountersMatchScratch(r, workspaces);
    r.db.transaction(() => {
      for (const p of [levelsByIndustry, objectivityCounts, referralsPerInterview]) {
        p.reset(r.db);
        for (const e of log) p.apply(r.db, e);
      }
    })();
    expect(dump(r)).toEqual(live);
    expectCountersMatchScratch(r, workspaces);
  });

  it('a forget takes the contact out of their level and keeps their meeting under its target', () => {
    const before = project(targetsLog().filter((e) => e.type !== 'ContactForgotten'));
    const after = project(targetsLog());
    const finance = (r: ReturnType<typeof project>) => r.dashboard({ workspaceId: 'ws-0001' }).levelsCovered.find((l) => l.industry === 'finance');
    expect(finance(before)).toEqual({ industry: 'finance', listed: ['entry', 'senior'], met: ['entry', 'senior'] });
    expect(finance(after)).toEqual({ industry: 'finance', listed: ['senior'], met: ['senior'] });
    expect(after.dashboard({ workspaceId: 'ws-0001' }).objectivity.find((o) => o.target === 'Data analysis')?.interviewsHeld).toBe(1);
    expectCountersMatchScratch(after, workspaces);
  });
});

import type { Database } from 'better-sqlite3';
import { inWorkspace, stmt } from './projections/support/sql.ts';
import { isoWeek } from './projections/support/time.ts';
import { rangeParams, within, type Range } from './range.ts';
import type { ObjectivityCount } from './projections/objectivity.ts';

/**
 * The figures a coach compares seekers by, and those the dashboard counts inside a date range,
 * read from the projections' tables when asked (a handful of grouped scans per workspace).
 */

const DAY_SECONDS = 86_400;
const LATENCY = `(julianday(thank_you_sent_at) - julianday(held_at)) * ${DAY_SECONDS}`;

/** One row of the coach's table: a seeker and their figures in the range. */
export type SeekerRow = {
  workspaceId: string;
  ownerName: string | null;
  timezone: string | null;
  contacts: number;
  requests: number;
  meetingsHeld: number;
  thankYous: number;
  thankYousWithin24h: number;
  referralsPerInterview: number | null;
  leads: number;
  lastActivityAt: string | null;
};

export function seekers(db: Database, range: Range): SeekerRow[] {
  const p = rangeParams(range);
  return stmt(
    db,
    `
    SELECT ids.workspace_id AS workspaceId, w.owner_name AS ownerName, w.timezone AS timezone,
      (SELECT COUNT(*) FROM contacts c WHERE c.workspace_id = ids.workspace_id AND ${within('c.added_at')}) AS contacts,
      (SELECT COUNT(*) FROM pipeline m WHERE m.workspace_id = ids.workspace_id AND ${within('m.requested_at')}) AS requests,
      (SELECT COUNT(*) FROM pipeline m WHERE m.workspace_id = ids.workspace_id AND ${within('m.held_at')}) AS meetingsHeld,
      (SELECT COUNT(*) FROM pipeline m WHERE m.workspace_id = ids.workspace_id AND ${within('m.held_at')} AND m.thank_you_sent_at IS NOT NULL) AS thankYous,
      (SELECT COUNT(*) FROM pipeline m WHERE m.workspace_id = ids.workspace_id AND ${within('m.held_at')}
        AND m.thank_you_sent_at IS NOT NULL AND ${LATENCY} <= ${DAY_SECONDS}) AS thankYousWithin24h,
      (SELECT round(AVG(referrals_asked), 2) FROM pipeline m WHERE m.workspace_id = ids.workspace_id AND ${within('m.held_at')}) AS referralsPerInterview,
      (SELECT COUNT(*) FROM job_leads l WHERE l.workspace_id = ids.workspace_id AND ${within('l.reported_at')}) AS leads,
      (SELECT max(t) FROM (
        SELECT max(c.last_touch_at) AS t FROM contacts c WHERE c.workspace_id = ids.workspace_id AND ${within('c.last_touch_at')}
        UNION ALL SELECT max(m.last_touch_at) FROM pipeline m WHERE m.workspace_id = ids.workspace_id AND ${within('m.last_touch_at')})) AS lastActivityAt
    FROM (SELECT workspace_id FROM workspaces UNION SELECT DISTINCT workspace_id FROM contacts) ids
    LEFT JOIN workspaces w ON w.workspace_id = ids.workspace_id
    ORDER BY ids.workspace_id`,
  ).all(p) as SeekerRow[];
}

/** The funnel's weeks that overlap the range (the funnel is counted per ISO week). */
export function weeksOf(range: Range): { fromWeek: string | null; toWeek: string | null } {
  return {
    fromWeek: range.from ? isoWeek(range.from) : null,
    toWeek: range.to ? isoWeek(new Date(Date.parse(range.to) - 1).toISOString()) : null,
  };
}

const percentile = (sorted: number[], pct: number) => sorted[Math.ceil(pct * sorted.length) - 1]!;
const hours = (s: number) => Math.round((s / 3600) * 10) / 10;

/** Thank-you latency of the meetings held in the range. */
export function latencyIn(db: Database, ws: string | undefined, range: Range) {
  const seconds = (
    stmt(
      db,
      `SELECT latency_seconds AS s FROM thank_you_latency WHERE ${inWorkspace(ws)} AND latency_seconds IS NOT NULL AND ${within('held_at')} ORDER BY 1`,
    ).all({
      workspaceId: ws ?? null,
      ...rangeParams(range),
    }) as { s: number }[]
  ).map((r) => r.s);
  if (seconds.length === 0) return { p50Hours: null, p90Hours: null, within24hShare: null, count: 0 };
  const inDay = seconds.filter((s) => s <= DAY_SECONDS).length;
  return {
    p50Hours: hours(percentile(seconds, 0.5)),
    p90Hours: hours(percentile(seconds, 0.9)),
    within24hShare: inDay / seconds.length,
    count: seconds.length,
  };
}

/** Referrals asked per meeting held in the range, against the method's two. */
export function referralsIn(db: Database, ws: string | undefined, range: Range) {
  const r = stmt(
    db,
    `SELECT COUNT(*) AS meetings, AVG(referrals_asked) AS average, coalesce(SUM(referrals_asked >= 2), 0) AS reaching
     FROM referrals_per_interview WHERE ${inWorkspace(ws)} AND ${within('held_at')}`,
  ).get({ workspaceId: ws ?? null, ...rangeParams(range) }) as { meetings: number; average: number | null; reaching: number };
  return { average: r.average === null ? null : Math.round(r.average * 100) / 100, target: 2 as const, meetings: r.meetings, reachingTarget: r.reaching };
}

const LADDER = `CASE level WHEN 'entry' THEN 0 WHEN 'mid' THEN 1 WHEN 'senior' THEN 2 WHEN 'executive' THEN 3 ELSE 4 END`;

export type LevelsCovered = { industry: string; listed: string[]; met: string[] };

/**
 * Per industry, the levels of the people on the list (added in the range) and, apart, the levels
 * of those met (a meeting held in the range): a list that reaches every level is not yet a
 * conversation at every level. The meetings held are read once as a set (IN), not once per contact
 * (a correlated EXISTS cost most of an uncached dashboard request).
 */
export function levelsCovered(db: Database, ws: string | undefined, range: Range): LevelsCovered[] {
  const rows = stmt(
    db,
    `
    SELECT c.industry AS industry, c.level AS level,
      MAX(${within('c.added_at')}) AS listed,
      MAX(c.contact_id IN (SELECT m.contact_id FROM pipeline m WHERE m.contact_id IS NOT NULL AND ${within('m.held_at')})) AS met
    FROM contacts c
    WHERE ${inWorkspace(ws, 'c.workspace_id')} AND c.industry IS NOT NULL AND c.level IS NOT NULL
    GROUP BY c.industry, c.level ORDER BY c.industry, ${LADDER}`,
  ).all({ workspaceId: ws ?? null, ...rangeParams(range) }) as { industry: string; level: string; listed: number; met: number }[];
  const by = new Map<string, LevelsCovered>();
  for (const r of rows) {
    if (!r.listed && !r.met) continue;
    const entry = by.get(r.industry) ?? { industry: r.industry, listed: [], met: [] };
    if (r.listed) entry.listed.push(r.level);
    if (r.met) entry.met.push(r.level);
    by.set(r.industry, entry);
  }
  return [...by.values()];
}

/** Below this many interviews on a career, deciding about it leans on too few opinions (the method's step 4). */
export const OBJECTIVITY_MINIMUM = 3;

export type TargetObjectivity = {
  target: string;
  /** Whether the seeker still names it as a career being explored. */
  named: boolean;
  interviewsHeld: number;
  sentiment: { positive: number; neutral: number; negative: number; unrecorded: number };
  caution: string | null;
};

/**
 * Interviews held per career target (the meeting's own target, else its contact's) in the range,
 * with how the seeker felt about each, and a caution while fewer than three were held.
 */
export function objectivity(db: Database, ws: string | undefined, range: Range): TargetObjectivity[] {
  const params = { workspaceId: ws ?? null, ...rangeParams(range) };
  const named = (stmt(db, `SELECT DISTINCT target FROM career_targets WHERE ${inWorkspace(ws)} ORDER BY target`).all(params) as { target: string }[]).map(
    (r) => r.target,
  );
  const held = stmt(
    db,
    `
    SELECT coalesce(m.target, c.target) AS target, m.sentiment AS sentiment, COUNT(*) AS n
    FROM pipeline m LEFT JOIN contacts c ON c.contact_id = m.contact_id
    WHERE ${inWorkspace(ws, 'm.workspace_id')} AND ${within('m.held_at')} AND coalesce(m.target, c.target) IS NOT NULL
    GROUP BY 1, 2`,
  ).all(params) as { target: string; sentiment: string | null; n: number }[];
  const by = new Map<string, TargetObjectivity>();
  const entry = (target: string) => {
    let e = by.get(target);
    if (!e)
      by.set(
        target,
        (e = { target, named: named.includes(target), interviewsHeld: 0, sentiment: { positive: 0, neutral: 0, negative: 0, unrecorded: 0 }, caution: null }),
      );
    return e;
  };
  for (const t of named) entry(t);
  for (const r of held) {
    const e = entry(r.target);
    e.interviewsHeld += r.n;
    const key = r.sentiment === 'positive' || r.sentiment === 'neutral' || r.sentiment === 'negative' ? r.sentiment : 'unrecorded';
    e.sentiment[key] += r.n;
  }
  return withCautions([...by.values()]);
}

/** Per career target counted (named or not), its interviews held with a caution under three, by target. */
export function objectivityOf(counts: ObjectivityCount[]): TargetObjectivity[] {
  return withCautions(
    counts.map((c) => ({
      target: c.target,
      named: c.named > 0,
      interviewsHeld: c.positive + c.neutral + c.negative + c.unrecorded,
      sentiment: { positive: c.positive, neutral: c.neutral, negative: c.negative, unrecorded: c.unrecorded },
      caution: null,
    })),
  );
}

function withCautions(entries: TargetObjectivity[]): TargetObjectivity[] {
  for (const e of entries) {
    if (e.interviewsHeld < OBJECTIVITY_MINIMUM) {
      const left = OBJECTIVITY_MINIMUM - e.interviewsHeld;
      e.caution =
        e.interviewsHeld === 0
          ? `no interview held yet: talk to ${left} people before deciding about ${e.target}`
          : `only ${e.interviewsHeld} interview${e.interviewsHeld === 1 ? '' : 's'} held: talk to ${left} more before deciding about ${e.target}`;
    }
  }
  return entries.sort((a, b) => a.target.localeCompare(b.target));
}

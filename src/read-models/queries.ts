import type { Database } from 'better-sqlite3';
import { OutreachError } from '../domain/errors.ts';
import { projections } from './projections/index.ts';
import { listAgenda, type AgendaItem } from './projections/agenda.ts';
import { listContacts } from './projections/contacts.ts';
import { listFollowUps, type FollowUpItem } from './projections/follow-ups.ts';
import { funnelWeeks, listFunnel } from './projections/funnel.ts';
import { listJobLeads, type JobLeadItem } from './projections/job-leads.ts';
import { findDraft, listDrafts, type DraftItem } from './projections/drafts.ts';
import { findContacts, findMeetings, referralsGivenBy, type ContactFilter, type ContactMatch, type MeetingMatch } from './projections/contact-search.ts';
import { levelCounts, listLevelsByIndustry, type LevelsCount } from './projections/levels-by-industry.ts';
import { objectivityCounted } from './projections/objectivity.ts';
import { listOverruns, type OverrunItem } from './projections/overruns.ts';
import { listPipeline } from './projections/pipeline.ts';
import { listReferralTree } from './projections/referral-tree.ts';
import { listReferralsPerInterview, referralsSummary } from './projections/referrals-per-interview.ts';
import { latencySummary, listThankYouLatency } from './projections/thank-you-latency.ts';
import { listWorkspaces } from './projections/workspaces.ts';
import { createMissingTables, readCheckpoints } from './projector/checkpoints.ts';
import { openProjectionsDb, projectionsFile } from './projector/database.ts';
import type { Page, Rows } from './projections/support/sql.ts';
import {
  latencyIn,
  levelsCovered,
  objectivity,
  objectivityOf,
  referralsIn,
  seekers,
  weeksOf,
  type LevelsCovered,
  type SeekerRow,
  type TargetObjectivity,
} from './coach.ts';
import { inRange, isOpen, type Range } from './range.ts';

export type { AgendaItem, DraftItem, FollowUpItem, JobLeadItem, OverrunItem };

export type ReadModelName =
  | 'contacts'
  | 'pipeline'
  | 'funnel'
  | 'referral-tree'
  | 'agenda'
  | 'follow-ups'
  | 'thank-you-latency'
  | 'referrals-per-interview'
  | 'levels-by-industry'
  | 'overruns'
  | 'job-leads'
  | 'drafts';

const lists: Record<ReadModelName, (db: Database, q: Page) => Rows> = {
  contacts: listContacts,
  pipeline: listPipeline,
  funnel: listFunnel,
  'referral-tree': listReferralTree,
  agenda: listAgenda,
  'follow-ups': listFollowUps,
  'thank-you-latency': listThankYouLatency,
  'referrals-per-interview': listReferralsPerInterview,
  'levels-by-industry': listLevelsByIndustry,
  overruns: listOverruns,
  'job-leads': listJobLeads,
  drafts: listDrafts,
};

export const readModelNames: readonly ReadModelName[] = Object.keys(lists) as ReadModelName[];

type Counts = { added: number; requested: number; booked: number; held: number; thanked: number; leads: number };

export type Dashboard = {
  workspaceId: string | null;
  funnel: ({ week: string } & Counts)[];
  totals: Counts;
  meetingsPerWeek: { week: string; held: number; booked: number }[];
  thankYouLatency: { p50Hours: number | null; p90Hours: number | null; within24hShare: number | null; count: number };
  referralsPerInterview: { average: number | null; target: 2; meetings: number; reachingTarget: number };
  levelsByIndustry: { industry: string; levels: string[] }[];
  agenda: AgendaItem[];
  followUpsDue: FollowUpItem[];
  overruns: OverrunItem[];
  jobLeads: JobLeadItem[];
  /** Emails waiting for the seeker's review (the oldest first). */
  draftsWaiting: DraftItem[];
  /** Per industry, the levels listed and, apart, the levels met. */
  levelsCovered: LevelsCovered[];
  /** Interviews held per career target, with the sentiment mix and a caution under three. */
  objectivity: TargetObjectivity[];
  /** The period every figure is counted in (null: open). */
  range: { from: string | null; to: string | null };
  /** How many items each capped list has in all (in the range). */
  listTotals: { agenda: number; followUps: number; overruns: number; jobLeads: number; drafts: number };
};

/** The date each capped list is placed in a range by. */
const LIST_DATES = { agenda: 'start', 'follow-ups': 'dueAt', overruns: 'heldAt', 'job-leads': 'reportedAt', drafts: 'draftedAt' } as const;
const RANGED_LIMIT = 1000;

export type ReadModels = {
  list(name: ReadModelName, q: { workspaceId?: string; limit: number; offset: number; now: string }): { rows: Record<string, unknown>[]; total: number };
  dashboard(q: { workspaceId?: string; now: string; range?: Range }): Dashboard;
  /** One row per seeker with the figures a coach compares them by, counted in the range. */
  seekers(range: Range): SeekerRow[];
  workspaces(): { workspaceId: string; ownerName: string | null; timezone: string | null; contacts: number; meetings: number }[];
  /** Drafts whose id starts so (several when the prefix is ambiguous). */
  findDraft(idOrPrefix: string, workspaceId: string | null): DraftItem[];
  /** The contacts a person may mean: an id prefix, an email, a name. */
  findContacts(text: string, workspaceId: string | null): ContactMatch[];
  findMeetings(q: { idPrefix?: string; contactIds?: string[] }, workspaceId: string | null): MeetingMatch[];
  referralsGivenBy(contactId: string): { contactId: string; name: string | null; meetingId: string | null }[];
  /** Contacts narrowed by a filter (search text, status, tag, organisation, level). */
  contacts(q: { workspaceId?: string; limit: number; offset: number; now: string; filter: ContactFilter }): { rows: Record<string, unknown>[]; total: number };
  lag(headPosition: bigint | null): { name: string; checkpoint: number; lag: number }[];
  close(): void;
};

const sumWeeks = (weeks: ({ week: string } & Counts)[]): Counts => {
  const t: Counts = { added: 0, requested: 0, booked: 0, held: 0, thanked: 0, leads: 0 };
  for (const w of weeks) for (const k of Object.keys(t) as (keyof Counts)[]) t[k] += w[k];
  return t;
};

/** Per industry, the levels with a contact and, apart, those with a contact met, from the counters (lowest rung first). */
function coveredOf(counts: LevelsCount[]): LevelsCovered[] {
  const by = new Map<string, LevelsCovered>();
  for (const r of counts) {
    const entry = by.get(r.industry) ?? { industry: r.industry, listed: [], met: [] };
    entry.listed.push(r.level);
    if (r.met > 0) entry.met.push(r.level);
    by.set(r.industry, entry);
  }
  return [...by.values()];
}

/** How many items each list on the dashboard shows; the full lists are a `list` call away. */
export const DASHBOARD_ITEMS = 10;
const MAX_LIMIT = 1000;

/** `now` in the stored form (UTC, milliseconds), so that it compares with stored instants as text. */
function instantNow(now: string): string {
  const ms = Date.parse(now);
  if (Number.isNaN(ms)) throw new OutreachError('validation', `now: must be an ISO 8601 date-time, not ${JSON.stringify(now)}`, { field: 'now' });
  return new Date(ms).toISOString();
}

function checkPage(limit: number, offset: number) {
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT)
    throw new OutreachError('validation', `limit: must be a whole number from 0 to ${MAX_LIMIT}`, { field: 'limit' });
  if (!Number.isInteger(offset) || offset < 0) throw new OutreachError('validation', 'offset: must be a whole number, 0 or more', { field: 'offset' });
}

/** The queries over an open projections database (the projector's own connection, or a reader's). */
export function readModelsOn(db: Database): ReadModels {
  const list: ReadModels['list'] = (name, q) => {
    const read = Object.hasOwn(lists, name) ? lists[name] : undefined;
    if (!read) throw new OutreachError('not_found', `read model ${String(name)} does not exist (known: ${readModelNames.join(', ')})`, { field: 'name' });
    checkPage(q.limit, q.offset);
    return read(db, { workspaceId: q.workspaceId, limit: q.limit, offset: q.offset, now: instantNow(q.now) });
  };

  return {
    list,

    dashboard(q) {
      const now = instantNow(q.now);
      const ws = q.workspaceId;
      const range = q.range ?? {};
      const open = isOpen(range);
      const scope = ws === undefined ? {} : { workspaceId: ws };
      // A capped list: its first items and how many it has in all, inside the range.
      const top = (name: keyof typeof LIST_DATES): { rows: Record<string, unknown>[]; total: number } => {
        const read = (limit: number) =>
          name === 'drafts' ? listDrafts(db, { ...scope, limit, offset: 0, now, status: 'waiting' }) : list(name, { ...scope, limit, offset: 0, now });
        if (open) return read(DASHBOARD_ITEMS);
        const rows = read(RANGED_LIMIT).rows.filter((r) => inRange(range, r[LIST_DATES[name]] as string | null));
        return { rows: rows.slice(0, DASHBOARD_ITEMS), total: rows.length };
      };
      // One read transaction, so every figure comes from the same moment of the projector's work.
      return db
        .transaction((): Dashboard => {
          const { fromWeek, toWeek } = weeksOf(range);
          const weeks = funnelWeeks(db, ws).filter((w) => (fromWeek === null || w.week >= fromWeek) && (toWeek === null || w.week <= toWeek));
          const lists = { agenda: top('agenda'), followUps: top('follow-ups'), overruns: top('overruns'), jobLeads: top('job-leads'), drafts: top('drafts') };
          // Open: the levels as the projection counts them; in a range, counted from the contacts and meetings dated in it.
          const covered = open ? coveredOf(levelCounts(db, ws)) : levelsCovered(db, ws, range);
          return {
            workspaceId: ws ?? null,
            funnel: weeks,
            // Every week when open, so their sum is the total.
            totals: sumWeeks(weeks),
            meetingsPerWeek: weeks.map((w) => ({ week: w.week, held: w.held, booked: w.booked })),
            thankYouLatency: open ? latencySummary(db, ws) : latencyIn(db, ws, range),
            referralsPerInterview: open ? referralsSummary(db, ws) : referralsIn(db, ws, range),
            levelsByIndustry: covered.map((l) => ({ industry: l.industry, levels: l.met })).filter((l) => l.levels.length),
            agenda: lists.agenda.rows as AgendaItem[],
            followUpsDue: lists.followUps.rows as FollowUpItem[],
            overruns: lists.overruns.rows as OverrunItem[],
            jobLeads: lists.jobLeads.rows as JobLeadItem[],
            draftsWaiting: lists.drafts.rows as DraftItem[],
            levelsCovered: covered,
            objectivity: open ? objectivityOf(objectivityCounted(db, ws)) : objectivity(db, ws, range),
            range: { from: range.from ?? null, to: range.to ?? null },
            listTotals: Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, v.total])) as Dashboard['listTotals'],
          };
        })
        .deferred();
    },

    seekers: (range) => seekers(db, range),

    workspaces: () => listWorkspaces(db),
    findDraft: (idOrPrefix, workspaceId) => findDraft(db, idOrPrefix, workspaceId),
    findContacts: (text, workspaceId) => findContacts(db, text, workspaceId),
    findMeetings: (q, workspaceId) => findMeetings(db, q, workspaceId),
    referralsGivenBy: (contactId) => referralsGivenBy(db, contactId),
    contacts(q) {
      checkPage(q.limit, q.offset);
      return listContacts(db, { workspaceId: q.workspaceId, limit: q.limit, offset: q.offset, now: instantNow(q.now), filter: q.filter });
    },

    lag(headPosition) {
      const checkpoints = readCheckpoints(db);
      return projections.map((p) => {
        const at = checkpoints.get(p.name)?.position ?? 0n;
        const behind = headPosition === null || headPosition <= at ? 0n : headPosition - at;
        return { name: p.name, checkpoint: Number(at), lag: Number(behind) };
      });
    },

    close: () => db.close(),
  };
}

/**
 * The read models in `${dataDir}/projections.db`, for the HTTP API and the CLI. Reading alongside
 * a running projector is safe (WAL). Tables missing because no projector ran yet are created
 * empty, so every query answers.
 */
export function openReadModels(dataDir: string): ReadModels {
  const db = openProjectionsDb(projectionsFile(dataDir));
  try {
    createMissingTables(db, projections);
    db.pragma('query_only = ON');
  } catch (e) {
    db.close();
    throw e;
  }
  return readModelsOn(db);
}

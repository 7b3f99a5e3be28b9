import type { Projection } from './support/projection.ts';
import { agenda } from './agenda.ts';
import { contacts } from './contacts.ts';
import { drafts } from './drafts.ts';
import { followUps } from './follow-ups.ts';
import { funnel } from './funnel.ts';
import { jobLeads } from './job-leads.ts';
import { levelsByIndustry } from './levels-by-industry.ts';
import { objectivityCounts } from './objectivity.ts';
import { overruns } from './overruns.ts';
import { pipeline } from './pipeline.ts';
import { referralTree } from './referral-tree.ts';
import { referralsPerInterview } from './referrals-per-interview.ts';
import { thankYouLatency } from './thank-you-latency.ts';
import { workspaces } from './workspaces.ts';

/** Every projection the projector keeps, in the order they are applied to each event. */
export const projections: readonly Projection[] = [
  contacts,
  pipeline,
  funnel,
  referralTree,
  agenda,
  followUps,
  thankYouLatency,
  referralsPerInterview,
  levelsByIndustry,
  overruns,
  jobLeads,
  workspaces,
  drafts,
  objectivityCounts,
];

export const projectionNamed = (name: string): Projection | undefined => projections.find((p) => p.name === name);

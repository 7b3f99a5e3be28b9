import { proposedCallTimes } from '../domain/calls.ts';
import { humanTime } from '../domain/human-time.ts';
import { contactAggregate, meetingAggregate } from './aggregates.ts';
import { emailVariables } from './effects/email/content.ts';
import type { ScriptKind } from './effects/email/templates.ts';
import { load, loadExisting, type AppContext } from './handle.ts';
import { requireWorkspaceConfig } from './workspace-commands.ts';

/**
 * What the call script for a meeting says: to the switchboard (or the gatekeeper) until someone has
 * introduced the seeker, then to the person; with two times to offer in the person's business hours.
 */
export async function callScriptFor(ctx: AppContext, meetingId: string): Promise<{ kind: ScriptKind; variables: Record<string, string> }> {
  const ws = await requireWorkspaceConfig(ctx);
  const { state: meeting } = await loadExisting(ctx, meetingAggregate, meetingId);
  const request = meeting.request!;
  const { state: contact } = await load(ctx, contactAggregate, request.contactId);
  const gatekeeper = request.gatekeeperContactId ? (await load(ctx, contactAggregate, request.gatekeeperContactId)).state : undefined;
  const referralName = request.referralContactId ? (await load(ctx, contactAggregate, request.referralContactId)).state.details?.name : undefined;
  const kind: ScriptKind = request.via === 'gatekeeper' && !meeting.introducedAt ? 'call-receptionist' : 'call-direct';
  const zone = contact.details?.timezone ?? ws.timezone;
  const times = proposedCallTimes(ctx.clock(), { zone, hours: ws.businessHours });
  const variables = emailVariables(kind, { ws, contact, meeting, facts: { gatekeeper, referralName } });
  return {
    kind,
    variables: {
      ...variables,
      // The end of the id, which the CLI takes wherever a meeting is named: short enough to type on the phone.
      meetingId: meetingId.slice(-8),
      proposedTimes: times.map((t) => `- ${humanTime(t, zone)}`).join('\n  '),
      attempt: meeting.calls.attempts > 0 ? String(meeting.calls.attempts + 1) : '',
      lastOutcome: meeting.calls.lastOutcome?.replace('-', ' ') ?? '',
    },
  };
}

import { contactAggregate } from '../../aggregates.ts';
import { load, type AppContext } from '../../handle.ts';
import type { EffectData, EmailEffect } from '../effect.ts';
import { performEmailEffect, type EmailDeps, type EmailOutcome } from './run.ts';

/**
 * The job of a DraftApproved: the drafted email goes by the effect that drafted it, with its
 * Message-ID and its result event, so that approving twice (or a replay) still sends it once.
 */
export async function sendApprovedDraft(data: EffectData, deps: EmailDeps): Promise<EmailOutcome> {
  const ctx: AppContext = { store: deps.store, clock: deps.clock, workspaceId: data.workspaceId, actor: 'worker:email', causationId: data.sourceEventId };
  const events = await deps.store.readStream(contactAggregate.stream(data.contactId));
  const approval = events.find((e) => e.id === data.sourceEventId && e.type === 'DraftApproved');
  if (!approval) return { outcome: 'skipped', reason: 'the approval is not stored' };
  const { state: contact } = await load(ctx, contactAggregate, data.contactId);
  const draft = contact.drafts[(approval.data as { draftId: string }).draftId];
  if (!draft) return { outcome: 'skipped', reason: 'the approved draft is gone (the contact was forgotten)' };
  const sourceEventId = draft.effect.slice(draft.effect.indexOf(':') + 1);
  const original = { key: draft.effect, kind: draft.kind as EmailEffect, sourceEventId, workspaceId: data.workspaceId, contactId: data.contactId };
  return performEmailEffect({ ...original, ...(draft.meetingId ? { meetingId: draft.meetingId } : {}) }, deps, { approved: true });
}

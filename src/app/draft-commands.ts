import { decideContact } from '../domain/contact.ts';
import type { Draft } from '../domain/drafts.ts';
import { notFound } from '../domain/errors.ts';
import { contactAggregate } from './aggregates.ts';
import type { EmailEffect } from './effects/effect.ts';
import { decideEmail } from './effects/email/decide.ts';
import { readEmailFacts, type EmailEffectData } from './effects/email/facts.ts';
import { execute, loadExisting, type AppContext } from './handle.ts';
import { draftInput, editDraftInput } from './inputs.ts';
import { parseInput, type Untrusted } from './parse.ts';
import { requireWorkspaceConfig } from './workspace-commands.ts';
import { nextBusinessMoment } from '../domain/scheduling.ts';

/** The effect that drafted an email, as its job carried it. */
export function effectOfDraft(draft: Draft, workspaceId: string, contactId: string): EmailEffectData {
  return {
    key: draft.effect,
    kind: draft.kind as EmailEffect,
    sourceEventId: draft.effect.slice(draft.effect.indexOf(':') + 1),
    workspaceId,
    contactId,
    ...(draft.meetingId ? { meetingId: draft.meetingId } : {}),
  };
}

/**
 * Why a draft can no longer go, by the rules of the email it holds: the contact replied or opted
 * out, the meeting was booked or ended. Null while it can.
 */
export async function withdrawalOf(ctx: AppContext, contactId: string, draft: Draft): Promise<string | null> {
  const data = effectOfDraft(draft, ctx.workspaceId, contactId);
  const facts = await readEmailFacts(ctx, data);
  // Decided as if approved now: what would stop it then is what withdraws it.
  const decision = decideEmail(data, { ...facts, draft: { ...draft, status: 'approved' } }, { now: ctx.clock(), approved: true });
  return decision.decision === 'skip' ? decision.reason : null;
}

export async function loadDraft(ctx: AppContext, contactId: string, draftId: string): Promise<Draft> {
  const { state } = await loadExisting(ctx, contactAggregate, contactId);
  const draft = state.drafts[draftId];
  if (!draft) throw notFound('draft', draftId);
  return draft;
}

async function onDraft(ctx: AppContext, contactId: string, draftId: string, command: (withdrawn: string | null) => Parameters<typeof decideContact>[0]) {
  const draft = await loadDraft(ctx, contactId, draftId);
  const withdrawn = draft.status === 'waiting' ? await withdrawalOf(ctx, contactId, draft) : null;
  const result = await execute(ctx, contactAggregate, contactId, ({ state }) => decideContact(command(withdrawn), state), { mustExist: true });
  return { id: draftId, contactId, events: result.events.map((e) => e.type) };
}

/** Approve a draft: it goes by its effect (once, however often approved). */
export async function approveDraft(ctx: AppContext, input: Untrusted<typeof draftInput>) {
  const i = parseInput(draftInput, input);
  const r = await onDraft(ctx, i.contact, i.draft, (withdrawn) => ({ type: 'ApproveDraft', draftId: i.draft, withdrawn, now: ctx.clock() }));
  if (!r.events.includes('DraftApproved')) return { ...r, goesAt: null };
  // As the reactor schedules it: at the next moment of business hours where the contact is.
  const ws = await requireWorkspaceConfig(ctx);
  const { state } = await loadExisting(ctx, contactAggregate, i.contact);
  const zone = state.details?.timezone ?? ws.timezone;
  return { ...r, goesAt: nextBusinessMoment(ctx.clock(), { zone, hours: ws.businessHours }), zone };
}

export async function discardDraft(ctx: AppContext, input: Untrusted<typeof draftInput>) {
  const i = parseInput(draftInput, input);
  return onDraft(ctx, i.contact, i.draft, () => ({ type: 'DiscardDraft', draftId: i.draft, withdrawn: null, now: ctx.clock() }));
}

/** New words for a waiting draft; they go as written when it is approved. */
export async function editDraft(ctx: AppContext, input: Untrusted<typeof editDraftInput>) {
  const i = parseInput(editDraftInput, input);
  return onDraft(ctx, i.contact, i.draft, (withdrawn) => ({
    type: 'EditDraft',
    draftId: i.draft,
    subject: i.subject,
    text: i.text,
    withdrawn,
    now: ctx.clock(),
  }));
}

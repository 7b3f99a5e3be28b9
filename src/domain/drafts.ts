import { illegal } from './errors.ts';
import type { EventOf } from './events.ts';

type Drafted = EventOf<'EmailDrafted'>['data'];

/** An email waiting for the seeker's review, and what became of it. */
export type Draft = Omit<Drafted, 'draftedAt'> & { draftedAt: string; status: 'waiting' | 'approved' | 'discarded'; editedAt?: string };

export type DraftEvent = EventOf<'EmailDrafted'> | EventOf<'DraftEdited'> | EventOf<'DraftApproved'> | EventOf<'DraftDiscarded'>;

export type DraftCommand =
  | { type: 'RecordDraft'; draft: Drafted; now: string }
  | { type: 'EditDraft'; draftId: string; subject: string; text: string; now: string }
  | { type: 'ApproveDraft'; draftId: string; now: string }
  | { type: 'DiscardDraft'; draftId: string; now: string };

export function evolveDrafts(drafts: Readonly<Record<string, Draft>>, event: DraftEvent): Record<string, Draft> {
  const d = event.data;
  const current = drafts[d.draftId];
  switch (event.type) {
    case 'EmailDrafted':
      return { ...drafts, [d.draftId]: { ...event.data, status: 'waiting' } };
    case 'DraftEdited':
      return current ? { ...drafts, [d.draftId]: { ...current, subject: event.data.subject, text: event.data.text, editedAt: event.data.editedAt } } : drafts;
    case 'DraftApproved':
      return current ? { ...drafts, [d.draftId]: { ...current, status: 'approved' } } : drafts;
    case 'DraftDiscarded':
      return current ? { ...drafts, [d.draftId]: { ...current, status: 'discarded' } } : drafts;
  }
}

/** Why a waiting draft can no longer go: the reason it was written for has ended. */
export type Withdrawal = string | null;

function mustWait(draft: Draft | undefined, draftId: string, doing: string): Draft {
  if (!draft) throw illegal(`cannot ${doing}: draft ${draftId} does not exist`);
  if (draft.status === 'discarded') throw illegal(`cannot ${doing}: the draft was discarded`);
  if (draft.status === 'approved') throw illegal(`cannot ${doing}: the draft was already approved`);
  return draft;
}

/**
 * The rules of review: a draft is recorded once per effect; it can be edited and approved or
 * discarded while it waits; approving twice records one approval (so the email goes once); a draft
 * whose reason has ended (`withdrawn`, worked out by the caller from the contact and meeting) can
 * only be discarded.
 */
export function decideDraft(command: DraftCommand, drafts: Readonly<Record<string, Draft>>, withdrawn: Withdrawal): DraftEvent[] {
  switch (command.type) {
    case 'RecordDraft':
      if (drafts[command.draft.draftId]) return [];
      return [{ type: 'EmailDrafted', data: command.draft }];
    case 'EditDraft':
      mustWait(drafts[command.draftId], command.draftId, 'edit the draft');
      if (withdrawn) throw illegal(`cannot edit the draft: it was withdrawn (${withdrawn})`);
      return [{ type: 'DraftEdited', data: { draftId: command.draftId, subject: command.subject, text: command.text, editedAt: command.now } }];
    case 'ApproveDraft': {
      if (drafts[command.draftId]?.status === 'approved') return [];
      mustWait(drafts[command.draftId], command.draftId, 'approve the draft');
      if (withdrawn) throw illegal(`cannot approve the draft: it was withdrawn (${withdrawn})`);
      return [{ type: 'DraftApproved', data: { draftId: command.draftId, approvedAt: command.now } }];
    }
    case 'DiscardDraft': {
      const draft = drafts[command.draftId];
      if (draft?.status === 'discarded') return [];
      mustWait(draft, command.draftId, 'discard the draft');
      return [{ type: 'DraftDiscarded', data: { draftId: command.draftId, discardedAt: command.now } }];
    }
  }
}

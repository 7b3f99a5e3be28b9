import type { EmailEffect } from '../effect.ts';
import type { EmailKind } from './templates.ts';

/** The template an email effect is written with. */
export function templateOf(kind: EmailEffect): EmailKind {
  switch (kind) {
    case 'request-email':
      return 'meeting-request-direct';
    case 'gatekeeper-request':
      return 'meeting-request-gatekeeper';
    case 'calendar-cancel':
      return 'meeting-cancelled';
    default:
      return kind;
  }
}

/** Whom an email effect writes to: the gatekeeper (asked to introduce the seeker), the seeker themself (the brief), or the contact. */
export function recipientOf(kind: EmailEffect): 'gatekeeper' | 'seeker' | 'contact' {
  if (kind === 'gatekeeper-request' || kind === 'gatekeeper-nudge') return 'gatekeeper';
  return kind === 'prep-brief' ? 'seeker' : 'contact';
}

/** The first email to a person (or to the gatekeeper before them): the one a first-touch review holds. */
export const isFirstRequest = (kind: string): boolean => kind === 'request-email' || kind === 'gatekeeper-request';

/**
 * Which emails wait for the seeker's approval. `first-touch` (the default): the requests to people
 * not yet met, the ones a seeker most wants to word themselves; `all`: every email to a contact.
 */
export function needsReview(kind: EmailEffect, review: 'all' | 'first-touch' | 'none' | undefined): boolean {
  if (kind === 'prep-brief') return false;
  const policy = review ?? 'first-touch';
  if (policy === 'all') return true;
  return policy === 'first-touch' && isFirstRequest(kind);
}

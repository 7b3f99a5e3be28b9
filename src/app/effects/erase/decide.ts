import { perform, skip, type Perform, type Skip } from '../decision.ts';

/** The local copies to delete about a forgotten contact: what was sent to them, and their meetings' invitations. */
export type EraseIntent = { contactId: string; meetingIds: readonly string[] };

export type EraseFacts = { forgotten: boolean; meetingIds: readonly string[] };

/** Erasure follows a forget only: a contact still known keeps their copies. */
export function decideErase(contactId: string, facts: EraseFacts): Skip | Perform<EraseIntent> {
  if (!facts.forgotten) return skip('the contact is not forgotten');
  return perform({ contactId, meetingIds: facts.meetingIds });
}

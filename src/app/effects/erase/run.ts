import { streams } from '../../../domain/events.ts';
import type { EventStore } from '../../../eventstore/port.ts';
import type { EffectData } from '../effect.ts';
import { decideErase, type EraseIntent } from './decide.ts';

/** The executor (src/infra/mail/copies.ts): deletes the copies and says how many files went. */
export interface CopiesEraser {
  erase(intent: EraseIntent): Promise<number>;
}

export type EraseDeps = { store: EventStore; eraser: CopiesEraser };

export type EraseOutcome = { outcome: 'erased'; files: number } | { outcome: 'skipped'; reason: string };

/**
 * The local copies of what was sent about a forgotten contact: their .eml files in the outbox and
 * the .ics files of their meetings. Reading the contact's stream also makes the store delete the
 * contact's key if the forget command stopped before it could (the sealing store does that).
 * Deleting what is already gone is fine, so a retry or a replay repeats it harmlessly.
 */
export async function eraseContactCopies(data: EffectData, deps: EraseDeps): Promise<EraseOutcome> {
  const events = await deps.store.readStream(streams.contact(data.contactId));
  const decision = decideErase(data.contactId, {
    forgotten: events.some((e) => e.type === 'ContactForgotten'),
    meetingIds: events.filter((e) => e.type === 'MeetingLinked').map((e) => (e.data as { meetingId: string }).meetingId),
  });
  if (decision.decision === 'skip') return { outcome: 'skipped', reason: decision.reason };
  return { outcome: 'erased', files: await deps.eraser.erase(decision.intent) };
}

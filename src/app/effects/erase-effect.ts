import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventStore } from '../../eventstore/port.ts';
import { ABOUT_SEPARATOR } from '../../infra/mail/transport.ts';
import { streams } from '../../domain/events.ts';
import type { EffectData } from './effect.ts';

export type EraseDeps = {
  store: EventStore;
  /** The outbox folder when mail goes there; nothing to erase locally when it goes over SMTP. */
  outboxDir?: string;
  calendarDir: string;
};

export type EraseOutcome = { outcome: 'erased'; files: number } | { outcome: 'skipped'; reason: string };

/**
 * The local copies of what was sent about a forgotten contact: their .eml files in the outbox and
 * the .ics files of their meetings. Reading the contact's stream also makes the store delete the
 * contact's key if the forget command stopped before it could (the sealing store does that).
 * Deleting what is already gone is fine, so a retry or a replay repeats it harmlessly.
 */
export async function eraseContactCopies(data: EffectData, deps: EraseDeps): Promise<EraseOutcome> {
  const events = await deps.store.readStream(streams.contact(data.contactId));
  if (!events.some((e) => e.type === 'ContactForgotten')) return { outcome: 'skipped', reason: 'the contact is not forgotten' };
  const meetings = events.filter((e) => e.type === 'MeetingLinked').map((e) => (e.data as { meetingId: string }).meetingId);
  let files = 0;
  const remove = async (file: string) => {
    await rm(file, { force: true });
    files++;
  };
  if (deps.outboxDir) {
    const prefix = `${data.contactId}${ABOUT_SEPARATOR}`;
    const names = await readdir(deps.outboxDir).catch(() => [] as string[]);
    for (const name of names) if (name.startsWith(prefix)) await remove(join(deps.outboxDir, name));
  }
  const ics = new Set(await readdir(deps.calendarDir).catch(() => [] as string[]));
  for (const m of meetings) if (ics.has(`${m}.ics`)) await remove(join(deps.calendarDir, `${m}.ics`));
  return { outcome: 'erased', files };
}

import { DateTime } from 'luxon';
import type { ContactState } from '../../domain/contact.ts';
import type { MeetingState } from '../../domain/meeting.ts';
import type { WorkspaceConfig } from '../../domain/workspace.ts';
import { contactAggregate } from '../aggregates.ts';
import { load, type AppContext } from '../handle.ts';

/** A time as the recipient reads it: their zone, their words ("Thursday 3 December 2026, 10:00 GMT"). */
export const humanTime = (iso: string, zone: string) =>
  DateTime.fromISO(iso, { setZone: true }).setZone(zone).toFormat("cccc d LLLL yyyy, HH:mm ZZZZ");

const nameOf = async (ctx: AppContext, contactId: string | undefined) =>
  contactId ? (await load(ctx, contactAggregate, contactId)).state.details?.name ?? '' : '';

/** The research notes and questions are only counted in the contact's state; their text is in its events. */
async function preparation(ctx: AppContext, contactId: string) {
  const events = await ctx.store.readStream(`contact-${contactId}`);
  const notes: string[] = [];
  const questions: string[] = [];
  for (const e of events) {
    if (e.type === 'ResearchNoteAdded') notes.push((e.data as { note: string }).note);
    if (e.type === 'QuestionsPrepared') questions.push(...(e.data as { questions: string[] }).questions);
  }
  return { notes, questions };
}

/** Every variable any template may use, as strings; empty where it does not apply. */
export async function templateVariables(ctx: AppContext, input: {
  ws: WorkspaceConfig; contactId: string; contact: ContactState; meeting?: MeetingState | undefined; unsubscribeUrl: string;
}) {
  const { ws, contact, meeting } = input;
  const name = contact.details?.name ?? '';
  const zone = contact.details?.timezone ?? ws.timezone;
  const booking = meeting?.booking;
  const prep = await preparation(ctx, input.contactId);
  return {
    ownerName: ws.ownerName,
    ownerEmail: ws.ownerEmail,
    objective: ws.objective,
    contactName: name,
    contactFirstName: name.split(/\s+/)[0] ?? name,
    organisation: contact.details?.organisation ?? '',
    role: contact.details?.role ?? '',
    minutes: String(booking?.minutes ?? meeting?.request?.minutes ?? ''),
    referralName: await nameOf(ctx, meeting?.request?.referralContactId),
    referredByName: await nameOf(ctx, contact.referredBy?.contactId),
    meetingStart: booking ? humanTime(booking.start, booking.timezone) : '',
    meetingStartForSeeker: booking ? humanTime(booking.start, ws.timezone) : '',
    meetingTimezone: booking?.timezone ?? zone,
    location: booking?.location ?? '',
    videoUrl: booking?.videoUrl ?? '',
    researchNotes: prep.notes.map((n) => `- ${n}`).join('\n'),
    questions: prep.questions.map((q, i) => `${i + 1}. ${q}`).join('\n'),
    unsubscribeUrl: input.unsubscribeUrl,
  };
}

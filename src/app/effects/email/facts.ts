import type { ContactState } from '../../../domain/contact.ts';
import type { Draft } from '../../../domain/drafts.ts';
import { initialMeeting, type MeetingState } from '../../../domain/meeting.ts';
import type { WorkspaceConfig } from '../../../domain/workspace.ts';
import { contactAggregate, meetingAggregate, workspaceAggregate } from '../../aggregates.ts';
import { foldStream, load, type AppContext } from '../../handle.ts';
import { derivedId } from '../../ids.ts';
import type { EffectData, EmailEffect } from '../effect.ts';
import { usesVariable, type ContentFacts } from './content.ts';
import { templateOf } from './kinds.ts';

export type EmailEffectData = EffectData & { kind: EmailEffect };

/** A draft's id derives from its effect's key: an effect drafts at most once. */
export const draftIdFor = (effectKey: string) => derivedId(`${effectKey}:draft`);

/** What an email decision looks at, read from the streams when the job runs. */
export type EmailFacts = {
  ws: WorkspaceConfig | undefined;
  /** Whether the seeker's Google Calendar is connected: then Google may send the invitation itself. */
  calendarConnected?: boolean | undefined;
  contact: ContactState;
  contactExists: boolean;
  meeting: MeetingState;
  /** This effect's result event is stored: it already happened. */
  done: boolean;
  /** The meeting's latest booking or reschedule event: a confirmation made for an older one is stale. */
  latestBookingEventId?: string | undefined;
  /** When the touch that scheduled a keep-in-touch happened. */
  sourceTouchAt?: string | undefined;
  /** This effect's draft, when it was held for review. */
  draft?: Draft | undefined;
  content: ContentFacts;
};

const nameOf = async (ctx: AppContext, contactId: string | undefined) =>
  contactId ? (await load(ctx, contactAggregate, contactId)).state.details?.name : undefined;

/** The research notes and questions are only counted in the contact's state; their text is in its events. */
async function preparation(ctx: AppContext, contactId: string): Promise<ContentFacts> {
  const researchNotes: string[] = [];
  const questions: string[] = [];
  for (const e of await ctx.store.readStream(contactAggregate.stream(contactId))) {
    if (e.type === 'ResearchNoteAdded') researchNotes.push((e.data as { note: string }).note);
    if (e.type === 'QuestionsPrepared') questions.push(...(e.data as { questions: string[] }).questions);
  }
  return { researchNotes, questions };
}

/** What the email may say of other people: the referral, the referrer, the gatekeeper, those referred at the meeting. */
async function contentOf(ctx: AppContext, data: EmailEffectData, contact: ContactState, meeting: MeetingState): Promise<ContentFacts> {
  const template = templateOf(data.kind);
  const uses = (name: string) => usesVariable(template, name);
  const gatekeeperId = meeting.request?.gatekeeperContactId;
  const referred = uses('referralNames') ? await Promise.all(meeting.referralsGiven.map((id) => nameOf(ctx, id))) : [];
  return {
    referralName: uses('referralName') ? await nameOf(ctx, meeting.request?.referralContactId) : undefined,
    referredByName: uses('referredByName') ? await nameOf(ctx, contact.referredBy?.contactId) : undefined,
    gatekeeper: gatekeeperId ? (await load(ctx, contactAggregate, gatekeeperId)).state : undefined,
    referralNames: referred.filter((n): n is string => Boolean(n)),
    ...(uses('researchNotes') || uses('questions') ? await preparation(ctx, data.contactId) : {}),
  };
}

/** Reads each stream once: the result stream (the meeting's, or the contact's for a keep-in-touch) is folded, not read again. */
export async function readEmailFacts(ctx: AppContext, data: EmailEffectData): Promise<EmailFacts> {
  const { config: ws, calendar } = (await load(ctx, workspaceAggregate, data.workspaceId)).state;
  const { state: contact, exists: contactExists } = await load(ctx, contactAggregate, data.contactId);
  const resultStream = data.kind === 'keep-in-touch' ? contactAggregate.stream(data.contactId) : meetingAggregate.stream(data.meetingId!);
  const stream = await ctx.store.readStream(resultStream);
  const meeting = !data.meetingId
    ? initialMeeting()
    : resultStream === meetingAggregate.stream(data.meetingId)
      ? foldStream(meetingAggregate, stream, data.workspaceId)
      : (await load(ctx, meetingAggregate, data.meetingId)).state;
  const resultId = derivedId(data.key);
  const source = data.kind === 'keep-in-touch' ? stream.find((e) => e.id === data.sourceEventId) : undefined;
  return {
    ws,
    calendarConnected: calendar.connected,
    contact,
    contactExists,
    meeting,
    done: stream.some((e) => e.id === resultId),
    latestBookingEventId: stream.filter((e) => e.type === 'MeetingBooked' || e.type === 'MeetingRescheduled').at(-1)?.id,
    sourceTouchAt: (source?.data as { sentAt?: string } | undefined)?.sentAt,
    draft: contact.drafts[draftIdFor(data.key)],
    content: await contentOf(ctx, data, contact, meeting),
  };
}

import type { ContactState } from '../../../domain/contact.ts';
import type { MeetingState } from '../../../domain/meeting.ts';
import type { WorkspaceState } from '../../../domain/workspace.ts';
import { contactAggregate, meetingAggregate, workspaceAggregate } from '../../aggregates.ts';
import { foldStream, load, type AppContext } from '../../handle.ts';
import { derivedId } from '../../ids.ts';
import type { CalendarEffect, EffectData } from '../effect.ts';
import { usesVariable, type ContentFacts } from '../email/content.ts';

export type CalendarEffectData = EffectData & { kind: CalendarEffect };

/** What a calendar decision looks at, read from the streams when the job runs. */
export type CalendarFacts = {
  workspace: WorkspaceState;
  meeting: MeetingState;
  contact: ContactState;
  /** This effect's result event is stored (Google writes only: the .ics file has none). */
  done: boolean;
  content: ContentFacts;
};

export async function readCalendarFacts(ctx: AppContext, data: CalendarEffectData): Promise<CalendarFacts> {
  const workspace = (await load(ctx, workspaceAggregate, data.workspaceId)).state;
  const stream = data.meetingId ? await ctx.store.readStream(meetingAggregate.stream(data.meetingId)) : [];
  const meeting = foldStream(meetingAggregate, stream, data.workspaceId);
  const { state: contact } = await load(ctx, contactAggregate, data.contactId);
  const referral = usesVariable('calendar-event', 'referralName') ? meeting.request?.referralContactId : undefined;
  const resultId = derivedId(data.key);
  return {
    workspace,
    meeting,
    contact,
    done: stream.some((e) => e.id === resultId),
    content: { referralName: referral ? (await load(ctx, contactAggregate, referral)).state.details?.name : undefined },
  };
}

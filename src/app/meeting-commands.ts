import { decideContact, type ContactState } from '../domain/contact.ts';
import { decideMeeting, initialMeeting, isOpen, type Booking, type MeetingCommand, type MeetingContext } from '../domain/meeting.ts';
import { illegal } from '../domain/errors.ts';
import { contactAggregate, meetingAggregate } from './aggregates.ts';
import { execute, load, loadExisting, type AppContext } from './handle.ts';
import { newId } from './ids.ts';
import { bookMeetingInput, cancelMeetingInput, holdMeetingInput, meetingOnlyInput, requestMeetingInput, rescheduleMeetingInput } from './inputs.ts';
import { parseInput, type Untrusted } from './parse.ts';
import { requireWorkspaceConfig } from './workspace-commands.ts';

/** The contact's latest request, when it is still open. */
async function openMeetingOf(ctx: AppContext, contact: ContactState): Promise<string | undefined> {
  const last = contact.meetingIds.at(-1);
  if (!last) return undefined;
  const { state } = await load(ctx, meetingAggregate, last);
  return isOpen(state) ? last : undefined;
}

export async function meetingContext(ctx: AppContext, contactId: string): Promise<MeetingContext> {
  const { state: contact } = await load(ctx, contactAggregate, contactId);
  return { contact };
}

export async function requestMeeting(ctx: AppContext, input: Untrusted<typeof requestMeetingInput>) {
  const i = parseInput(requestMeetingInput, input);
  await requireWorkspaceConfig(ctx);
  await loadExisting(ctx, contactAggregate, i.contact);
  if (i.referral) {
    if (i.referral === i.contact) throw illegal('referral: a contact cannot refer themselves');
    await loadExisting(ctx, contactAggregate, i.referral);
  }
  const meetingId = newId();
  const now = ctx.clock();
  const command: MeetingCommand = {
    type: 'RequestMeeting',
    request: {
      meetingId,
      contactId: i.contact,
      channel: i.channel,
      via: i.via,
      minutes: i.minutes,
      ...(i.referral ? { referralContactId: i.referral } : {}),
      requestedAt: now,
    },
    now,
  };
  const mctx = { ...ctx, correlationId: ctx.correlationId ?? meetingId };
  // The link on the contact's stream is written first, at the revision the decision was made on:
  // of two requests racing for one contact, one wins and the other is decided again and refused.
  await execute(mctx, contactAggregate, i.contact, async ({ state: contact }) => {
    decideMeeting(command, initialMeeting(), { contact, openMeetingId: await openMeetingOf(ctx, contact) });
    return decideContact({ type: 'LinkMeeting', meetingId, now }, contact);
  });
  const { state: contact } = await load(ctx, contactAggregate, i.contact);
  const result = await execute(mctx, meetingAggregate, meetingId, ({ state }) => decideMeeting(command, state, { contact }), { newStream: true });
  return { id: meetingId, contactId: i.contact, events: result.events.map((e) => e.type) };
}

/** Run a command on an existing meeting, with its contact as context. */
export async function onMeeting(
  ctx: AppContext,
  meetingId: string,
  command: (contactTimezone: string | undefined) => MeetingCommand,
  opts: Parameters<typeof execute>[4] = {},
) {
  const { state: existing } = await loadExisting(ctx, meetingAggregate, meetingId);
  const mctx = await meetingContext(ctx, existing.request!.contactId);
  const result = await execute(ctx, meetingAggregate, meetingId, ({ state }) => decideMeeting(command(mctx.contact.details?.timezone), state, mctx), opts);
  return { id: meetingId, events: result.events.map((e) => e.type), ids: result.ids };
}

export async function bookMeeting(ctx: AppContext, input: Untrusted<typeof bookMeetingInput>) {
  const i = parseInput(bookMeetingInput, input);
  const config = await requireWorkspaceConfig(ctx);
  const { state } = await loadExisting(ctx, meetingAggregate, i.meeting);
  return onMeeting(ctx, i.meeting, (contactTz) => {
    const booking: Booking = {
      start: i.at,
      minutes: i.minutes ?? state.request?.minutes ?? 20,
      timezone: i.timezone ?? contactTz ?? config.timezone,
      ...(i.location ? { location: i.location } : {}),
      ...(i.videoUrl ? { videoUrl: i.videoUrl } : {}),
    };
    return { type: 'BookMeeting', booking, now: ctx.clock() };
  });
}

export async function rescheduleMeeting(ctx: AppContext, input: Untrusted<typeof rescheduleMeetingInput>, source: 'seeker' | 'calendar' = 'seeker') {
  const i = parseInput(rescheduleMeetingInput, input);
  const { state } = await loadExisting(ctx, meetingAggregate, i.meeting);
  const current = state.booking;
  return onMeeting(ctx, i.meeting, (contactTz) => ({
    type: 'RescheduleMeeting',
    booking: {
      start: i.at,
      minutes: i.minutes ?? current?.minutes ?? state.request?.minutes ?? 20,
      timezone: i.timezone ?? current?.timezone ?? contactTz ?? 'UTC',
    },
    source,
    now: ctx.clock(),
  }));
}

export async function cancelMeeting(ctx: AppContext, input: Untrusted<typeof cancelMeetingInput>, source: 'seeker' | 'calendar' = 'seeker') {
  const i = parseInput(cancelMeetingInput, input);
  return onMeeting(ctx, i.meeting, () => ({ type: 'CancelMeeting', by: i.by, source, ...(i.reason ? { reason: i.reason } : {}), now: ctx.clock() }));
}

export async function recordNoShow(ctx: AppContext, input: Untrusted<typeof meetingOnlyInput>) {
  const i = parseInput(meetingOnlyInput, input);
  return onMeeting(ctx, i.meeting, () => ({ type: 'RecordNoShow', now: ctx.clock() }));
}

export async function holdMeeting(ctx: AppContext, input: Untrusted<typeof holdMeetingInput>) {
  const i = parseInput(holdMeetingInput, input);
  return onMeeting(ctx, i.meeting, () => ({
    type: 'HoldMeeting',
    held: {
      heldAt: i.at,
      actualMinutes: i.minutes,
      referralsAsked: i.referrals,
      businessCards: i.cards,
      ...(i.sentiment ? { sentiment: i.sentiment } : {}),
      ...(i.notes ? { notes: i.notes } : {}),
      ...(i.insights ? { insights: i.insights } : {}),
    },
    now: ctx.clock(),
  }));
}

export async function recordAttendeeResponse(ctx: AppContext, input: { meeting: string; response: 'accepted' | 'declined' | 'tentative' | 'needsAction' }) {
  return onMeeting(ctx, input.meeting, () => ({ type: 'RecordAttendeeResponse', response: input.response, now: ctx.clock() }));
}

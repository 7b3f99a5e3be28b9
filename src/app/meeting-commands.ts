import { decideContact, type ContactState } from '../domain/contact.ts';
import {
  decideMeeting,
  initialMeeting,
  isOpen,
  type Booking,
  type CalendarEditNeedingDecision,
  type CalendarVersion,
  type MeetingCommand,
  type MeetingContext,
} from '../domain/meeting.ts';
import { illegal, invalid } from '../domain/errors.ts';
import { contactAggregate, meetingAggregate } from './aggregates.ts';
import { execute, load, loadExisting, type AppContext } from './handle.ts';
import { newId } from './ids.ts';
import {
  bookMeetingInput,
  cancelMeetingInput,
  holdMeetingInput,
  logCallInput,
  meetingOnlyInput,
  requestMeetingInput,
  rescheduleMeetingInput,
} from './inputs.ts';
import { parseInput, type Untrusted } from './parse.ts';
import { knownTarget, requireWorkspaceConfig } from './workspace-commands.ts';

/** The contact's latest request, when it is still open. */
async function openMeetingOf(ctx: AppContext, contact: ContactState): Promise<string | undefined> {
  const last = contact.meetingIds.at(-1);
  if (!last) return undefined;
  const { state, revision } = await load(ctx, meetingAggregate, last);
  if (isOpen(state)) return last;
  // The link is written before the meeting's first event: a link without a meeting yet is a request
  // still being made (another command, this instant), not a free contact. A request that died between
  // the two stops holding the contact after a minute (the id is a UUIDv7: it carries when it was made).
  const madeAt = Number.parseInt(last.replace(/-/g, '').slice(0, 12), 16);
  return revision === -1 && Math.abs(Date.parse(ctx.clock()) - madeAt) < IN_FLIGHT_MS ? last : undefined;
}

const IN_FLIGHT_MS = 60_000;

/** What a meeting's decisions look at besides the meeting: its contact, and the gatekeeper when it went through one. */
export async function meetingContext(ctx: AppContext, contactId: string, gatekeeperId?: string): Promise<MeetingContext> {
  const { state: contact } = await load(ctx, contactAggregate, contactId);
  const gatekeeper = gatekeeperId ? (await load(ctx, contactAggregate, gatekeeperId)).state : undefined;
  return { contact, ...(gatekeeper ? { gatekeeper } : {}) };
}

export async function requestMeeting(ctx: AppContext, input: Untrusted<typeof requestMeetingInput>) {
  const i = parseInput(requestMeetingInput, input);
  await requireWorkspaceConfig(ctx);
  const { state: sought } = await loadExisting(ctx, contactAggregate, i.contact);
  const target = (await knownTarget(ctx, i.target)) ?? sought.details?.target;
  if (i.referral) {
    if (i.referral === i.contact) throw illegal('referral: a contact cannot refer themselves');
    await loadExisting(ctx, contactAggregate, i.referral);
  }
  if (i.gatekeeper) await loadExisting(ctx, contactAggregate, i.gatekeeper);
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
      ...(i.gatekeeper ? { gatekeeperContactId: i.gatekeeper } : {}),
      ...(target ? { target } : {}),
      requestedAt: now,
    },
    now,
  };
  const mctx = { ...ctx, correlationId: ctx.correlationId ?? meetingId };
  // The link on the contact's stream is written first, at the revision the decision was made on:
  // of two requests racing for one contact, one wins and the other is decided again and refused.
  const gatekeeper = i.gatekeeper ? (await load(ctx, contactAggregate, i.gatekeeper)).state : undefined;
  await execute(mctx, contactAggregate, i.contact, async ({ state: contact }) => {
    decideMeeting(command, initialMeeting(), { contact, gatekeeper, openMeetingId: await openMeetingOf(ctx, contact) });
    return decideContact({ type: 'LinkMeeting', meetingId, now }, contact);
  });
  const { state: contact } = await load(ctx, contactAggregate, i.contact);
  const result = await execute(mctx, meetingAggregate, meetingId, ({ state }) => decideMeeting(command, state, { contact, gatekeeper }), { newStream: true });
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
  const mctx = await meetingContext(ctx, existing.request!.contactId, existing.request!.gatekeeperContactId);
  const result = await execute(ctx, meetingAggregate, meetingId, ({ state }) => decideMeeting(command(mctx.contact.details?.timezone), state, mctx), opts);
  return { id: meetingId, events: result.events.map((e) => e.type), ids: result.ids };
}

/** A time in the past is a typo unless the seeker says it is one (`--past`, `"past": true`). */
function refusePastUnlessSaid(ctx: AppContext, i: { at: string; past?: boolean | undefined }, toDo: string) {
  if (!i.past && Date.parse(i.at) < Date.parse(ctx.clock())) throw invalid('at', `${i.at} is in the past; ${toDo}, add --past ("past": true in the API)`);
}

export async function bookMeeting(ctx: AppContext, input: Untrusted<typeof bookMeetingInput>) {
  const i = parseInput(bookMeetingInput, input);
  const config = await requireWorkspaceConfig(ctx);
  refusePastUnlessSaid(ctx, i, 'to record a meeting that already took place');
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

/** A new time; one read in the calendar (source calendar) names the version of the event it was read from. */
export async function rescheduleMeeting(
  ctx: AppContext,
  input: Untrusted<typeof rescheduleMeetingInput>,
  source: 'seeker' | 'calendar' = 'seeker',
  calendarVersion?: CalendarVersion,
) {
  const i = parseInput(rescheduleMeetingInput, input);
  // A move read from the calendar is what the calendar says, past or not; the seeker's is checked like a booking.
  if (source === 'seeker') refusePastUnlessSaid(ctx, i, 'to record that the meeting took place earlier');
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
    ...(calendarVersion ? { calendarVersion } : {}),
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

/** An edit in the calendar no meeting can take, kept for the seeker to decide on. */
export async function recordCalendarEditNeedingDecision(ctx: AppContext, meetingId: string, edit: CalendarEditNeedingDecision) {
  return onMeeting(ctx, meetingId, () => ({ type: 'RecordCalendarEditNeedingDecision', edit, now: ctx.clock() }));
}

export async function recordAttendeeResponse(ctx: AppContext, input: { meeting: string; response: 'accepted' | 'declined' | 'tentative' | 'needsAction' }) {
  return onMeeting(ctx, input.meeting, () => ({ type: 'RecordAttendeeResponse', response: input.response, now: ctx.clock() }));
}

/** The gatekeeper put the seeker in touch: the person sought is asked next (by email, or the next call is to them). */
export async function recordIntroduction(ctx: AppContext, input: Untrusted<typeof meetingOnlyInput>) {
  const i = parseInput(meetingOnlyInput, input);
  return onMeeting(ctx, i.meeting, () => ({ type: 'RecordIntroduction', now: ctx.clock() }));
}

/** A telephone call and how it ended; a call that booked the meeting books it, one that was declined ends the request. */
export async function logCall(ctx: AppContext, input: Untrusted<typeof logCallInput>) {
  const i = parseInput(logCallInput, input);
  const config = await requireWorkspaceConfig(ctx);
  const { state } = await loadExisting(ctx, meetingAggregate, i.meeting);
  if (i.outcome === 'booked' && Date.parse(i.at!) <= Date.parse(ctx.clock())) throw invalid('at', 'the meeting the call booked must be in the future');
  return onMeeting(ctx, i.meeting, (contactTz) => ({
    type: 'LogCall',
    outcome: i.outcome,
    ...(i.outcome === 'call-back' ? { callBackAt: i.at } : {}),
    ...(i.notes ? { notes: i.notes } : {}),
    window: { zone: contactTz ?? config.timezone, hours: config.businessHours },
    ...(i.outcome === 'booked'
      ? {
          booking: {
            start: i.at!,
            minutes: i.minutes ?? state.request?.minutes ?? 20,
            timezone: contactTz ?? config.timezone,
            ...(i.location ? { location: i.location } : {}),
            ...(i.videoUrl ? { videoUrl: i.videoUrl } : {}),
          },
        }
      : {}),
    now: ctx.clock(),
  }));
}

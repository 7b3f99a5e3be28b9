import { DateTime } from 'luxon';
import { isOutreachError } from '../../../domain/errors.ts';
import type { EventStore } from '../../../eventstore/port.ts';
import type { Clock } from '../../clock.ts';
import { contactAggregate, meetingAggregate } from '../../aggregates.ts';
import { load, type AppContext } from '../../handle.ts';
import { cancelMeeting, recordAttendeeResponse, recordCalendarEditNeedingDecision, rescheduleMeeting } from '../../meeting-commands.ts';
import type { CalendarApi, CalendarEvent, CalendarFailure } from './api.ts';
import { readCalendarChange } from './changes.ts';
import { meetingIdFromGoogleEventId } from './event-id.ts';

/** Where a workspace's sync token lives; losing it only costs a full sync. */
export interface SyncTokens {
  get(workspaceId: string): Promise<string | null>;
  set(workspaceId: string, token: string): Promise<void>;
  clear(workspaceId: string): Promise<void>;
}

export type PollResult = { fullSync: boolean; seen: number; changes: { meetingId: string; change: string }[] };

/**
 * One poll of a workspace's calendar: incremental with the stored sync token (a time-windowed full
 * sync the first time, and again when Google answers 410), every page. Only events the product owns
 * (marked with the meeting and workspace ids) become commands, with source "calendar", so they are
 * not pushed back.
 */
export async function pollCalendar(input: {
  store: EventStore;
  clock: Clock;
  workspaceId: string;
  client: CalendarApi;
  calendarId: string;
  tokens: SyncTokens;
  classify: (e: unknown) => CalendarFailure;
  windowDays?: { past: number; future: number };
}): Promise<PollResult> {
  const ctx: AppContext = { store: input.store, clock: input.clock, workspaceId: input.workspaceId, actor: 'worker:calendar-poller' };
  let token = await input.tokens.get(input.workspaceId);
  let page: Awaited<ReturnType<CalendarApi['listChanges']>>;
  let fullSync = token === null;
  const full = () => {
    const now = DateTime.fromISO(input.clock());
    return input.client.listChanges(input.calendarId, {
      timeMin: now
        .minus({ days: input.windowDays?.past ?? 30 })
        .toUTC()
        .toISO()!,
      timeMax: now
        .plus({ days: input.windowDays?.future ?? 365 })
        .toUTC()
        .toISO()!,
    });
  };
  try {
    page = token ? await input.client.listChanges(input.calendarId, { syncToken: token }) : await full();
  } catch (e) {
    if (input.classify(e).kind !== 'gone') throw e;
    // The token expired: start again from a full sync, as Google asks.
    await input.tokens.clear(input.workspaceId);
    token = null;
    fullSync = true;
    page = await full();
  }
  const changes: PollResult['changes'] = [];
  for (const item of page.items) {
    const meetingId = meetingIdOf(item, input.workspaceId);
    if (!meetingId) continue;
    // A meeting of another workspace reads as missing (load), so a foreign id changes nothing.
    const change = await applyChange(ctx, meetingId, item);
    if (change) changes.push({ meetingId, change });
  }
  if (page.nextSyncToken) await input.tokens.set(input.workspaceId, page.nextSyncToken);
  return { fullSync, seen: page.items.length, changes };
}

/**
 * The meeting an event belongs to: its marks when it carries them; else its id, which the product
 * derives from the meeting's. A deleted event is listed by its id alone (Google guarantees nothing
 * else), so the id is what ties a deletion to its meeting.
 */
function meetingIdOf(item: CalendarEvent, workspaceId: string): string | null {
  const meta = item.extendedProperties?.private;
  if (meta?.['meetingId']) return meta['workspaceId'] === workspaceId ? meta['meetingId'] : null;
  return item.id ? meetingIdFromGoogleEventId(item.id) : null;
}

async function applyChange(ctx: AppContext, meetingId: string, item: CalendarEvent): Promise<string | null> {
  const { state: meeting, exists } = await load(ctx, meetingAggregate, meetingId);
  if (!exists || !meeting.booking) return null;
  const { state: contact } = await load(ctx, contactAggregate, meeting.request!.contactId);
  const made: string[] = [];
  try {
    for (const change of readCalendarChange(item, meeting, contact)) {
      if (change.type === 'cancel') {
        const r = await cancelMeeting(ctx, { meeting: meetingId, by: 'seeker', reason: 'deleted in the calendar' }, 'calendar');
        if (r.events.length) made.push('cancelled');
      } else if (change.type === 'reschedule') {
        await rescheduleMeeting(ctx, { meeting: meetingId, at: change.at, minutes: change.minutes, timezone: change.timezone }, 'calendar', change.version);
        made.push('rescheduled');
      } else if (change.type === 'needs-decision') {
        const r = await recordCalendarEditNeedingDecision(ctx, meetingId, change.edit);
        if (r.events.length) made.push('changed in the calendar, needs your decision');
      } else {
        const r = await recordAttendeeResponse(ctx, { meeting: meetingId, response: change.response });
        if (r.events.length) made.push(`attendee ${change.response}`);
      }
    }
  } catch (e) {
    // A change the meeting can no longer take (it was held meanwhile) is not the calendar's to force.
    if (!isOutreachError(e, 'illegal_state')) throw e;
  }
  return made.length ? made.join(', ') : null;
}

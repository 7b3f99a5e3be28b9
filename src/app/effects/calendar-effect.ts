import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { decideMeeting } from '../../domain/meeting.ts';
import { decideWorkspace } from '../../domain/workspace.ts';
import { isOutreachError } from '../../domain/errors.ts';
import type { EventStore } from '../../eventstore/port.ts';
import type { Templates } from '../../infra/mail/templates.ts';
import { contactAggregate, meetingAggregate, workspaceAggregate } from '../aggregates.ts';
import type { Clock } from '../clock.ts';
import { execute, load, type AppContext } from '../handle.ts';
import { derivedId } from '../ids.ts';
import type { CalendarApi, CalendarEvent, CalendarFailure, SendUpdates } from './calendar-api.ts';
import type { CalendarEffect, EffectData } from './effect.ts';
import { templateVariables } from './email-content.ts';
import { meetingIcs } from './meeting-ics.ts';

export type CalendarDeps = {
  store: EventStore;
  clock: Clock;
  templates: Templates;
  /** Where `.ics` files are written: `$OUTREACH_DATA_DIR/calendar`. */
  calendarDir: string;
  messageDomain?: string;
  /** How long to wait after a rate limit that named no Retry-After (default 30 s). */
  rateLimitWaitMs?: number;
  google?: {
    calendarId: string;
    sendUpdates: SendUpdates;
    eventIdFor: (meetingId: string) => string;
    /** The workspace's client, or null when it holds no grant. */
    clientFor: (workspaceId: string) => Promise<CalendarApi | null>;
    classify: (error: unknown) => CalendarFailure;
  };
};

export type CalendarOutcome =
  | { outcome: 'done'; detail: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'deferred'; until: string; reason: string }
  | { outcome: 'disconnected'; reason: string };

export type CalendarEffectData = EffectData & { kind: CalendarEffect };
const skipped = (reason: string): CalendarOutcome => ({ outcome: 'skipped', reason });

/** Written next to the final name, then renamed: a reader never sees half a file. */
async function writeAtomically(file: string, content: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o644 });
  await rename(tmp, file);
}

/**
 * One calendar effect. The `.ics` file always mirrors the meeting's current state (writing it again
 * is harmless, so it needs no result event). The Google event follows the protocol: re-check,
 * write with an event id derived from the meeting id (a retried insert cannot make a second event),
 * then record the result with an id derived from the effect key.
 */
export async function performCalendarEffect(data: CalendarEffectData, deps: CalendarDeps): Promise<CalendarOutcome> {
  const ctx: AppContext = { store: deps.store, clock: deps.clock, workspaceId: data.workspaceId, actor: 'worker:calendar', causationId: data.sourceEventId };
  const wsState = (await load(ctx, workspaceAggregate, data.workspaceId)).state;
  const ws = wsState.config;
  if (!ws || !data.meetingId) return skipped('the workspace is not configured');
  const meetingId = data.meetingId;
  const { state: meeting } = await load(ctx, meetingAggregate, meetingId);
  const { state: contact } = await load(ctx, contactAggregate, data.contactId);
  if (!meeting.booking) return skipped('the meeting was never booked');
  const domain = deps.messageDomain ?? ws.ownerEmail.split('@')[1]!;
  const vars = await templateVariables(ctx, { ws, contactId: data.contactId, contact, meeting, unsubscribeUrl: '' });
  const text = deps.templates.render('calendar-event', vars as never);

  if (data.kind === 'calendar-file') {
    const ics = meetingIcs({ meetingId, meeting, contact, ws, domain, summary: text.subject, description: text.text, now: meeting.bookedAt ?? deps.clock() });
    await mkdir(deps.calendarDir, { recursive: true });
    const file = join(deps.calendarDir, `${meetingId}.ics`);
    await writeAtomically(file, ics!.content);
    return { outcome: 'done', detail: `${ics!.method} ${file}` };
  }

  if (!wsState.calendar.connected) return skipped('no calendar is connected');
  if (!deps.google) return skipped('Google Calendar is not configured (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET)');
  const resultId = derivedId(data.key);
  if ((await deps.store.readStream(`meeting-${meetingId}`)).some((e) => e.id === resultId)) return skipped('already done: its result event is stored');
  const client = await deps.google.clientFor(data.workspaceId);
  if (!client) return skipped('no Google grant is stored for this workspace: run `outreach google connect`');
  const g = deps.google;
  const eventId = g.eventIdFor(meetingId);
  const opts = { sendUpdates: g.sendUpdates };
  const booking = meeting.booking;
  const start = DateTime.fromISO(booking.start, { setZone: true });
  const body: CalendarEvent = {
    id: eventId,
    status: 'confirmed',
    summary: text.subject,
    description: text.text,
    location: booking.location ?? booking.videoUrl ?? null,
    start: { dateTime: start.toISO(), timeZone: booking.timezone },
    end: { dateTime: start.plus({ minutes: booking.minutes }).toISO(), timeZone: booking.timezone },
    attendees: contact.details?.email ? [{ email: contact.details.email, displayName: contact.details.name }] : [],
    reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 30 }, { method: 'email', minutes: 24 * 60 }] },
    extendedProperties: { private: { meetingId, workspaceId: data.workspaceId, source: 'outreach' } },
  };

  let change: 'created' | 'updated' | 'deleted';
  try {
    if (data.kind === 'google-delete') {
      if (meeting.status !== 'cancelled') return skipped(`the meeting is ${meeting.status}, not cancelled`);
      await client.deleteEvent(g.calendarId, eventId, opts);
      change = 'deleted';
    } else {
      if (meeting.status !== 'booked') return skipped(`the meeting is ${meeting.status.replace('_', ' ')}`);
      if (data.kind === 'google-create') {
        await insertOrReconcile(client, g.calendarId, body, opts, g.classify);
        change = 'created';
      } else {
        const { id: _id, ...patch } = body;
        await client.patchEvent(g.calendarId, eventId, { start: patch.start, end: patch.end, summary: patch.summary, description: patch.description, location: patch.location }, opts);
        change = 'updated';
      }
    }
  } catch (error) {
    const failure = g.classify(error);
    const now = Date.parse(deps.clock());
    switch (failure.kind) {
      case 'rate-limited':
        return { outcome: 'deferred', until: new Date(now + (failure.retryAfterMs ?? deps.rateLimitWaitMs ?? 30_000)).toISOString(), reason: failure.message };
      case 'quota-exceeded':
        // Invitation and usage limits reset over hours: wait, never drop.
        return { outcome: 'deferred', until: new Date(now + 3_600_000).toISOString(), reason: failure.message };
      case 'reauth':
        await execute(ctx, workspaceAggregate, data.workspaceId, ({ state }) =>
          decideWorkspace({ type: 'DisconnectCalendar', reason: 'invalid_grant', now: deps.clock() }, state));
        return { outcome: 'disconnected', reason: `${failure.message}: reconnect with \`outreach google connect\`` };
      default:
        throw error;
    }
  }
  try {
    await execute(ctx, meetingAggregate, meetingId, ({ state }) =>
      decideMeeting({ type: 'RecordCalendarEvent', change, provider: 'google', calendarEventId: eventId, now: deps.clock() }, state, { contact }), { eventIds: () => resultId });
  } catch (e) {
    if (!isOutreachError(e, 'illegal_state')) throw e;
  }
  return { outcome: 'done', detail: `${change} ${eventId}` };
}

/**
 * A 409 means the id exists, and the id is derived from the meeting's, so an earlier try of this
 * insert landed (its answer was lost). Whatever the owner did to the event since — moved it, or
 * deleted it (then Google keeps it as cancelled) — stays, for the poller to bring into the store:
 * writing this body over it would silently undo their edit, and restoring a deleted one would put
 * back a meeting they cancelled (the fault suite caught exactly that).
 */
async function insertOrReconcile(client: CalendarApi, calendarId: string, body: CalendarEvent, opts: { sendUpdates: SendUpdates }, classify: (e: unknown) => CalendarFailure) {
  try {
    await client.insertEvent(calendarId, body, opts);
  } catch (error) {
    if (classify(error).kind !== 'conflict') throw error;
  }
}

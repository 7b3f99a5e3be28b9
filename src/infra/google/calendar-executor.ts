import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CalendarApi, CalendarEvent, CalendarFailure, SendUpdates } from '../../app/effects/calendar/api.ts';
import type { CalendarCallOutcome, CalendarExecutor, CalendarIntent } from '../../app/effects/calendar/intent.ts';
import type { Templates } from '../../app/effects/email/templates.ts';
import { versionOf } from '../../app/effects/calendar/changes.ts';
import { buildIcs } from '../mail/ics.ts';
import { writeAtomically } from '../files/write-atomically.ts';

export type CalendarExecutorDeps = {
  templates: Templates;
  /** Where `.ics` files are written: `$OUTREACH_DATA_DIR/calendar`. */
  calendarDir: string;
  /** The workspace's Google client, or null when it holds no grant; absent without Google configured. */
  clientFor?: ((workspaceId: string) => Promise<CalendarApi | null>) | undefined;
  classify: (error: unknown) => CalendarFailure;
};

/**
 * The calendar executor: words the entry with the `calendar-event` template, then writes the
 * `.ics` file or makes the Google call, and classifies Google's refusals. What can pass (5xx, a
 * network error) is thrown for the queue to retry.
 */
export function createCalendarExecutor(deps: CalendarExecutorDeps): CalendarExecutor {
  return {
    async run(intent: CalendarIntent): Promise<CalendarCallOutcome> {
      const words = deps.templates.render('calendar-event', intent.variables as never);
      if (intent.kind === 'write-file') {
        const content = buildIcs({ ...intent.invitation, summary: words.subject, description: words.text });
        await mkdir(deps.calendarDir, { recursive: true });
        const file = join(deps.calendarDir, `${intent.meetingId}.ics`);
        await writeAtomically(file, content);
        return { outcome: 'done', detail: `${intent.invitation.method} ${file}` };
      }
      const client = deps.clientFor ? await deps.clientFor(intent.workspaceId) : null;
      if (!client) return { outcome: 'no-grant' };
      const body: CalendarEvent = { ...intent.event, summary: words.subject, description: words.text };
      try {
        return await callGoogle(client, intent, body, deps.classify);
      } catch (error) {
        const failure = deps.classify(error);
        switch (failure.kind) {
          case 'rate-limited':
            return { outcome: 'rate-limited', retryAfterMs: failure.retryAfterMs, message: failure.message };
          case 'quota-exceeded':
            return { outcome: 'quota-exceeded', message: failure.message };
          case 'reauth':
            return { outcome: 'reauth', message: failure.message };
          default:
            throw error;
        }
      }
    },
  };
}

type GoogleIntent = Extract<CalendarIntent, { kind: 'google' }>;

async function callGoogle(
  client: CalendarApi,
  intent: GoogleIntent,
  body: CalendarEvent,
  classify: (e: unknown) => CalendarFailure,
): Promise<CalendarCallOutcome> {
  const opts: { sendUpdates: SendUpdates } = { sendUpdates: intent.sendUpdates };
  const done = (event: CalendarEvent, detail = `${intent.change} ${intent.eventId}`) => ({
    outcome: 'done' as const,
    detail,
    version: versionOf(event),
  });
  // An event found under the id (409) that no longer holds what we wrote was changed in the calendar since: not our version.
  const made = (r: { event: CalendarEvent; existed: boolean }, why?: string) =>
    r.existed && !holdsWritten(r.event, body)
      ? { outcome: 'done' as const, detail: `${intent.eventId} already existed, changed in the calendar since`, changedInCalendar: r.event }
      : done(r.event, `created ${intent.eventId}${why ? `: ${why}` : ''}`);
  if (intent.call === 'delete') {
    const { alreadyGone } = await client.deleteEvent(intent.calendarId, intent.eventId, opts);
    return { outcome: 'done', detail: alreadyGone ? `${intent.eventId} was not there to delete` : `deleted ${intent.eventId}`, alreadyGone };
  }
  if (intent.call === 'insert') return made(await insertOrReconcile(client, intent.calendarId, body, opts, classify));
  const patch = { start: body.start, end: body.end, summary: body.summary, description: body.description, location: body.location };
  try {
    return done(await client.patchEvent(intent.calendarId, intent.eventId, patch, { ...opts, ifMatch: intent.ifMatch }));
  } catch (error) {
    const kind = classify(error).kind;
    // 412: the event moved on since the version we knew; what it holds now decides (run.ts).
    if (kind === 'conflict') return { outcome: 'stale', current: await client.getEvent(intent.calendarId, intent.eventId) };
    if (kind !== 'not-found') throw error;
    // No event under the meeting's id: none was ever made (booked before connecting, or its insert never landed).
    return { ...made(await insertOrReconcile(client, intent.calendarId, body, opts, classify), 'there was no event to update'), change: 'created' as const };
  }
}

/**
 * A 409 means the id exists, and the id is derived from the meeting's, so an earlier try of this
 * insert landed (its answer was lost): the event is fetched. Whatever the owner did to it since —
 * moved it, or deleted it (then Google keeps it as cancelled) — stays, and is brought into the store
 * as an edit made in the calendar (run.ts): writing this body over it would silently undo their edit,
 * and restoring a deleted one would put back a meeting they cancelled (the fault suite caught both).
 */
async function insertOrReconcile(
  client: CalendarApi,
  calendarId: string,
  body: CalendarEvent,
  opts: { sendUpdates: SendUpdates },
  classify: (e: unknown) => CalendarFailure,
): Promise<{ event: CalendarEvent; existed: boolean }> {
  try {
    return { event: await client.insertEvent(calendarId, body, opts), existed: false };
  } catch (error) {
    if (classify(error).kind !== 'conflict') throw error;
    return { event: await client.getEvent(calendarId, body.id!), existed: true };
  }
}

const holdsWritten = (event: CalendarEvent, body: CalendarEvent) =>
  event.status !== 'cancelled' &&
  Date.parse(event.start?.dateTime ?? '') === Date.parse(body.start?.dateTime ?? '') &&
  Date.parse(event.end?.dateTime ?? '') === Date.parse(body.end?.dateTime ?? '');

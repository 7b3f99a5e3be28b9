import type { Invitation } from '../email/invitation.ts';
import type { CalendarVersion } from '../../../domain/meeting.ts';
import type { CalendarEvent, SendUpdates } from './api.ts';

/** The words of a calendar entry come from the `calendar-event` template: its subject and text. */
type Worded = { variables: Record<string, string> };

/**
 * One calendar write, as data: the `.ics` file of the meeting's current state, or one Google
 * Calendar call on the event whose id derives from the meeting's.
 */
export type CalendarIntent =
  | ({ kind: 'write-file'; meetingId: string; invitation: Invitation } & Worded)
  | ({
      kind: 'google';
      call: 'insert' | 'patch' | 'delete';
      workspaceId: string;
      calendarId: string;
      eventId: string;
      sendUpdates: SendUpdates;
      /** The event without its summary and description, which the executor words from the template. */
      event: CalendarEvent;
      /** What the result event says happened. */
      change: 'created' | 'updated' | 'deleted';
      /** A patch is made on the version we last knew (If-Match), so that an edit made since in the calendar is not overwritten unseen. */
      ifMatch?: string | undefined;
    } & Worded);

/**
 * How the executor's call ended (transient failures are thrown for the queue to retry): done, with
 * what Google answered; stale (the event moved on since the version we knew: 412, and the event as
 * it is now); the workspace holds no grant; or Google refused in a way that asks for waiting or for
 * the seeker to reconnect.
 */
export type CalendarCallOutcome =
  | {
      outcome: 'done';
      detail: string;
      /** The version Google answered for the write. */
      version?: CalendarVersion | undefined;
      /** A delete that found nothing there. */
      alreadyGone?: boolean | undefined;
      /** When the write ended otherwise than asked (a patch that found no event created it). */
      change?: 'created' | undefined;
      /** An insert that found the event already made (409) and changed in the calendar since: as it is now. */
      changedInCalendar?: CalendarEvent | undefined;
    }
  | { outcome: 'stale'; current: CalendarEvent }
  | { outcome: 'no-grant' }
  | { outcome: 'rate-limited'; retryAfterMs?: number | undefined; message: string }
  | { outcome: 'quota-exceeded'; message: string }
  | { outcome: 'reauth'; message: string };

/** The calendar executor (src/infra/google/calendar-executor.ts). */
export interface CalendarExecutor {
  run(intent: CalendarIntent): Promise<CalendarCallOutcome>;
}

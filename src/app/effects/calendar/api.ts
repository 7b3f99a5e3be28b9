/**
 * What the calendar effects need of a Calendar v3 API, in its own words. The Google client in
 * src/infra/google implements it; keeping the port here lets the effect logic be read on its own.
 */
export type CalendarEventTime = { dateTime?: string | null; timeZone?: string | null; date?: string | null };
export type CalendarEvent = {
  id?: string | null;
  etag?: string | null;
  status?: string | null;
  summary?: string | null;
  description?: string | null;
  location?: string | null;
  start?: CalendarEventTime | null;
  end?: CalendarEventTime | null;
  attendees?: { email?: string | null; displayName?: string | null; responseStatus?: string | null }[] | null;
  reminders?: { useDefault?: boolean | null; overrides?: { method?: string | null; minutes?: number | null }[] | null } | null;
  extendedProperties?: { private?: Record<string, string> | null } | null;
  sequence?: number | null;
  updated?: string | null;
};
export type SendUpdates = 'all' | 'externalOnly' | 'none';

export interface CalendarApi {
  insertEvent(calendarId: string, event: CalendarEvent, opts: { sendUpdates: SendUpdates }): Promise<CalendarEvent>;
  getEvent(calendarId: string, eventId: string): Promise<CalendarEvent>;
  /** With `ifMatch`, Google answers 412 when the event is no longer at that etag. */
  patchEvent(
    calendarId: string,
    eventId: string,
    patch: CalendarEvent,
    opts: { sendUpdates: SendUpdates; ifMatch?: string | undefined },
  ): Promise<CalendarEvent>;
  updateEvent(calendarId: string, eventId: string, event: CalendarEvent, opts: { sendUpdates: SendUpdates }): Promise<CalendarEvent>;
  /** Resolves when the event is gone; `alreadyGone` when it already was (404, 410). */
  deleteEvent(calendarId: string, eventId: string, opts: { sendUpdates: SendUpdates }): Promise<{ alreadyGone: boolean }>;
  listChanges(
    calendarId: string,
    query: { syncToken?: string; timeMin?: string; timeMax?: string },
  ): Promise<{ items: CalendarEvent[]; nextSyncToken?: string | null }>;
}

/** How a failed call should be treated, as src/infra/google/errors.ts classifies it. */
export type CalendarFailure = {
  kind: 'rate-limited' | 'quota-exceeded' | 'transient' | 'reauth' | 'conflict' | 'gone' | 'not-found' | 'permanent';
  retryAfterMs?: number;
  message: string;
};

/**
 * The stand-in's calendars: events keyed by calendar and id, each stamped with a global change
 * number so that a sync token ("everything after change N") gives Google's incremental semantics.
 */
import { randomBytes } from 'node:crypto';
import type { calendar_v3 } from '@googleapis/calendar';
import { fault, type ApiFault } from './google-error.ts';

export type StandInEvent = calendar_v3.Schema$Event;
type Stored = { event: StandInEvent; change: number };
type Result<T> = { ok: T } | { fault: ApiFault };

/** Changes a test makes as the calendar's owner would in Google Calendar itself. */
export type DirectEdit = Partial<StandInEvent> & {
  /** Sets one attendee's answer (declined, accepted, tentative …), matched by email. */
  attendeeResponse?: { email: string; responseStatus: string };
  /** Deletes the event in the calendar (status cancelled). */
  cancel?: boolean;
};

export type ListQuery = {
  syncToken?: string;
  pageToken?: string;
  showDeleted?: boolean;
  timeMin?: string;
  timeMax?: string;
  maxResults?: number;
  /** Parameters Google refuses together with a sync token. */
  restrictions: string[];
};
export type ListPage = { items: StandInEvent[]; nextPageToken?: string; nextSyncToken?: string };

const VALID_ID = /^[0-9a-v]{5,1024}$/;
const copy = <T>(v: T): T => structuredClone(v);
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const timeOf = (t: calendar_v3.Schema$EventDateTime | undefined) => (t?.dateTime ? Date.parse(t.dateTime) : t?.date ? Date.parse(`${t.date}T00:00:00Z`) : NaN);
const randomId = () => {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  return [...randomBytes(26)].map((b) => alphabet[b & 31]).join('');
};

/** Google's patch: objects merge field by field, arrays and scalars replace, null removes. */
function merge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isPlain(v) && isPlain(out[k])) out[k] = merge(out[k] as Record<string, unknown>, v);
    else out[k] = copy(v);
  }
  return out;
}

/**
 * How a list shows an event. Google: "Deleted events are only guaranteed to have the id field
 * populated", so a deleted one is listed with nothing a client could read a meeting from: no times,
 * no attendees, no extendedProperties. Only `get` shows what it was.
 */
function listed(e: StandInEvent): StandInEvent {
  if (e.status !== 'cancelled') return copy(e);
  return { kind: 'calendar#event', etag: e.etag ?? null, id: e.id ?? null, status: 'cancelled' };
}

export class CalendarStore {
  private readonly calendars = new Map<string, Map<string, Stored>>();
  private readonly pages = new Map<string, { calendarId: string; rest: StandInEvent[]; nextSyncToken: string }>();
  private change = 0;
  /** Raised by expireSyncTokens(): every token made before answers 410 fullSyncRequired. */
  private generation = 1;

  constructor(
    private readonly now: () => Date,
    private readonly owner: () => string,
    readonly pageSize: () => number,
  ) {}

  private calendar(calendarId: string): Map<string, Stored> {
    let c = this.calendars.get(calendarId);
    if (!c) this.calendars.set(calendarId, (c = new Map()));
    return c;
  }

  private stamp(calendarId: string, event: StandInEvent): StandInEvent {
    this.change += 1;
    event.updated = this.now().toISOString();
    event.etag = `"${this.change}"`;
    this.calendar(calendarId).set(event.id!, { event, change: this.change });
    return copy(event);
  }

  /** Time change (start, end, location) raises the sequence, as Google does for invitations. */
  private bumpSequence(before: StandInEvent, after: StandInEvent, requested: number | null | undefined): ApiFault | undefined {
    const current = before.sequence ?? 0;
    if (typeof requested === 'number') {
      if (requested < current) return fault(400, 'invalidSequenceValue', 'Invalid sequence value. The specified sequence number is below the current sequence number of the resource.');
      after.sequence = requested;
      return undefined;
    }
    const moved = JSON.stringify([before.start, before.end, before.location]) !== JSON.stringify([after.start, after.end, after.location]);
    after.sequence = moved || (before.status !== 'cancelled' && after.status === 'cancelled') ? current + 1 : current;
    return undefined;
  }

  private checkTimes(e: StandInEvent): ApiFault | undefined {
    if (!e.start || (!e.start.dateTime && !e.start.date)) return fault(400, 'required', 'Missing start time.');
    if (!e.end || (!e.end.dateTime && !e.end.date)) return fault(400, 'required', 'Missing end time.');
    const start = timeOf(e.start);
    const end = timeOf(e.end);
    if (Number.isNaN(start) || Number.isNaN(end)) return fault(400, 'invalid', 'Invalid start or end time.');
    if (end < start) return fault(400, 'timeRangeEmpty');
    for (const a of e.attendees ?? []) if (!a.email) return fault(400, 'required', 'Missing attendee email.');
    return undefined;
  }

  /** New attendees wait for an answer; an attendee already there keeps theirs (a write by the organizer cannot answer for a guest). */
  private withDefaults(e: StandInEvent, before?: StandInEvent): StandInEvent {
    const answered = new Map((before?.attendees ?? []).map((a) => [a.email?.toLowerCase(), a.responseStatus]));
    if (e.attendees) e.attendees = e.attendees.map((a) => ({ ...a, responseStatus: answered.get(a.email?.toLowerCase()) ?? a.responseStatus ?? 'needsAction' }));
    return e;
  }

  /** `If-Match`: a write on an etag that is no longer the event's answers 412, as Google's conditional writes do. */
  private precondition(found: Stored, ifMatch: string | undefined): ApiFault | undefined {
    if (ifMatch === undefined || ifMatch === '*' || ifMatch === found.event.etag) return undefined;
    return fault(412, 'conditionNotMet', 'Precondition Failed');
  }

  // ─── the REST operations ───────────────────────────────────────────────────────────────

  insert(calendarId: string, body: StandInEvent): Result<StandInEvent> {
    const id = body.id ?? randomId();
    if (!VALID_ID.test(id)) return { fault: fault(400, 'invalid', 'Invalid resource id value.') };
    // Google keeps deleted events (status cancelled) and refuses their id too.
    if (this.calendar(calendarId).has(id)) return { fault: fault(409, 'duplicate') };
    const bad = this.checkTimes(body);
    if (bad) return { fault: bad };
    const now = this.now().toISOString();
    const owner = { email: this.owner(), self: true };
    const event = this.withDefaults({
      ...copy(body),
      kind: 'calendar#event',
      id,
      status: body.status ?? 'confirmed',
      htmlLink: `https://calendar.example.test/event?eid=${id}`,
      created: now,
      creator: owner,
      organizer: owner,
      iCalUID: body.iCalUID ?? `${id}@google.com`,
      sequence: body.sequence ?? 0,
      reminders: body.reminders ?? { useDefault: true },
      eventType: 'default',
    });
    return { ok: this.stamp(calendarId, event) };
  }

  get(calendarId: string, eventId: string): Result<StandInEvent> {
    const found = this.calendar(calendarId).get(eventId);
    return found ? { ok: copy(found.event) } : { fault: fault(404, 'notFound') };
  }

  patch(calendarId: string, eventId: string, body: StandInEvent, ifMatch?: string): Result<StandInEvent> {
    const found = this.calendar(calendarId).get(eventId);
    if (!found) return { fault: fault(404, 'notFound') };
    const stale = this.precondition(found, ifMatch);
    if (stale) return { fault: stale };
    const { id, sequence, ...rest } = body;
    if (id && id !== eventId) return { fault: fault(400, 'invalid', 'The event id cannot be changed.') };
    const after = this.withDefaults(merge(found.event as Record<string, unknown>, rest as Record<string, unknown>) as StandInEvent, found.event);
    const bad = this.checkTimes(after) ?? this.bumpSequence(found.event, after, sequence);
    if (bad) return { fault: bad };
    return { ok: this.stamp(calendarId, after) };
  }

  update(calendarId: string, eventId: string, body: StandInEvent, ifMatch?: string): Result<StandInEvent> {
    const found = this.calendar(calendarId).get(eventId);
    if (!found) return { fault: fault(404, 'notFound') };
    const stale = this.precondition(found, ifMatch);
    if (stale) return { fault: stale };
    if (body.id && body.id !== eventId) return { fault: fault(400, 'invalid', 'The event id cannot be changed.') };
    const before = found.event;
    const after = this.withDefaults({
      ...copy(body),
      kind: 'calendar#event',
      id: eventId,
      status: body.status ?? 'confirmed',
      htmlLink: before.htmlLink,
      created: before.created,
      creator: before.creator,
      organizer: before.organizer,
      iCalUID: before.iCalUID,
      reminders: body.reminders ?? { useDefault: true },
      eventType: before.eventType,
    }, before);
    const bad = this.checkTimes(after) ?? this.bumpSequence(before, after, body.sequence);
    if (bad) return { fault: bad };
    return { ok: this.stamp(calendarId, after) };
  }

  delete(calendarId: string, eventId: string, ifMatch?: string): Result<true> {
    const found = this.calendar(calendarId).get(eventId);
    if (!found) return { fault: fault(404, 'notFound') };
    if (found.event.status === 'cancelled') return { fault: fault(410, 'deleted') };
    const stale = this.precondition(found, ifMatch);
    if (stale) return { fault: stale };
    const after = { ...copy(found.event), status: 'cancelled' };
    this.bumpSequence(found.event, after, undefined);
    this.stamp(calendarId, after);
    return { ok: true };
  }

  list(calendarId: string, q: ListQuery): Result<ListPage> {
    if (q.pageToken) {
      const saved = this.pages.get(q.pageToken);
      if (!saved || saved.calendarId !== calendarId) return { fault: fault(400, 'invalid', 'Invalid page token value.') };
      this.pages.delete(q.pageToken);
      return { ok: this.page(calendarId, saved.rest, saved.nextSyncToken, q.maxResults) };
    }
    const all = [...this.calendar(calendarId).values()];
    let chosen: Stored[];
    if (q.syncToken) {
      if (q.restrictions.length > 0) return { fault: fault(400, 'invalid', `Sync token cannot be used with ${q.restrictions.join(', ')}.`) };
      if (q.showDeleted === false) return { fault: fault(400, 'invalid', 'showDeleted cannot be false with a sync token.') };
      const token = this.decode(q.syncToken);
      if (!token) return { fault: fault(400, 'invalid', 'Invalid sync token value.') };
      if (token.g !== this.generation || token.c !== calendarId) return { fault: fault(410, 'fullSyncRequired') };
      // Incremental: every change after the token, deleted events always included.
      chosen = all.filter((s) => s.change > token.s);
    } else {
      const min = q.timeMin ? Date.parse(q.timeMin) : -Infinity;
      const max = q.timeMax ? Date.parse(q.timeMax) : Infinity;
      if (Number.isNaN(min) || Number.isNaN(max)) return { fault: fault(400, 'invalid', 'Invalid timeMin or timeMax value.') };
      const inWindow = (e: StandInEvent) => {
        const start = timeOf(e.start ?? undefined);
        const end = timeOf(e.end ?? undefined);
        return !(end <= min) && !(start >= max);
      };
      chosen = all.filter((s) => (q.showDeleted || s.event.status !== 'cancelled') && inWindow(s.event));
    }
    const nextSyncToken = this.encode({ c: calendarId, s: this.change, g: this.generation });
    // A snapshot: changes made while the pages are read arrive through the next sync token.
    return { ok: this.page(calendarId, chosen.map((s) => listed(s.event)), nextSyncToken, q.maxResults) };
  }

  private page(calendarId: string, items: StandInEvent[], nextSyncToken: string, maxResults?: number): ListPage {
    const size = Math.max(1, Math.min(maxResults ?? 250, this.pageSize()));
    if (items.length <= size) return { items, nextSyncToken };
    const nextPageToken = `pg_${randomBytes(9).toString('base64url')}`;
    this.pages.set(nextPageToken, { calendarId, rest: items.slice(size), nextSyncToken });
    return { items: items.slice(0, size), nextPageToken };
  }

  private encode(t: { c: string; s: number; g: number }) {
    return `CP${Buffer.from(JSON.stringify(t)).toString('base64url')}`;
  }

  private decode(token: string): { c: string; s: number; g: number } | null {
    try {
      const t = JSON.parse(Buffer.from(token.replace(/^CP/, ''), 'base64url').toString('utf8')) as { c?: unknown; s?: unknown; g?: unknown };
      return typeof t.c === 'string' && typeof t.s === 'number' && typeof t.g === 'number' ? { c: t.c, s: t.s, g: t.g } : null;
    } catch {
      return null;
    }
  }

  // ─── test controls ─────────────────────────────────────────────────────────────────────

  expireSyncTokens(): void {
    this.generation += 1;
    this.pages.clear();
  }

  /** A copy of one event (cancelled ones too), or undefined. */
  find(eventId: string, calendarId = 'primary'): StandInEvent | undefined {
    const found = this.calendar(calendarId).get(eventId);
    return found ? copy(found.event) : undefined;
  }

  /** Copies of every event in a calendar, cancelled ones included. */
  all(calendarId = 'primary'): StandInEvent[] {
    return [...this.calendar(calendarId).values()].map((s) => copy(s.event));
  }

  /** Puts an event in place as if someone else had made it (no checks, no 409), as a change. */
  put(event: StandInEvent & { id: string }, calendarId = 'primary'): StandInEvent {
    const now = this.now().toISOString();
    const owner = { email: this.owner(), self: true };
    return this.stamp(calendarId, { kind: 'calendar#event', status: 'confirmed', created: now, creator: owner, organizer: owner, sequence: 0, iCalUID: `${event.id}@google.com`, ...copy(event) });
  }

  /** An edit made by the owner in Google Calendar: the poller sees it as a change. */
  editDirectly(eventId: string, changes: DirectEdit, calendarId = 'primary'): StandInEvent {
    const found = this.calendar(calendarId).get(eventId);
    if (!found) throw new Error(`stand-in: no event ${eventId} in calendar ${calendarId}`);
    const { attendeeResponse, cancel, ...fields } = changes;
    const after = merge(found.event as Record<string, unknown>, fields as Record<string, unknown>) as StandInEvent;
    if (cancel) after.status = 'cancelled';
    if (attendeeResponse) {
      const who = attendeeResponse.email.toLowerCase();
      const attendee = after.attendees?.find((a) => a.email?.toLowerCase() === who);
      if (!attendee) throw new Error(`stand-in: event ${eventId} has no attendee ${attendeeResponse.email}`);
      attendee.responseStatus = attendeeResponse.responseStatus;
    }
    this.bumpSequence(found.event, after, fields.sequence);
    return this.stamp(calendarId, after);
  }
}

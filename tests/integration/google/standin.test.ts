/** The stand-in's own rules, checked over raw HTTP where the real client would hide them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendarClient, googleEventIdFor, type CalendarClient } from '../../../src/infra/google/calendar-client.ts';
import { googleConfigFrom } from '../../../src/infra/google/config.ts';
import { startCalendarStandIn, type CalendarStandIn } from '../../support/google-calendar-standin/index.ts';

let google: CalendarStandIn;
let client: CalendarClient;
let bearer: string;

beforeAll(async () => {
  google = await startCalendarStandIn({ pageSize: 2 });
  const refreshToken = google.issueRefreshToken();
  client = createCalendarClient({ config: googleConfigFrom(google.env()), refreshToken });
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: google.clientId, client_secret: google.clientSecret });
  bearer = ((await (await fetch(`${google.url}token`, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await google.stop();
});

let n = 0;
const eventId = () => googleEventIdFor(`0193a1b2-c3d4-7e5f-8a9b-${String(++n).padStart(12, '0')}`);
const body = (id: string) => ({ id, summary: 's', start: { dateTime: '2031-05-01T10:00:00Z' }, end: { dateTime: '2031-05-01T10:30:00Z' } });
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${google.url}calendar/v3/calendars/${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

describe('Calendar stand-in', () => {
  it("answers a duplicate id with Google's 409 body", async () => {
    const id = eventId();
    expect((await api('primary/events', { method: 'POST', body: JSON.stringify(body(id)) })).status).toBe(200);
    const again = await api('primary/events', { method: 'POST', body: JSON.stringify(body(id)) });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: { code: 409, message: 'The requested identifier already exists.', errors: [{ domain: 'global', reason: 'duplicate', message: 'The requested identifier already exists.' }], status: 'ALREADY_EXISTS' },
    });
  });

  it('refuses ids outside base32hex', async () => {
    const res = await api('primary/events', { method: 'POST', body: JSON.stringify(body('Not_Valid')) });
    expect(res.status).toBe(400);
  });

  it('refuses a sync token together with a time window, as Google does', async () => {
    const { nextSyncToken } = await client.listChanges('window-cal');
    const res = await api(`window-cal/events?syncToken=${encodeURIComponent(nextSyncToken)}&timeMin=2031-01-01T00:00:00Z`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { errors: [{ reason: 'invalid' }] } });
  });

  it('a full sync without showDeleted leaves cancelled events out', async () => {
    const id = eventId();
    await client.insertEvent('hidden-cal', body(id));
    await client.deleteEvent('hidden-cal', id);
    const res = await api('hidden-cal/events');
    expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('pages are a snapshot: a change made while paging arrives with the next sync token', async () => {
    const cal = 'snapshot-cal';
    const ids = [eventId(), eventId(), eventId()];
    for (const id of ids) await client.insertEvent(cal, body(id));
    const first = (await (await api(`${cal}/events?showDeleted=true`)).json()) as { items: Array<{ id: string }>; nextPageToken: string };
    expect(first.items).toHaveLength(2);
    google.editDirectly(ids[0]!, { summary: 'changed during paging' }, cal);
    const second = (await (await api(`${cal}/events?showDeleted=true&pageToken=${first.nextPageToken}`)).json()) as { items: Array<{ id: string }>; nextSyncToken: string };
    expect([...first.items, ...second.items].map((e) => e.id)).toEqual(ids);
    const next = await client.listChanges(cal, { syncToken: second.nextSyncToken });
    expect(next.items.map((e) => [e.id, e.summary])).toEqual([[ids[0], 'changed during paging']]);
  });

  it('events put in place by someone else are changes too, and direct edits bump updated', async () => {
    const cal = 'others-cal';
    const { nextSyncToken } = await client.listChanges(cal);
    google.events.put({ id: 'dentist0001', summary: 'Dentist', start: { dateTime: '2031-05-02T08:00:00Z' }, end: { dateTime: '2031-05-02T09:00:00Z' } }, cal);
    const before = google.events.find('dentist0001', cal)!;
    await new Promise((r) => setTimeout(r, 5));
    const after = google.editDirectly('dentist0001', { start: { dateTime: '2031-05-02T08:30:00Z' }, end: { dateTime: '2031-05-02T09:30:00Z' } }, cal);
    expect(after.sequence).toBe((before.sequence ?? 0) + 1);
    expect(Date.parse(after.updated!)).toBeGreaterThan(Date.parse(before.updated!));
    expect(after.etag).not.toBe(before.etag);
    const changes = await client.listChanges(cal, { syncToken: nextSyncToken });
    expect(changes.items.map((e) => e.id)).toEqual(['dentist0001']);
  });

  it('refuses a sequence below the current one', async () => {
    const id = eventId();
    await client.insertEvent('primary', body(id));
    await client.patchEvent('primary', id, { start: { dateTime: '2031-05-01T11:00:00Z' }, end: { dateTime: '2031-05-01T11:30:00Z' } });
    const res = await api(`primary/events/${id}`, { method: 'PATCH', body: JSON.stringify({ sequence: 0 }) });
    expect(res.status).toBe(400);
  });

  it('an incremental list shows a deleted event by its id only: no times, attendees or extendedProperties', async () => {
    const cal = 'deleted-cal';
    const id = eventId();
    await client.insertEvent(cal, { ...body(id), attendees: [{ email: 'ada@example.org' }], extendedProperties: { private: { meetingId: 'm' } } });
    const { nextSyncToken } = await client.listChanges(cal);
    google.editDirectly(id, { cancel: true }, cal);
    const { items } = await client.listChanges(cal, { syncToken: nextSyncToken });
    expect(items).toEqual([{ kind: 'calendar#event', etag: expect.any(String), id, status: 'cancelled' }]);
    // `get` still shows what it was.
    expect(await client.getEvent(cal, id)).toMatchObject({ status: 'cancelled', extendedProperties: { private: { meetingId: 'm' } } });
  });

  it('a write with an If-Match that is not the current etag answers 412 and changes nothing', async () => {
    const id = eventId();
    const made = await client.insertEvent('primary', body(id));
    const moved = google.editDirectly(id, { start: { dateTime: '2031-05-01T12:00:00Z' }, end: { dateTime: '2031-05-01T12:30:00Z' } });
    const stale = await api(`primary/events/${id}`, { method: 'PATCH', headers: { 'if-match': made.etag! }, body: JSON.stringify({ summary: 'late' }) });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ error: { code: 412, errors: [{ reason: 'conditionNotMet' }] } });
    expect(google.events.find(id)).toMatchObject({ summary: 's', etag: moved.etag });
    const fresh = await api(`primary/events/${id}`, { method: 'PATCH', headers: { 'if-match': moved.etag! }, body: JSON.stringify({ summary: 'now' }) });
    expect(fresh.status).toBe(200);
    const after = (await fresh.json()) as { etag: string; updated: string; sequence: number };
    expect(after.etag).not.toBe(moved.etag);
    expect(after.sequence).toBe(moved.sequence);
    expect((await api(`primary/events/${id}`, { method: 'DELETE', headers: { 'if-match': moved.etag! } })).status).toBe(412);
  });

  it("keeps an attendee's answer across the organizer's writes; a new attendee waits for one", async () => {
    const id = eventId();
    await client.insertEvent('primary', { ...body(id), attendees: [{ email: 'ada@example.org' }] });
    google.editDirectly(id, { attendeeResponse: { email: 'ada@example.org', responseStatus: 'accepted' } });
    await client.patchEvent('primary', id, { start: { dateTime: '2031-05-01T14:00:00Z' }, end: { dateTime: '2031-05-01T14:30:00Z' } });
    await client.patchEvent('primary', id, { attendees: [{ email: 'ada@example.org' }, { email: 'bob@example.org' }] });
    expect(google.events.find(id)!.attendees!.map((a) => [a.email, a.responseStatus])).toEqual([
      ['ada@example.org', 'accepted'],
      ['bob@example.org', 'needsAction'],
    ]);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCalendarClient, googleEventIdFor, type CalendarClient, type CalendarEvent } from '../../../src/infra/google/calendar-client.ts';
import { googleConfigFrom, type GoogleConfig } from '../../../src/infra/google/config.ts';
import { classifyGoogleError, GoogleApiError } from '../../../src/infra/google/errors.ts';
import { startCalendarStandIn, type CalendarStandIn } from '../../support/google-calendar-standin/index.ts';

let google: CalendarStandIn;
let config: GoogleConfig;
let client: CalendarClient;

beforeAll(async () => {
  google = await startCalendarStandIn();
  config = googleConfigFrom(google.env());
  client = createCalendarClient({ config, refreshToken: google.issueRefreshToken() });
});
afterAll(async () => {
  await google.stop();
});
beforeEach(() => {
  google.pageSize = 2;
  google.clearFaults();
});

let n = 0;
const meetingId = () => `0193a1b2-c3d4-7e5f-8a9b-${String(++n).padStart(12, '0')}`;
const booking = (id: string, startIso = '2031-03-04T15:00:00+01:00', endIso = '2031-03-04T15:20:00+01:00'): CalendarEvent => ({
  id,
  summary: 'Informational interview with Ada Lovelace',
  description: 'Twenty minutes, as agreed.',
  start: { dateTime: startIso, timeZone: 'Europe/Paris' },
  end: { dateTime: endIso, timeZone: 'Europe/Paris' },
  attendees: [{ email: 'ada@example.org', displayName: 'Ada Lovelace' }],
  reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 30 }] },
  extendedProperties: { private: { outreachMeetingId: 'm', outreachWorkspaceId: 'w' } },
});
const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

describe('calendar client against the stand-in', () => {
  it('inserts with the derived id and sendUpdates, then reads the event back', async () => {
    const id = googleEventIdFor(meetingId());
    const created = await client.insertEvent('primary', booking(id), { sendUpdates: 'externalOnly' });
    expect(created).toMatchObject({ id, status: 'confirmed', sequence: 0, organizer: { email: google.accountEmail, self: true } });
    expect(created.attendees?.[0]).toMatchObject({ email: 'ada@example.org', responseStatus: 'needsAction' });
    const insert = google.lastCall('insert')!;
    expect(insert.query['sendUpdates']).toBe('externalOnly');
    expect(insert.body).toMatchObject({ id, extendedProperties: { private: { outreachMeetingId: 'm' } } });

    const fetched = await client.getEvent('primary', id);
    expect(fetched).toMatchObject({ id, summary: created.summary, start: created.start, etag: created.etag });
  });

  it('uses sendUpdates from the configuration when the call names none', async () => {
    await client.insertEvent('primary', booking(googleEventIdFor(meetingId())));
    expect(google.lastCall('insert')!.query['sendUpdates']).toBe(config.sendUpdates);
  });

  it('patches the time (sequence goes up) and updates the whole event', async () => {
    const id = googleEventIdFor(meetingId());
    await client.insertEvent('primary', booking(id));
    const moved = await client.patchEvent(
      'primary',
      id,
      { start: { dateTime: '2031-03-05T10:00:00+01:00', timeZone: 'Europe/Paris' }, end: { dateTime: '2031-03-05T10:20:00+01:00', timeZone: 'Europe/Paris' } },
      { sendUpdates: 'all' },
    );
    expect(moved.start?.dateTime).toBe('2031-03-05T10:00:00+01:00');
    expect(moved.summary).toBe('Informational interview with Ada Lovelace');
    expect(moved.sequence).toBe(1);
    expect(google.lastCall('patch')!.query['sendUpdates']).toBe('all');

    const replaced = await client.updateEvent('primary', id, { ...booking(id), summary: 'Renamed', location: 'Café de Flore' }, { sendUpdates: 'none' });
    expect(replaced).toMatchObject({ id, summary: 'Renamed', location: 'Café de Flore', sequence: 2 });
    expect((await client.getEvent('primary', id)).summary).toBe('Renamed');
  });

  it('refuses a second insert of the same id with 409 duplicate, cancelled ones too', async () => {
    const id = googleEventIdFor(meetingId());
    await client.insertEvent('primary', booking(id));
    const again = await rejection(client.insertEvent('primary', booking(id)));
    expect(again).toBeInstanceOf(GoogleApiError);
    expect(classifyGoogleError(again)).toMatchObject({ kind: 'conflict', status: 409, reason: 'duplicate' });

    await client.deleteEvent('primary', id);
    const afterDelete = await rejection(client.insertEvent('primary', booking(id)));
    expect(classifyGoogleError(afterDelete)).toMatchObject({ kind: 'conflict', reason: 'duplicate' });
    // The reconciliation path: the cancelled event can be read and restored.
    expect((await client.getEvent('primary', id)).status).toBe('cancelled');
    const restored = await client.updateEvent('primary', id, { ...booking(id), status: 'confirmed' });
    expect(restored.status).toBe('confirmed');
  });

  it('deletes, and a second delete (410) or an unknown id (404) resolves as done', async () => {
    const id = googleEventIdFor(meetingId());
    await client.insertEvent('primary', booking(id));
    expect(await client.deleteEvent('primary', id, { sendUpdates: 'all' })).toEqual({ alreadyGone: false });
    expect(google.events.find(id)?.status).toBe('cancelled');
    expect(await client.deleteEvent('primary', id)).toEqual({ alreadyGone: true });
    expect(google.lastCall('delete')!.status).toBe(410);
    expect(await client.deleteEvent('primary', googleEventIdFor(meetingId()))).toEqual({ alreadyGone: true });
    expect(google.lastCall('delete')!.status).toBe(404);
  });

  it('reports a missing event as not-found', async () => {
    const e = await rejection(client.getEvent('primary', googleEventIdFor(meetingId())));
    expect(classifyGoogleError(e)).toMatchObject({ kind: 'not-found', status: 404 });
  });

  it('refuses a time range that ends before it starts (permanent)', async () => {
    const e = await rejection(client.insertEvent('primary', booking(googleEventIdFor(meetingId()), '2031-03-04T15:00:00Z', '2031-03-04T14:00:00Z')));
    expect(classifyGoogleError(e)).toMatchObject({ kind: 'permanent', status: 400, reason: 'timeRangeEmpty' });
  });
});

describe('listChanges', () => {
  const cal = () => `list-${++n}@group.calendar.google.com`;

  it('follows every page of a full sync and then returns only changes, cancelled ones included', async () => {
    const calendarId = cal();
    const ids = Array.from({ length: 5 }, () => googleEventIdFor(meetingId()));
    for (const [i, id] of ids.entries()) await client.insertEvent(calendarId, booking(id, `2031-04-0${i + 1}T09:00:00Z`, `2031-04-0${i + 1}T09:20:00Z`));

    const full = await client.listChanges(calendarId, { timeMin: '2031-01-01T00:00:00Z', timeMax: '2032-01-01T00:00:00Z' });
    expect(full.items.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(full.pages).toBe(3);
    const lists = google.calls.filter((c) => c.kind === 'list' && c.calendarId === calendarId);
    expect(lists.map((c) => c.query['pageToken'] !== undefined)).toEqual([false, true, true]);
    expect(lists[0]!.query).toMatchObject({ showDeleted: 'true', singleEvents: 'true', timeMin: '2031-01-01T00:00:00Z' });

    const quiet = await client.listChanges(calendarId, { syncToken: full.nextSyncToken });
    expect(quiet.items).toEqual([]);

    google.editDirectly(ids[1]!, { start: { dateTime: '2031-04-10T09:00:00Z' }, end: { dateTime: '2031-04-10T09:20:00Z' } }, calendarId);
    google.editDirectly(ids[2]!, { attendeeResponse: { email: 'ada@example.org', responseStatus: 'declined' } }, calendarId);
    google.editDirectly(ids[3]!, { cancel: true }, calendarId);
    const changes = await client.listChanges(calendarId, { syncToken: quiet.nextSyncToken });
    expect(changes.pages).toBe(2);
    const byId = new Map(changes.items.map((e) => [e.id, e]));
    expect([...byId.keys()].sort()).toEqual([ids[1], ids[2], ids[3]].sort());
    expect(byId.get(ids[1])).toMatchObject({ start: { dateTime: '2031-04-10T09:00:00Z' }, sequence: 1 });
    expect(byId.get(ids[2])!.attendees?.[0]?.responseStatus).toBe('declined');
    expect(byId.get(ids[3])!.status).toBe('cancelled');
    // A sync token carries its window: the client sends none with it.
    const incremental = google.lastCall('list', (c) => c.query['syncToken'] !== undefined)!;
    expect(incremental.query['timeMin']).toBeUndefined();
  });

  it('leaves cancelled events out of a full sync only when the server is asked to (it always asks)', async () => {
    const calendarId = cal();
    const id = googleEventIdFor(meetingId());
    await client.insertEvent(calendarId, booking(id));
    await client.deleteEvent(calendarId, id);
    const full = await client.listChanges(calendarId);
    expect(full.items.map((e) => [e.id, e.status])).toEqual([[id, 'cancelled']]);
  });

  it('throws a gone (410 fullSyncRequired) for an expired sync token, and a full sync recovers', async () => {
    const calendarId = cal();
    await client.insertEvent(calendarId, booking(googleEventIdFor(meetingId())));
    const { nextSyncToken } = await client.listChanges(calendarId);
    google.expireSyncTokens();
    const e = await rejection(client.listChanges(calendarId, { syncToken: nextSyncToken }));
    expect(classifyGoogleError(e)).toMatchObject({ kind: 'gone', status: 410, reason: 'fullSyncRequired' });
    const again = await client.listChanges(calendarId);
    expect(again.items).toHaveLength(1);
  });

  it('uses the caller page size when it is smaller than the server one', async () => {
    const calendarId = cal();
    google.pageSize = 100;
    for (let i = 0; i < 3; i++) await client.insertEvent(calendarId, booking(googleEventIdFor(meetingId())));
    const full = await client.listChanges(calendarId, { pageSize: 1 });
    expect(full).toMatchObject({ pages: 3 });
    expect(full.items).toHaveLength(3);
  });
});

describe('access tokens', () => {
  it('gets an access token with the refresh token and sends it as a bearer token', async () => {
    const own = createCalendarClient({ config, refreshToken: google.issueRefreshToken() });
    const before = google.calls.length;
    await own.listChanges('primary');
    const mine = google.calls.slice(before);
    expect(mine.map((c) => c.kind)).toEqual(['token', ...mine.slice(1).map(() => 'list')]);
    expect(mine[0]!.grantType).toBe('refresh_token');
    expect(mine[0]!.body).toBeUndefined();
  });

  it('fetches a new access token once when Google ends the current one early', async () => {
    const own = createCalendarClient({ config, refreshToken: google.issueRefreshToken() });
    await own.insertEvent('primary', booking(googleEventIdFor(meetingId())));
    google.expireAccessTokens();
    const before = google.calls.length;
    const id = googleEventIdFor(meetingId());
    await own.insertEvent('primary', booking(id));
    expect(google.calls.slice(before).map((c) => `${c.kind} ${c.status}`)).toEqual(['insert 401', 'token 200', 'insert 200']);
  });

  it('refuses a request without a valid bearer token (401 in Google form)', async () => {
    const res = await fetch(`${google.url}calendar/v3/calendars/primary/events`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'authError' }] } });
  });

  it('answers 403 insufficientPermissions when the grant lacks the calendar scope (reauth)', async () => {
    const own = createCalendarClient({ config, refreshToken: google.issueRefreshToken('https://www.googleapis.com/auth/calendar.readonly') });
    const e = await rejection(own.listChanges('primary'));
    expect(classifyGoogleError(e)).toMatchObject({ kind: 'reauth', status: 403, reason: 'insufficientPermissions' });
  });
});

/**
 * What the dashboard reads for a coach and a seeker (issue 15, item 8): the seekers table and the
 * date range over every figure, contact lists with filters and a contact's timeline, CSV export,
 * levels listed and met, objectivity per career target, and today's list, each within what the
 * token reaches.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiWiring } from '../support/api-deps.ts';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { systemClock } from '../../src/app/clock.ts';
import { configureWorkspace } from '../../src/app/workspace-commands.ts';
import { openReadModels, type Dashboard, type ReadModels } from '../../src/read-models/queries.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { startProjectorWorker } from '../../workers/projector.ts';
import { buildServer, type ApiServer } from '../../src/api/server.ts';
import type { ApiDeps } from '../../src/api/context.ts';
import { projected } from '../support/projections.ts';
import { silentLog } from '../support/tally-log.ts';

const TOKEN = 'dashboard-api-admin-token-0123456789';
let dir: string;
let store: EventStore;
let readModels: ReadModels;
let projector: Awaited<ReturnType<typeof startProjectorWorker>>;
let deps: ApiDeps;
let app: ApiServer;
let seeker: string;
let coach: string;

const ctxFor = (workspaceId: string) => ({ store, clock: systemClock, workspaceId, actor: 'test' });
const get = (url: string, token = TOKEN, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outreach-dashboard-api-'));
  store = openSqliteEventStore(join(dir, 'events.db'));
  await seedDemo(ctxFor('demo'));
  await seedDemo(ctxFor('jordan'));
  await configureWorkspace(ctxFor('jordan'), { ownerName: 'Jordan Lee', timezone: 'America/New_York' });
  readModels = openReadModels(dir);
  projector = await startProjectorWorker({ store, dataDir: dir, log: silentLog });
  await projector.caughtUp;
  await projected(store, readModels);
  deps = {
    store,
    readModels,
    clock: systemClock,
    defaultWorkspace: 'demo',
    redis: null,
    dashboardCacheMs: 0,
    ...apiWiring('dashboard-api-secret-key-long', null),
  };
  seeker = deps.access.createToken({ role: 'seeker', workspaces: ['jordan'], name: 'Jordan', expiresAt: null }, systemClock()).token;
  coach = deps.access.createToken({ role: 'coach', workspaces: ['demo'], name: 'Coach', expiresAt: null }, systemClock()).token;
  app = await buildServer(deps, { token: TOKEN, log: () => undefined });
}, 120_000);

afterAll(async () => {
  await app?.close();
  deps?.access.close();
  await projector?.stop();
  readModels?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the seekers table', () => {
  it('has one row per seeker with the figures a coach compares them by', async () => {
    const r = await get('/api/seekers');
    expect(r.statusCode).toBe(200);
    const rows = r.json().seekers as Record<string, unknown>[];
    expect(rows.map((s) => s['workspaceId'])).toEqual(['demo', 'jordan']);
    const demo = rows[0]!;
    const d = (await get('/api/dashboard?workspace=demo')).json() as Dashboard;
    expect(demo).toMatchObject({
      ownerName: 'Sam Rivera',
      contacts: d.totals.added,
      requests: d.totals.requested,
      meetingsHeld: d.totals.held,
      leads: d.totals.leads,
    });
    expect(demo['referralsPerInterview']).toBe(d.referralsPerInterview.average);
    expect(demo['lastActivityAt']).toEqual(expect.any(String));
  });

  it('a coach sees only the seekers they follow; a seeker only their own row', async () => {
    expect(((await get('/api/seekers', coach)).json().seekers as { workspaceId: string }[]).map((s) => s.workspaceId)).toEqual(['demo']);
    expect(((await get('/api/seekers', seeker)).json().seekers as { workspaceId: string }[]).map((s) => s.workspaceId)).toEqual(['jordan']);
  });

  it('naming one seeker narrows the table to them; naming one the token does not reach is 404', async () => {
    expect(((await get('/api/seekers?workspace=demo')).json().seekers as { workspaceId: string }[]).map((s) => s.workspaceId)).toEqual(['demo']);
    expect((await get('/api/seekers?workspace=demo', seeker)).statusCode).toBe(404);
    expect((await get('/api/seekers?workspace=jordan', coach)).statusCode).toBe(404);
  });

  it('a date range counts only what happened inside it, on the table and on every figure of the dashboard', async () => {
    const none = (await get('/api/seekers?from=2000-01-01&to=2000-01-31')).json().seekers as Record<string, number>[];
    expect(none.map((s) => [s['contacts'], s['requests'], s['meetingsHeld'], s['leads']])).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    const d = (await get('/api/dashboard?workspace=demo&from=2000-01-01&to=2000-01-31')).json() as Dashboard;
    expect(d.range).toEqual({ from: '2000-01-01T00:00:00.000Z', to: '2000-02-01T00:00:00.000Z' });
    expect(d.totals).toEqual({ added: 0, requested: 0, booked: 0, held: 0, thanked: 0, leads: 0 });
    expect([d.thankYouLatency.count, d.referralsPerInterview.meetings, d.agenda.length, d.jobLeads.length, d.levelsCovered.length]).toEqual([0, 0, 0, 0, 0]);
    expect(d.objectivity.every((t) => t.interviewsHeld === 0)).toBe(true);
    const wide = (await get('/api/dashboard?workspace=demo&from=2000-01-01&to=2100-01-01')).json() as Dashboard;
    const open = (await get('/api/dashboard?workspace=demo')).json() as Dashboard;
    expect(wide.totals).toEqual(open.totals);
    expect(wide.thankYouLatency).toEqual(open.thankYouLatency);
  });

  it('refuses a malformed or reversed range with 400 naming the field', async () => {
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['to=2026-02-30', 'to'],
      ['from=2026-03-01&to=2026-02-01', 'to'],
      ['from=2026-01-01T10:00', 'from'],
    ]) {
      for (const path of ['/api/seekers', '/api/dashboard']) {
        const r = await get(`${path}?${query}`);
        expect(r.statusCode, `${path}?${query}`).toBe(400);
        expect(r.json().error.field).toBe(field);
      }
    }
  });
});

const rowsReferredBy = (rows: Record<string, unknown>[], id: string) => rows.filter((c) => c['referredBy'] === id);

describe('contacts of one seeker', () => {
  it('narrow by search, status, tag, organisation, level and career target; a wrong status or level is 400 naming it', async () => {
    const all = (await get('/api/contacts?workspace=demo&limit=500')).json().rows as Record<string, unknown>[];
    const target = all.find((c) => c['target'])!['target'] as string;
    const byTarget = (await get(`/api/contacts?workspace=demo&limit=500&target=${encodeURIComponent(target.toUpperCase())}`)).json().rows as Record<
      string,
      unknown
    >[];
    expect(byTarget.length).toBe(all.filter((c) => c['target'] === target).length);
    const level = all.find((c) => c['level'])!['level'] as string;
    expect(((await get(`/api/contacts?workspace=demo&limit=500&level=${level}`)).json().rows as unknown[]).length).toBe(
      all.filter((c) => c['level'] === level).length,
    );
    const name = String(all[0]!['name']);
    const found = (await get(`/api/contacts?workspace=demo&search=${encodeURIComponent(name.slice(0, 4).toLowerCase())}`)).json().rows as { name: string }[];
    expect(found.map((c) => c.name)).toContain(name);
    expect((await get('/api/contacts?workspace=demo&status=active')).json().total).toBe(all.filter((c) => c['status'] === 'active').length);
    for (const field of ['status', 'level']) {
      const r = await get(`/api/contacts?workspace=demo&${field}=bogus`);
      expect(r.statusCode).toBe(400);
      expect(r.json().error.field).toBe(field);
    }
  });

  it("a contact's page has the events in order, meetings, emails, leads; another seeker's contact is 404", async () => {
    const all = (await get('/api/contacts?workspace=demo&limit=500')).json().rows as ({ contactId: string; meetingsHeld: number } & Record<string, unknown>)[];
    const met = all.find((c) => c.meetingsHeld > 0)!;
    const r = await get(`/api/contacts/${met.contactId}/timeline?workspace=demo`);
    expect(r.statusCode).toBe(200);
    const t = r.json() as { timeline: { at: string; type: string }[]; meetings: unknown[]; emails: unknown[]; state: { details: { name: string } } };
    expect(t.timeline[0]!.type).toBe('ContactAdded');
    expect(t.timeline.map((e) => e.type)).toContain('MeetingHeld');
    expect(t.timeline.map((e) => e.at)).toEqual([...t.timeline.map((e) => e.at)].sort());
    expect(t.meetings.length).toBeGreaterThan(0);
    const withReferrals = all.find((c) => (c as { meetingsHeld: number }).meetingsHeld > 0 && rowsReferredBy(all, c.contactId).length > 0);
    expect(withReferrals).toBeDefined();
    if (withReferrals) {
      const story = (await get(`/api/contacts/${withReferrals.contactId}/timeline?workspace=demo`)).json() as { timeline: { type: string; what: string }[] };
      const referred = story.timeline.filter((e) => e.type === 'ReferralGiven').map((e) => e.what);
      expect(referred).toEqual(rowsReferredBy(all, withReferrals.contactId).map((c) => `referred ${c['name']}`));
    }
    expect((await get(`/api/contacts/${met.contactId}/timeline?workspace=jordan`)).statusCode).toBe(404);
    expect((await get(`/api/contacts/${met.contactId}/timeline?workspace=demo`, seeker)).statusCode).toBe(404);
  });
});

describe('CSV export', () => {
  it('contacts, meetings and leads as CSV with ?format=csv or Accept: text/csv, every row, one line per row', async () => {
    for (const name of ['contacts', 'pipeline', 'job-leads']) {
      const json = (await get(`/api/${name}?workspace=demo&limit=500`)).json() as { total: number };
      for (const r of [await get(`/api/${name}?workspace=demo&format=csv`), await get(`/api/${name}?workspace=demo`, TOKEN, { accept: 'text/csv' })]) {
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-type']).toMatch(/^text\/csv/);
        expect(r.headers['content-disposition']).toMatch(new RegExp(`attachment; filename="${name}-demo.csv"`));
        const records = r.body.split('\r\n').filter((l) => /^[0-9a-f]{8}-/.test(l));
        expect(records.length, name).toBe(json.total);
      }
    }
    expect((await get('/api/contacts?workspace=demo&format=xml')).json().error.field).toBe('format');
  });

  it('a seeker exports only their own workspace; naming another is 404', async () => {
    expect((await get('/api/contacts?workspace=demo&format=csv', seeker)).statusCode).toBe(404);
    const own = await get('/api/contacts?format=csv', seeker);
    expect(own.body).not.toContain('Sam Rivera');
    expect(own.headers['content-disposition']).toContain('contacts-jordan.csv');
  });
});

describe('the seeker’s figures', () => {
  it('levels covered: listed and met apart, met a subset of listed', async () => {
    const d = (await get('/api/dashboard?workspace=demo')).json() as Dashboard;
    expect(d.levelsCovered.length).toBeGreaterThan(0);
    for (const l of d.levelsCovered) for (const m of l.met) expect(l.listed, l.industry).toContain(m);
    expect(d.levelsCovered.some((l) => l.listed.length > l.met.length)).toBe(true);
  });

  it('objectivity: interviews held per career target with the sentiment mix, and a caution under three', async () => {
    const d = (await get('/api/dashboard?workspace=demo')).json() as Dashboard;
    expect(d.objectivity.map((t) => t.target)).toEqual(expect.arrayContaining(['Data analysis', 'Risk analytics', 'Product management']));
    for (const t of d.objectivity) {
      const mix = t.sentiment.positive + t.sentiment.neutral + t.sentiment.negative + t.sentiment.unrecorded;
      expect(mix).toBe(t.interviewsHeld);
      expect(t.caution === null).toBe(t.interviewsHeld >= 3);
    }
    expect(d.objectivity.reduce((n, t) => n + t.interviewsHeld, 0)).toBeGreaterThan(0);
  });

  it("today's list for one seeker; a token that reaches several must name one", async () => {
    const r = await get('/api/today', seeker);
    expect(r.statusCode).toBe(200);
    expect(r.json().workspace).toBe('jordan');
    expect(Array.isArray(r.json().items)).toBe(true);
    expect((await get('/api/today')).json().error.field).toBe('workspace');
    expect((await get('/api/today?workspace=demo', seeker)).statusCode).toBe(404);
  });

  it('the new routes are in the OpenAPI document', async () => {
    const spec = (await get('/docs/json')).json() as { paths: Record<string, Record<string, { parameters?: { name: string }[] }>> };
    for (const path of ['/api/seekers', '/api/today', '/api/contacts/{id}/timeline']) expect(spec.paths[path]?.['get'], path).toBeDefined();
    const params = (p: string) => (spec.paths[p]!['get']!.parameters ?? []).map((x) => x.name);
    expect(params('/api/dashboard')).toEqual(expect.arrayContaining(['from', 'to', 'workspace']));
    expect(params('/api/contacts')).toEqual(expect.arrayContaining(['format', 'search', 'status', 'tag', 'org', 'level', 'target']));
    const answers = spec.paths['/api/contacts']!['get'] as unknown as { responses: Record<string, { content: Record<string, unknown> }> };
    expect(Object.keys(answers.responses['200']!.content)).toEqual(expect.arrayContaining(['application/json', 'text/csv']));
  });
});

describe('a formula in a contact’s details', () => {
  it('is exported with a leading apostrophe, quoted where it holds a comma', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/contacts?workspace=demo',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: '=1+2 Formula', org: '@SUM(A1), Inc' }),
    });
    expect(r.statusCode, r.body).toBe(201);
    await projected(store, readModels);
    const csv = (await get('/api/contacts?workspace=demo&format=csv&search=formula')).body;
    expect(csv).toContain(`'=1+2 Formula`);
    expect(csv).toContain(`"'@SUM(A1), Inc"`);
    expect(csv).not.toMatch(/(^|,)[=@+-]/m);
  });
});

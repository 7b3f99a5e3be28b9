import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiWiring } from '../support/api-deps.ts';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { WrongExpectedRevisionError, type EventStore } from '../../src/eventstore/port.ts';
import { systemClock } from '../../src/app/clock.ts';
import type { AppContext } from '../../src/app/handle.ts';
import { execute } from '../../src/app/handle.ts';
import { workspaceAggregate } from '../../src/app/aggregates.ts';
import { decideWorkspace } from '../../src/domain/workspace.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { openReadModels, readModelNames, type ReadModels } from '../../src/read-models/queries.ts';
import { silentLog } from '../support/tally-log.ts';
import { startProjectorWorker } from '../../workers/projector.ts';
import { createRedis } from '../../src/infra/redis.ts';
import { createQueues, type Queues } from '../../src/infra/queue/scheduler.ts';
import { signUnsubscribeToken } from '../../src/infra/crypto/unsubscribe-token.ts';
import { buildServer, BODY_LIMIT, type ApiServer } from '../../src/api/server.ts';
import type { ApiDeps } from '../../src/api/context.ts';
import { describe as describeError } from '../../src/api/errors.ts';
import { resolveApiToken, tokenMatches } from '../../src/api/auth.ts';
import { OutreachError } from '../../src/domain/errors.ts';
import { REDIS_URL, deleteKeys, testPrefix } from '../support/pipeline.ts';
import { projected as waitForProjections } from '../support/projections.ts';

const TOKEN = 'api-test-token-0123456789abcdef';
const SECRET = 'api-test-secret-key-that-is-long-enough';
const auth = { authorization: `Bearer ${TOKEN}` };
const json = (body: unknown, extra: Record<string, string> = {}) => ({ ...auth, 'content-type': 'application/json', ...extra, payload: body });

let dir: string;
let store: EventStore;
let readModels: ReadModels;
let projector: Awaited<ReturnType<typeof startProjectorWorker>>;
let redis: Redis;
let queues: Queues;
let prefix: string;
let app: ApiServer;
let deps: ApiDeps;
const others: { close(): Promise<unknown> }[] = [];

const ctxFor = (workspaceId: string): AppContext => ({ store, clock: systemClock, workspaceId, actor: 'test' });

const projected = () => waitForProjections(store, readModels);

async function lastEvent(type: string) {
  const all = await store.readAll({ maxCount: 100_000 });
  return all.filter((e) => e.type === type).at(-1);
}

type Injected = { statusCode: number; headers: Record<string, unknown>; body: string; json(): any };
async function call(
  method: string,
  url: string,
  opts: { headers?: Record<string, string>; payload?: unknown } | (Record<string, string> & { payload?: unknown }) = {},
  server: ApiServer = app,
): Promise<Injected> {
  const { payload, headers, ...rest } = opts as { payload?: unknown; headers?: Record<string, string> } & Record<string, string>;
  return server.inject({
    method: method as 'GET',
    url,
    headers: { ...(headers ?? rest) },
    ...(payload === undefined ? {} : { payload: payload as string }),
  }) as unknown as Promise<Injected>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outreach-api-'));
  store = openSqliteEventStore(join(dir, 'events.db'));
  await seedDemo(ctxFor('demo'));
  await seedDemo(ctxFor('coach-b'));
  readModels = openReadModels(dir);
  projector = await startProjectorWorker({ store, dataDir: dir, log: silentLog });
  await projector.caughtUp;
  prefix = testPrefix();
  redis = createRedis(REDIS_URL, 'producer');
  await redis.connect();
  queues = createQueues(redis, prefix);
  deps = { store, readModels, clock: systemClock, defaultWorkspace: 'demo', redis, ...apiWiring(SECRET, queues) };
  app = await buildServer(deps, { token: TOKEN, log: () => undefined });
  await projected();
}, 60_000);

afterAll(async () => {
  await app?.close();
  for (const o of others) await o.close().catch(() => undefined);
  await projector?.stop();
  if (queues) await Promise.all(Object.values(queues).map((q) => q.close()));
  redis?.disconnect();
  if (prefix) await deleteKeys(prefix);
  readModels?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('authentication', () => {
  it('401 without a token, with a wrong one, or with another scheme', async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-wrong-token' },
      { authorization: `Basic ${TOKEN}` },
      { authorization: 'Bearer ' },
    ];
    for (const headers of variants) {
      const r = await call('GET', '/api/dashboard', { headers });
      expect(r.statusCode).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(r.json().error.code).toBe('unauthorized');
    }
  });

  it('every protected surface asks for the token: API, commands, docs, metrics, queue board', async () => {
    for (const [method, url] of [
      ['GET', '/api/contacts'],
      ['POST', '/api/contacts'],
      ['GET', '/docs'],
      ['GET', '/docs/json'],
      ['GET', '/metrics'],
      ['GET', '/queues'],
      ['GET', '/api/queues'],
      ['GET', '/api/workspaces'],
    ]) {
      expect((await call(method!, url!)).statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('health, readiness, unsubscribe and the dashboard shell need no token', async () => {
    expect((await call('GET', '/healthz')).statusCode).toBe(200);
    expect((await call('GET', '/readyz')).statusCode).toBe(200);
    expect((await call('GET', '/')).statusCode).toBe(200);
    expect((await call('GET', '/dashboard/app.js')).statusCode).toBe(200);
    expect((await call('GET', '/u/not-a-token')).statusCode).toBe(400);
  });

  it('a browser logs in by posting a token: a session cookie (HttpOnly, SameSite=Strict, no token in it) that works until logout', async () => {
    const r = await call('POST', '/api/session', json({ token: TOKEN }));
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ role: 'admin', workspaces: 'all' });
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/^outreach_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect(cookie).not.toContain(TOKEN);
    const pair = cookie.split(';')[0]!;
    expect((await call('GET', '/api/dashboard', { headers: { cookie: pair } })).statusCode).toBe(200);
    expect((await call('GET', '/api/session', { headers: { cookie: pair } })).json()).toMatchObject({ role: 'admin', via: 'session' });
    // The old cookie, holding the token itself, is no longer a way in.
    expect((await call('GET', '/api/dashboard', { headers: { cookie: `outreach_token=${TOKEN}` } })).statusCode).toBe(401);
    const out = await call('DELETE', '/api/session', {
      headers: { cookie: pair, origin: 'http://localhost:80', host: 'localhost:80', 'x-requested-with': 'test' },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/outreach_session=; .*Max-Age=0/);
    expect((await call('GET', '/api/dashboard', { headers: { cookie: pair } })).statusCode).toBe(401);
  });

  it('a wrong token makes no session, and ?token= in a link is ignored (no cookie, no redirect)', async () => {
    const r = await call('POST', '/api/session', json({ token: 'wrong-token-wrong-token' }));
    expect(r.statusCode).toBe(401);
    expect(r.headers['set-cookie']).toBeUndefined();
    const link = await call('GET', `/?token=${encodeURIComponent(TOKEN)}`);
    expect(link.statusCode).toBe(200);
    expect(link.headers['set-cookie']).toBeUndefined();
  });

  it('compares digests in constant time, and refuses to run open on a public address', () => {
    const expected = createHash('sha256').update(TOKEN).digest();
    expect(tokenMatches(TOKEN, expected)).toBe(true);
    expect(tokenMatches(`${TOKEN}x`, expected)).toBe(false);
    expect(tokenMatches('', expected)).toBe(false);
    expect(() => resolveApiToken({}, '0.0.0.0')).toThrow(/OUTREACH_API_TOKEN/);
    expect(() => resolveApiToken({ OUTREACH_API_TOKEN: 'short' }, '127.0.0.1')).toThrow(/at least 16/);
    const local = resolveApiToken({}, '127.0.0.1');
    expect(local.generated).toBe(true);
    expect(local.token.length).toBeGreaterThanOrEqual(32);
    expect(resolveApiToken({ OUTREACH_API_TOKEN: TOKEN }, '0.0.0.0')).toEqual({ token: TOKEN, generated: false });
  });
});

describe('commands', () => {
  let contactId: string;
  let meetingId: string;

  it('POST /api/workspace configures the workspace named by X-Workspace; actor api', async () => {
    const r = await call(
      'POST',
      '/api/workspace',
      json(
        {
          ownerName: 'Pat Jones',
          ownerEmail: 'pat@example.com',
          objective: 'Move into data engineering',
          timezone: 'Europe/Paris',
          businessHours: '08:30-17:00',
        },
        { 'x-workspace': 'api-ws' },
      ),
    );
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ workspace: 'api-ws', events: ['WorkspaceConfigured'] });
    const e = await lastEvent('WorkspaceConfigured');
    expect(e?.stream).toBe('workspace-api-ws');
    expect(e?.metadata).toMatchObject({ workspaceId: 'api-ws', actor: 'api' });
  });

  it('POST /api/contacts adds a contact: 201, Location, in the workspace of the body', async () => {
    const r = await call(
      'POST',
      '/api/contacts',
      json({ workspace: 'api-ws', name: 'Ada Lovelace', email: 'ada@example.org', org: 'Analytical', level: 'senior', industry: 'software', tag: ['math'] }),
    );
    expect(r.statusCode).toBe(201);
    contactId = r.json().id;
    expect(r.headers['location']).toBe(`/api/contacts/${contactId}`);
    expect(r.json()).toMatchObject({ workspace: 'api-ws', name: 'Ada Lovelace', organisation: 'Analytical', tags: ['math'] });
    const e = await lastEvent('ContactAdded');
    expect(e?.metadata).toMatchObject({ workspaceId: 'api-ws', actor: 'api' });
    const shown = await call('GET', `/api/contacts/${contactId}?workspace=api-ws`, { headers: auth });
    expect(shown.statusCode).toBe(200);
    expect(shown.json().details.name).toBe('Ada Lovelace');
  });

  it('every contact command, with the id from the path', async () => {
    const h = { 'x-workspace': 'api-ws' };
    expect((await call('PATCH', `/api/contacts/${contactId}`, json({ role: 'Engineer' }, h))).json().events).toEqual(['ContactDetailsChanged']);
    expect((await call('POST', `/api/contacts/${contactId}/notes`, json({ text: 'Wrote the first program' }, h))).json().events).toEqual(['ResearchNoteAdded']);
    expect((await call('POST', `/api/contacts/${contactId}/questions`, json({ question: ['How did you start?', 'Who else?'] }, h))).json().events).toEqual([
      'QuestionsPrepared',
    ]);
    expect((await call('POST', `/api/contacts/${contactId}/reply`, json({ summary: 'Happy to talk' }, h))).json().events).toEqual(['ReplyReceived']);
    expect((await call('POST', `/api/contacts/${contactId}/leads`, json({ description: 'An opening in the engine team' }, h))).json().events).toEqual([
      'JobLeadReported',
    ]);
    const other = (await call('POST', '/api/contacts', json({ name: 'Someone Else' }, h))).json().id;
    // No body at all, and an empty JSON body, both work for commands that need only the path's id.
    expect((await call('POST', `/api/contacts/${other}/opt-out`, { headers: { ...auth, ...h } })).json().events).toEqual(['ContactOptedOut']);
    expect(
      (await call('POST', `/api/contacts/${other}/forget`, { headers: { ...auth, ...h, 'content-type': 'application/json' }, payload: '' })).json().events,
    ).toEqual(['ContactForgotten']);
  });

  it('meeting commands: request (201), book, reschedule, held; cancel and no-show on others', async () => {
    const h = { 'x-workspace': 'api-ws' };
    const req = await call('POST', '/api/meetings', json({ contact: contactId, minutes: 20 }, h));
    expect(req.statusCode).toBe(201);
    meetingId = req.json().id;
    expect(req.headers['location']).toBe(`/api/meetings/${meetingId}`);
    const day = 86_400_000;
    const at = (ms: number) => new Date(Math.floor((Date.now() + ms) / 60_000) * 60_000).toISOString();
    expect(
      (await call('POST', `/api/meetings/${meetingId}/book`, json({ at: at(-2 * day), past: true, videoUrl: 'https://meet.example/x' }, h))).statusCode,
    ).toBe(200);
    // A move into the past is a typo unless it says `past`, as a booking is: one 400 naming `at`, nothing stored.
    const moves = async () => (await store.readStream(`meeting-${meetingId}`)).filter((e) => e.type === 'MeetingRescheduled').length;
    const typo = await call('POST', `/api/meetings/${meetingId}/reschedule`, json({ at: at(-day) }, h));
    expect([typo.statusCode, typo.json().error.field]).toEqual([400, 'at']);
    expect(await moves()).toBe(0);
    expect((await call('POST', `/api/meetings/${meetingId}/reschedule`, json({ at: at(-day), past: true }, h))).json().events).toEqual(['MeetingRescheduled']);
    const held = await call('POST', `/api/meetings/${meetingId}/held`, json({ at: at(-day + 25 * 60_000), minutes: 25, referrals: 2 }, h));
    expect(held.json().events, held.body).toEqual(['MeetingHeld']);
    expect((await lastEvent('MeetingHeld'))?.metadata['actor']).toBe('api');
    expect((await call('GET', `/api/meetings/${meetingId}`, { headers: { ...auth, ...h } })).json().status).toBeDefined();

    const c2 = (await call('POST', '/api/contacts', json({ name: 'Cancel Me', email: 'c@example.org' }, h))).json().id;
    const m2 = (await call('POST', '/api/meetings', json({ contact: c2, minutes: 15 }, h))).json().id;
    expect((await call('POST', `/api/meetings/${m2}/cancel`, json({ by: 'contact', reason: 'busy' }, h))).json().events).toEqual(['MeetingCancelled']);
    const c3 = (await call('POST', '/api/contacts', json({ name: 'No Show', email: 'n@example.org' }, h))).json().id;
    const m3 = (await call('POST', '/api/meetings', json({ contact: c3, minutes: 15 }, h))).json().id;
    await call('POST', `/api/meetings/${m3}/book`, json({ at: '2030-01-09T10:00:00Z' }, h));
    expect((await call('POST', `/api/meetings/${m3}/no-show`, { headers: { ...auth, ...h } })).json().events).toEqual(['MeetingNoShow']);
  });

  it('CSV import takes the file as text/csv and runs as a job: 202, then GET /api/imports/:id', async () => {
    const csv = 'name,email,org\nGrace Hopper,grace@example.org,Navy\nAlan Turing,alan@example.org,NPL\n';
    const r = await call('POST', '/api/contacts/import', { headers: { ...auth, 'content-type': 'text/csv', 'x-workspace': 'api-ws' }, payload: csv });
    expect(r.statusCode).toBe(202);
    expect(r.headers['location']).toBe(`/api/imports/${r.json().id}`);
    expect(r.json()).toMatchObject({ workspace: 'api-ws', state: expect.stringMatching(/running|done/) });
    let job = r.json();
    for (let i = 0; i < 200 && job.state === 'running'; i++) {
      await new Promise((res) => setTimeout(res, 10));
      job = (await call('GET', String(r.headers['location']), { headers: auth })).json();
    }
    expect(job).toMatchObject({ state: 'done', rows: 2, processed: 2, report: { imported: 2, duplicates: 0, rejected: [] } });
  });

  it('400 with the field, as the CLI names it', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/contacts', {}, 'name'],
      ['POST', '/api/contacts', { name: 'A', email: 'not-an-address' }, 'email'],
      ['POST', '/api/contacts', { name: 'A', nickname: 'x' }, 'nickname'],
      ['POST', '/api/contacts', { name: 'A', level: 'intern' }, 'level'],
      ['POST', '/api/meetings', { contact: 'nope', minutes: 20 }, 'contact'],
      ['POST', '/api/meetings', { contact: contactId, minutes: 45 }, 'minutes'],
      ['POST', `/api/meetings/${meetingId}/held`, { at: 'yesterday', minutes: 20 }, 'at'],
      ['POST', `/api/contacts/${contactId}/questions`, {}, 'question'],
      ['POST', '/api/contacts/not-a-uuid/notes', { text: 'x' }, 'contact'],
      ['POST', `/api/contacts/${contactId}/notes`, { text: 'x', contact: '0190a0a0-0000-7000-8000-000000000000' }, 'contact'],
      ['PATCH', `/api/contacts/${contactId}`, {}, 'body'],
      ['POST', '/api/workspace', { dailyLimit: 0 }, 'dailyLimit'],
      ['POST', '/api/contacts', [1, 2], 'body'],
      ['POST', '/api/contacts', { name: 'A', workspace: 'bad id!' }, 'workspace'],
    ];
    for (const [method, url, body, field] of cases) {
      const r = await call(method, url, json(body, { 'x-workspace': 'api-ws' }));
      expect(r.statusCode, `${method} ${url} ${JSON.stringify(body)}: ${r.body}`).toBe(400);
      const error = r.json().error;
      expect(error.code).toBe('validation');
      expect(error.field, `${method} ${url}`).toBe(field);
      expect(typeof error.message).toBe('string');
    }
    const mixed = await call('POST', '/api/contacts', json({ name: 'A', workspace: 'other' }, { 'x-workspace': 'api-ws' }));
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().error).toMatchObject({ field: 'workspace', message: expect.stringMatching(/different/) });
    const badJson = await call('POST', '/api/contacts', { headers: { ...auth, 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error).toMatchObject({ code: 'validation', field: 'body' });
  });

  it('404 for a contact or meeting that does not exist, or lives in another workspace, and for unknown routes', async () => {
    const missing = '0190a0a0-0000-7000-8000-000000000001';
    for (const [method, url, body] of [
      ['POST', `/api/contacts/${missing}/notes`, { text: 'x' }],
      ['PATCH', `/api/contacts/${missing}`, { name: 'Y' }],
      ['POST', `/api/meetings/${missing}/book`, { at: '2030-01-07T10:00:00Z' }],
      ['POST', '/api/meetings', { contact: missing, minutes: 20 }],
      ['GET', `/api/contacts/${missing}`, undefined],
      ['GET', `/api/meetings/${missing}`, undefined],
    ] as const) {
      const r = await call(method, url, body === undefined ? { headers: { ...auth, 'x-workspace': 'api-ws' } } : json(body, { 'x-workspace': 'api-ws' }));
      expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(404);
      expect(r.json().error.code).toBe('not_found');
    }
    // The contact exists, but in api-ws: from the demo workspace it is not there.
    expect((await call('POST', `/api/contacts/${contactId}/notes`, json({ text: 'x' }, { 'x-workspace': 'demo' }))).statusCode).toBe(404);
    expect((await call('GET', '/api/no-such-thing', { headers: auth })).statusCode).toBe(404);
    expect((await call('GET', '/api/workspaces/never-made/calendar', { headers: auth })).statusCode).toBe(404);
  });

  it('409 when the state refuses the command (illegal_state)', async () => {
    const h = { 'x-workspace': 'api-ws' };
    const c = (await call('POST', '/api/contacts', json({ name: 'Early Bird', email: 'e@example.org' }, h))).json().id;
    const m = (await call('POST', '/api/meetings', json({ contact: c, minutes: 20 }, h))).json().id;
    const held = await call('POST', `/api/meetings/${m}/held`, json({ at: '2030-01-08T10:25:00Z', minutes: 25 }, h));
    expect(held.statusCode).toBe(409);
    expect(held.json().error.code).toBe('illegal_state');
    const second = await call('POST', '/api/meetings', json({ contact: c, minutes: 20 }, h));
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('illegal_state');
    // A workspace that was never configured is not made by naming it: nothing is stored.
    const before = (await store.readAll({ maxCount: 100_000 })).length;
    const loose = await call('POST', '/api/contacts', json({ name: 'Loose' }, { 'x-workspace': 'unconfigured' }));
    expect(loose.statusCode).toBe(404);
    expect(loose.json().error).toMatchObject({ code: 'not_found', field: 'workspace' });
    expect((await store.readAll({ maxCount: 100_000 })).length).toBe(before);
  });

  it('409 when the stream keeps changing under the command (conflict)', async () => {
    const busy: EventStore = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'append')
          return async (stream: string) => {
            throw new WrongExpectedRevisionError(stream, 0, 1);
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const server = await buildServer({ ...deps, store: busy }, { token: TOKEN, log: () => undefined });
    others.push(server);
    const r = await call('POST', `/api/contacts/${contactId}/notes`, json({ text: 'x' }, { 'x-workspace': 'api-ws' }), server);
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('conflict');
    expect(describeError(new OutreachError('conflict', 'x')).status).toBe(409);
    expect(describeError(new OutreachError('illegal_state', 'x')).status).toBe(409);
  });

  it('413 for a body over the limit (256 KB), 415 for a body that is not JSON', async () => {
    const big = await call('POST', `/api/contacts/${contactId}/notes`, json({ text: 'x'.repeat(BODY_LIMIT) }, { 'x-workspace': 'api-ws' }));
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('too_large');
    const xml = await call('POST', '/api/contacts', { headers: { ...auth, 'content-type': 'application/xml' }, payload: '<contact/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error.code).toBe('unsupported_media_type');
  });

  it('413 over real HTTP too, before the body is read to the end', async () => {
    const server = await buildServer(deps, { token: TOKEN, log: () => undefined });
    others.push(server);
    await server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.server.address() as { port: number };
    const r = await fetch(`http://127.0.0.1:${port}/api/contacts`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-workspace': 'api-ws' },
      body: JSON.stringify({ name: 'Big', notes: 'y'.repeat(300 * 1024) }),
    });
    expect(r.status).toBe(413);
    expect((await r.json()).error.code).toBe('too_large');
  });
});

describe('read models', () => {
  it('GET /api/<name> for every read model: rows, total, paging, workspace filter', async () => {
    await projected();
    for (const name of readModelNames) {
      const all = await call('GET', `/api/${name}?limit=500`, { headers: auth });
      expect(all.statusCode, `${name}: ${all.body}`).toBe(200);
      const body = all.json();
      expect(body).toMatchObject({ name, workspace: null, limit: 500, offset: 0 });
      expect(body.rows.length).toBeLessThanOrEqual(body.total);
      const one = await call('GET', `/api/${name}?workspace=demo&limit=500`, { headers: auth });
      expect(one.statusCode).toBe(200);
      expect(one.json().total).toBeLessThanOrEqual(body.total);
    }
    const contacts = (await call('GET', '/api/contacts?workspace=demo&limit=500', { headers: auth })).json();
    expect(contacts.total).toBe(13);
    const page = (await call('GET', '/api/contacts?workspace=demo&limit=5&offset=10', { headers: auth })).json();
    expect(page.rows).toHaveLength(3);
    expect(page.total).toBe(13);
    const both = (await call('GET', '/api/contacts?limit=1', { headers: auth })).json();
    expect(both.total).toBeGreaterThanOrEqual(26);
    expect(both.rows).toHaveLength(1);
  });

  it('400 for paging out of bounds or a bad workspace', async () => {
    for (const q of ['limit=0', 'limit=501', 'limit=abc', 'offset=-1', 'limit=2.5', 'workspace=bad%20id']) {
      const r = await call('GET', `/api/pipeline?${q}`, { headers: auth });
      expect(r.statusCode, q).toBe(400);
      expect(r.json().error.field).toBe(q.split('=')[0]);
    }
  });

  it('GET /api/dashboard: the figures, for one workspace and across workspaces', async () => {
    await projected();
    const one = await call('GET', '/api/dashboard?workspace=demo', { headers: auth });
    expect(one.statusCode).toBe(200);
    const d = one.json();
    for (const key of [
      'funnel',
      'totals',
      'meetingsPerWeek',
      'thankYouLatency',
      'referralsPerInterview',
      'levelsByIndustry',
      'agenda',
      'followUpsDue',
      'overruns',
      'jobLeads',
    ])
      expect(d).toHaveProperty(key);
    expect(d.workspaceId).toBe('demo');
    expect(d.totals.added).toBe(13);
    expect(d.referralsPerInterview.target).toBe(2);
    const all = (await call('GET', '/api/dashboard', { headers: auth })).json();
    expect(all.workspaceId).toBeNull();
    expect(all.totals.added).toBeGreaterThan(d.totals.added);
    expect((await call('GET', '/api/dashboard?workspace=no%20spaces', { headers: auth })).statusCode).toBe(400);
  });

  it('workspaces and their calendar connection', async () => {
    await projected();
    const list = (await call('GET', '/api/workspaces', { headers: auth })).json().workspaces as { workspaceId: string }[];
    expect(list.map((w) => w.workspaceId)).toEqual(expect.arrayContaining(['demo', 'coach-b']));
    expect((await call('GET', '/api/workspaces/demo/calendar', { headers: auth })).json()).toMatchObject({ workspaceId: 'demo', connected: false });
    await execute(ctxFor('demo'), workspaceAggregate, 'demo', ({ state }) =>
      decideWorkspace({ type: 'ConnectCalendar', calendarId: 'primary', now: systemClock() }, state),
    );
    expect((await call('GET', '/api/workspaces/demo/calendar', { headers: auth })).json()).toMatchObject({ connected: true, calendarId: 'primary' });
    expect((await call('GET', '/api/workspaces/demo', { headers: auth })).json()).toMatchObject({ configured: true, config: { ownerName: 'Sam Rivera' } });
    expect((await call('GET', '/api/workspaces/bad%20id/calendar', { headers: auth })).statusCode).toBe(400);
  });

  it("GET /api/projections gives each projection's lag", async () => {
    const r = (await call('GET', '/api/projections', { headers: auth })).json();
    expect(r.head).toBeGreaterThan(0);
    expect(r.projections.length).toBeGreaterThan(0);
  });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  let contact: string;
  let token: string;
  const optOuts = async () => (await store.readStream(`contact-${contact}`)).filter((e) => e.type === 'ContactOptedOut');

  beforeAll(async () => {
    const r = await call('POST', '/api/contacts', json({ name: 'Reader', email: 'reader@example.org' }, { 'x-workspace': 'api-ws' }));
    contact = r.json().id;
    token = signUnsubscribeToken({ workspaceId: 'api-ws', contactId: contact }, SECRET);
  });

  it('GET shows a form that posts to itself and changes nothing', async () => {
    const r = await call('GET', `/u/${token}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toContain(`<form method="post" action="/u/${token}">`);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(await optOuts()).toHaveLength(0);
  });

  it('POST with List-Unsubscribe=One-Click opts out (no token, no redirect); a second POST changes nothing', async () => {
    const post = () => call('POST', `/u/${token}`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    const first = await post();
    expect(first.statusCode).toBe(200);
    expect(first.headers['location']).toBeUndefined();
    expect(first.body).toContain('unsubscribed');
    const events = await optOuts();
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ source: 'unsubscribe-link' });
    expect(events[0]!.metadata).toMatchObject({ actor: 'api', workspaceId: 'api-ws' });
    expect((await post()).statusCode).toBe(200);
    // multipart, as some clients send it, and no body at all
    expect(
      (
        await call('POST', `/u/${token}`, {
          headers: { 'content-type': 'multipart/form-data; boundary=x' },
          payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
        })
      ).statusCode,
    ).toBe(200);
    expect((await call('POST', `/u/${token}`)).statusCode).toBe(200);
    expect(await optOuts()).toHaveLength(1);
  });

  it('a forgotten contact gets the same answer', async () => {
    const c = (await call('POST', '/api/contacts', json({ name: 'Gone' }, { 'x-workspace': 'api-ws' }))).json().id;
    await call('POST', `/api/contacts/${c}/forget`, { headers: { ...auth, 'x-workspace': 'api-ws' } });
    const t = signUnsubscribeToken({ workspaceId: 'api-ws', contactId: c }, SECRET);
    expect(
      (await call('POST', `/u/${t}`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })).statusCode,
    ).toBe(200);
  });

  it('400 for a token that does not verify: tampered, another key, garbage', async () => {
    const other = signUnsubscribeToken({ workspaceId: 'api-ws', contactId: contact }, 'another-secret-key-that-is-long-enough');
    const [v, payload, mac] = token.split('.') as [string, string, string];
    const tampered = `${v}.${Buffer.from(JSON.stringify({ w: 'demo', c: contact })).toString('base64url')}.${mac}`;
    for (const t of [other, tampered, `${v}.${payload}.${mac.slice(0, -2)}AA`, 'garbage']) {
      for (const method of ['GET', 'POST']) {
        const r = await call(
          method,
          `/u/${encodeURIComponent(t)}`,
          method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' } : {},
        );
        expect(r.statusCode, `${method} ${t}`).toBe(400);
      }
    }
  });
});

describe('operations', () => {
  it('/healthz answers while the process is up', async () => {
    const r = await call('GET', '/healthz');
    expect(r.json()).toMatchObject({ status: 'ok' });
  });

  it('/readyz is 200 when the store and Redis answer', async () => {
    const r = await call('GET', '/readyz');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ready', checks: { eventStore: { ok: true }, redis: { ok: true } } });
  });

  it('/readyz is 503, and the queue views too, when Redis is not reachable; the rest keeps working', async () => {
    const down = createRedis('redis://127.0.0.1:1', 'producer', { retryStrategy: () => 1000 });
    down.connect().catch(() => undefined);
    const downQueues = createQueues(down, prefix);
    for (const q of Object.values(downQueues)) q.on('error', () => undefined);
    const server = await buildServer({ ...deps, redis: down, ...apiWiring(SECRET, downQueues) }, { token: TOKEN, log: () => undefined });
    others.push({
      close: async () => {
        await server.close();
        down.disconnect();
      },
    });
    const r = await call('GET', '/readyz', {}, server);
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ status: 'unavailable', checks: { eventStore: { ok: true }, redis: { ok: false } } });
    expect((await call('GET', '/api/queues', { headers: auth }, server)).statusCode).toBe(503);
    expect((await call('GET', '/api/dashboard', { headers: auth }, server)).statusCode).toBe(200);
    const metrics = await call('GET', '/metrics', { headers: auth }, server);
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/^outreach_redis_up 0$/m);
  });

  it('/readyz is 503 when the event store does not answer', async () => {
    const broken: EventStore = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'headPosition')
          return async () => {
            throw new Error('database is locked');
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const server = await buildServer({ ...deps, store: broken }, { token: TOKEN, log: () => undefined });
    others.push(server);
    const r = await call('GET', '/readyz', {}, server);
    expect(r.statusCode).toBe(503);
    expect(r.json().checks.eventStore).toMatchObject({ ok: false, error: 'database is locked' });
  });

  it('/api/queues gives counts per queue and state', async () => {
    await queues.email.add('thank-you', { key: 'x' }, { jobId: 'thank-you.api-test', delay: 60_000 });
    const r = await call('GET', '/api/queues', { headers: auth });
    expect(r.statusCode).toBe(200);
    const email = r.json().queues.find((q: { queue: string }) => q.queue === 'email');
    expect(email.counts.delayed).toBe(1);
  });

  it('/metrics: queue depths, job durations, projection lag, emails sent/bounced/deferred', async () => {
    // A finished job for the duration histogram, and one a worker deferred (started, not counted as an attempt).
    const { Worker, DelayedError } = await import('bullmq');
    const conn = createRedis(REDIS_URL, 'worker');
    let deferredOnce = false;
    const worker = new Worker(
      'email',
      async (job, token) => {
        if (job.name === 'defer' && !deferredOnce) {
          deferredOnce = true;
          await job.moveToDelayed(Date.now() + 60_000, token);
          throw new DelayedError();
        }
        await new Promise((r) => setTimeout(r, 20));
        return 'ok';
      },
      { connection: conn, prefix },
    );
    try {
      await queues.email.add('done', { key: 'y' }, { jobId: 'done.api-test' });
      await queues.email.add('defer', { key: 'z' }, { jobId: 'defer.api-test' });
      for (let i = 0; i < 200; i++) {
        const c = await queues.email.getJobCounts('completed', 'delayed');
        if ((c['completed'] ?? 0) >= 1 && deferredOnce && (c['delayed'] ?? 0) >= 2) break;
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await worker.close();
      conn.disconnect();
    }
    const r = await call('GET', '/metrics', { headers: auth });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    const text = r.body;
    expect(text).toMatch(/^outreach_redis_up 1$/m);
    expect(text).toMatch(/^outreach_queue_jobs\{queue="email",state="delayed"\} 2$/m);
    expect(text).toMatch(/^outreach_queue_jobs\{queue="calendar",state="waiting"\} 0$/m);
    expect(text).toMatch(/^outreach_job_duration_seconds_count\{queue="email"\} 1$/m);
    expect(text).toMatch(/^outreach_emails_deferred 1$/m);
    expect(text).toMatch(/^outreach_projection_lag_events\{projection="[^"]+"\} \d+$/m);
    expect(text).toMatch(/^outreach_event_log_head_position [1-9]\d*$/m);
    expect(text).toMatch(/^outreach_emails_sent_total\{kind="thank_you"\} 0$/m);
    expect(text).toMatch(/^outreach_emails_bounced_total 0$/m);
    expect(text).toMatch(/^outreach_http_request_duration_seconds_count\{method="GET",route="\/api\/dashboard",status="200"\} \d+$/m);
    // A second scrape does not count the same job twice.
    const again = (await call('GET', '/metrics', { headers: auth })).body;
    expect(again).toMatch(/^outreach_job_duration_seconds_count\{queue="email"\} 1$/m);
  });

  it('emails sent and bounced are counted from the result events in the log', async () => {
    const before = (await call('GET', '/metrics', { headers: auth })).body;
    const count = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    const thanks = /^outreach_emails_sent_total\{kind="thank_you"\} (\d+)$/m;
    const bounces = /^outreach_emails_bounced_total (\d+)$/m;
    const log = await store.readAll({ maxCount: 100_000 });
    const meetings = log.filter((e) => e.type === 'MeetingHeld').slice(0, 2);
    for (const m of meetings) {
      await store.append(m.stream, [
        {
          id: randomUUID(),
          type: 'ThankYouSent',
          data: { messageId: `<${randomUUID()}@x>`, sentAt: systemClock() },
          metadata: { ...m.metadata, actor: 'email-worker' },
        },
      ]);
    }
    const added = log.find((e) => e.type === 'ContactAdded')!;
    await store.append(added.stream, [
      {
        id: randomUUID(),
        type: 'EmailBounced',
        data: { effect: 'thank-you:x', email: 'a@example.org', code: 550, reason: 'no such user', bouncedAt: systemClock() },
        metadata: { ...added.metadata, actor: 'email-worker' },
      },
    ]);
    const after = (await call('GET', '/metrics', { headers: auth })).body;
    expect(count(after, thanks) - count(before, thanks)).toBe(2);
    expect(count(after, bounces) - count(before, bounces)).toBe(1);
  });

  it('the queue board is served at /queues behind the token', async () => {
    const r = await call('GET', '/queues', { headers: auth });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatch(/<html/i);
    const api = await call('GET', '/queues/api/queues?activeQueue=email&status=delayed&page=1', { headers: auth });
    expect(api.statusCode).toBe(200);
    expect(JSON.stringify(api.json())).toContain('email');
  });

  it('OpenAPI at /docs and /docs/json lists the commands and read models', async () => {
    expect((await call('GET', '/docs', { headers: auth })).statusCode).toBeLessThan(400);
    const spec = (await call('GET', '/docs/json', { headers: auth })).json();
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of ['/api/contacts', '/api/contacts/{id}/notes', '/api/meetings/{id}/held', '/api/dashboard', '/api/pipeline', '/u/{token}', '/metrics']) {
      expect(spec.paths, path).toHaveProperty([path]);
    }
    expect(spec.paths['/api/contacts'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('name');
    expect(spec.paths['/api/contacts/{id}/notes'].post.requestBody.content['application/json'].schema.properties).not.toHaveProperty('contact');
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

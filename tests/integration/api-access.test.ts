/**
 * Who may see and do what through the API, and how a browser session is kept from being used by
 * another site: one regression test per finding of the security review (issue 16).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiWiring } from '../support/api-deps.ts';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { systemClock } from '../../src/app/clock.ts';
import type { AppContext } from '../../src/app/handle.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { configureWorkspace } from '../../src/app/workspace-commands.ts';
import { addContact } from '../../src/app/contact-commands.ts';
import { openReadModels, type ReadModels } from '../../src/read-models/queries.ts';
import { silentLog } from '../support/tally-log.ts';
import { startProjectorWorker } from '../../workers/projector.ts';
import { buildServer, type ApiServer } from '../../src/api/server.ts';
import type { ApiDeps } from '../../src/api/context.ts';
import { projected as waitForProjections } from '../support/projections.ts';

const ADMIN = 'access-test-admin-token-0123456789';
const SECRET = 'access-test-secret-key-long-enough';

let dir: string;
let store: EventStore;
let readModels: ReadModels;
let projector: Awaited<ReturnType<typeof startProjectorWorker>>;
let deps: ApiDeps;
let app: ApiServer;
const tokens: Record<'sam' | 'jo' | 'coach' | 'coachAll' | 'admin', string> = { sam: '', jo: '', coach: '', coachAll: '', admin: '' };
let joContact: string;

const ctxFor = (workspaceId: string): AppContext => ({ store, clock: systemClock, workspaceId, actor: 'test' });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

type Answer = { statusCode: number; headers: Record<string, unknown>; body: string; json(): any };
const call = (method: string, url: string, headers: Record<string, string> = {}, payload?: unknown, server: ApiServer = app): Promise<Answer> =>
  server.inject({
    method: method as 'GET',
    url,
    headers: payload === undefined || headers['content-type'] ? headers : { 'content-type': 'application/json', ...headers },
    ...(payload === undefined ? {} : { payload: payload as string }),
  }) as unknown as Promise<Answer>;

const eventCount = async () => (await store.readAll({ maxCount: 1_000_000 })).length;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outreach-access-'));
  store = openSqliteEventStore(join(dir, 'events.db'));
  await seedDemo(ctxFor('sam'));
  await seedDemo(ctxFor('jo'));
  await configureWorkspace(ctxFor('jo'), { ownerName: 'Jo Other' });
  await seedDemo(ctxFor('kim'));
  joContact = (await addContact(ctxFor('jo'), { name: 'Only Jo Knows', email: 'secret@jo.example' })).id;
  readModels = openReadModels(dir);
  projector = await startProjectorWorker({ store, dataDir: dir, log: silentLog });
  await projector.caughtUp;
  deps = { store, readModels, clock: systemClock, defaultWorkspace: 'sam', redis: null, ...apiWiring(SECRET, null) };
  const now = systemClock();
  const make = (role: 'admin' | 'coach' | 'seeker', workspaces: 'all' | string[]) =>
    deps.access.createToken({ role, workspaces, name: null, expiresAt: null }, now).token;
  tokens.sam = make('seeker', ['sam']);
  tokens.jo = make('seeker', ['jo']);
  tokens.coach = make('coach', ['sam', 'jo']);
  tokens.coachAll = make('coach', 'all');
  tokens.admin = make('admin', 'all');
  app = await buildServer(deps, { token: ADMIN, log: () => undefined });
  await waitForProjections(store, readModels);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await projector?.stop();
  deps?.access.close();
  readModels?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('roles and scoped tokens', () => {
  it("a seeker's token cannot see another seeker: their reads, contacts, commands and workspace are 404", async () => {
    const h = bearer(tokens.sam);
    for (const url of [
      '/api/contacts?workspace=jo',
      '/api/dashboard?workspace=jo',
      '/api/pipeline?workspace=jo&limit=5',
      `/api/contacts/${joContact}?workspace=jo`,
      '/api/workspaces/jo',
      '/api/workspaces/jo/calendar',
    ]) {
      const r = await call('GET', url, h);
      expect(r.statusCode, url).toBe(404);
      expect(r.body, url).not.toContain('Only Jo Knows');
    }
    // Named by id in the seeker's own workspace, the other seeker's contact is not there either.
    expect((await call('GET', `/api/contacts/${joContact}`, h)).statusCode).toBe(404);
    const before = await eventCount();
    for (const [method, url, body] of [
      ['POST', '/api/contacts', { name: 'Intruder', workspace: 'jo' }],
      ['POST', `/api/contacts/${joContact}/notes`, { text: 'x', workspace: 'jo' }],
      ['POST', `/api/contacts/${joContact}/forget`, { workspace: 'jo' }],
      ['POST', '/api/workspace', { ownerName: 'Took Over', workspace: 'jo' }],
    ] as const) {
      expect((await call(method, url, h, body)).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await call('POST', `/api/contacts/${joContact}/notes`, { ...h, 'x-workspace': 'jo' }, { text: 'x' })).statusCode).toBe(404);
    expect(await eventCount()).toBe(before);
  });

  it('a seeker reads only their own workspace when naming none, and lists only it', async () => {
    const h = bearer(tokens.sam);
    const contacts = (await call('GET', '/api/contacts?limit=500', h)).json();
    expect(contacts.workspace).toBe('sam');
    expect(contacts.rows.every((r: { workspaceId: string }) => r.workspaceId === 'sam')).toBe(true);
    expect((await call('GET', '/api/dashboard', h)).json().workspaceId).toBe('sam');
    expect((await call('GET', '/api/workspaces', h)).json().workspaces.map((w: { workspaceId: string }) => w.workspaceId)).toEqual(['sam']);
    expect((await call('GET', '/api/session', h)).json()).toMatchObject({ role: 'seeker', workspaces: ['sam'] });
    const added = await call('POST', '/api/contacts', h, { name: 'Mine' });
    expect(added.statusCode).toBe(201);
    expect(added.json().workspace).toBe('sam');
  });

  it('only admins make workspaces and tokens, see the queue board; operations are for admins and coaches', async () => {
    for (const who of ['sam', 'coach', 'coachAll'] as const) {
      const h = bearer(tokens[who]);
      const made = await call(
        'POST',
        '/api/workspace',
        { ...h, 'x-workspace': 'newly-made' },
        { ownerName: 'N', ownerEmail: 'n@example.org', timezone: 'UTC', objective: 'x' },
      );
      expect(made.statusCode, who).toBe(who === 'coachAll' ? 403 : 404);
      expect((await call('POST', '/api/tokens', h, { role: 'seeker', workspace: ['sam'] })).statusCode, who).toBe(403);
      expect((await call('GET', '/api/tokens', h)).statusCode, who).toBe(403);
      expect((await call('GET', '/queues', h)).statusCode, who).toBe(403);
    }
    for (const url of ['/metrics', '/api/projections']) {
      expect((await call('GET', url, bearer(tokens.sam))).statusCode, url).toBe(403);
      expect((await call('GET', url, bearer(tokens.coach))).statusCode, url).toBe(200);
    }
    const made = await call(
      'POST',
      '/api/workspace',
      { ...bearer(tokens.admin), 'x-workspace': 'newly-made' },
      {
        ownerName: 'N',
        ownerEmail: 'n@example.org',
        timezone: 'UTC',
        objective: 'x',
      },
    );
    expect(made.statusCode).toBe(200);
    // A seeker may reconfigure their own workspace, which exists.
    expect((await call('POST', '/api/workspace', bearer(tokens.sam), { objective: 'Learn more' })).statusCode).toBe(200);
  });

  it('naming an unknown workspace makes nothing, whoever names it', async () => {
    const before = await eventCount();
    for (const token of [ADMIN, tokens.admin, tokens.coachAll]) {
      const r = await call('POST', '/api/contacts', { ...bearer(token), 'x-workspace': 'never-made' }, { name: 'Ghost' });
      expect(r.statusCode).toBe(404);
      expect(r.json().error.field).toBe('workspace');
    }
    expect(await eventCount()).toBe(before);
  });

  it('a coach reads and acts on their list of workspaces and nothing else, and names one when they have several', async () => {
    const h = bearer(tokens.coach);
    expect((await call('GET', '/api/contacts?workspace=jo', h)).statusCode).toBe(200);
    expect((await call('GET', '/api/contacts?workspace=sam', h)).statusCode).toBe(200);
    expect((await call('GET', '/api/contacts?workspace=kim', h)).statusCode).toBe(404);
    const unnamed = await call('GET', '/api/dashboard', h);
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json().error.field).toBe('workspace');
    expect((await call('POST', `/api/contacts/${joContact}/notes`, { ...h, 'x-workspace': 'jo' }, { text: 'Met at the fair' })).statusCode).toBe(200);
    const listed = (await call('GET', '/api/workspaces', h)).json().workspaces.map((w: { workspaceId: string }) => w.workspaceId);
    expect(listed.sort()).toEqual(['jo', 'sam']);
    // A coach of every workspace sees them all together.
    expect((await call('GET', '/api/dashboard', bearer(tokens.coachAll))).json().workspaceId).toBeNull();
  });

  it('a revoked or expired token stops at once, and so do the sessions made with it', async () => {
    const now = systemClock();
    const t = deps.access.createToken({ role: 'seeker', workspaces: ['sam'], name: 'laptop', expiresAt: null }, now);
    const login = await call('POST', '/api/session', {}, { token: t.token });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect((await call('GET', '/api/dashboard', { cookie })).statusCode).toBe(200);
    expect((await call('DELETE', `/api/tokens/${t.id}`, bearer(ADMIN))).statusCode).toBe(204);
    expect((await call('GET', '/api/dashboard', bearer(t.token))).statusCode).toBe(401);
    expect((await call('GET', '/api/dashboard', { cookie })).statusCode).toBe(401);
    expect((await call('DELETE', `/api/tokens/${t.id}`, bearer(ADMIN))).statusCode).toBe(404);
    const old = deps.access.createToken({ role: 'seeker', workspaces: ['sam'], name: null, expiresAt: new Date(Date.now() - 1000).toISOString() }, now);
    expect((await call('GET', '/api/dashboard', bearer(old.token))).statusCode).toBe(401);
  });

  it('an admin makes, lists and revokes tokens through the API; the token is shown once and never listed', async () => {
    const made = await call('POST', '/api/tokens', bearer(ADMIN), { role: 'coach', workspace: ['sam', 'jo'], name: 'Career centre', expires: 'P90D' });
    expect(made.statusCode).toBe(201);
    const { id, token } = made.json();
    expect(token).toMatch(/^otk_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(made.json().expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    const listed = (await call('GET', '/api/tokens', bearer(ADMIN))).json();
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(listed.tokens.find((t: { id: string }) => t.id === id)).toMatchObject({ role: 'coach', workspaces: ['sam', 'jo'], name: 'Career centre' });
    expect((await call('GET', '/api/contacts?workspace=jo', bearer(token))).statusCode).toBe(200);
    for (const [body, field] of [
      [{ role: 'seeker' }, 'workspace'],
      [{ role: 'seeker', workspace: ['a', 'b'] }, 'workspace'],
      [{ role: 'admin', workspace: ['a'] }, 'workspace'],
      [{ role: 'coach' }, 'workspace'],
      [{ role: 'root' }, 'role'],
      [{ role: 'coach', allWorkspaces: 'yes' }, 'allWorkspaces'],
      [{ role: 'seeker', workspace: 'sam' }, 'workspace'],
    ] as const) {
      const r = await call('POST', '/api/tokens', bearer(ADMIN), body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error.field, JSON.stringify(body)).toBe(field);
    }
  });
});

describe('browser sessions', () => {
  it('over https (behind a trusted proxy) the cookie is __Host- prefixed and Secure; without trust, X-Forwarded-Proto is ignored', async () => {
    const proxied = await buildServer(deps, { token: ADMIN, log: () => undefined, trustProxy: true });
    try {
      const r = await call('POST', '/api/session', { 'x-forwarded-proto': 'https' }, { token: tokens.sam }, proxied);
      expect(String(r.headers['set-cookie'])).toMatch(/^__Host-outreach_session=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
      const id = String(r.headers['set-cookie']).split(';')[0]!;
      expect((await call('GET', '/api/dashboard', { cookie: id, 'x-forwarded-proto': 'https' }, undefined, proxied)).statusCode).toBe(200);
      // Over https only the __Host- cookie counts: one without the prefix could have been planted by an http service on the host.
      const planted = { cookie: id.replace('__Host-', ''), 'x-forwarded-proto': 'https' };
      expect((await call('GET', '/api/dashboard', planted, undefined, proxied)).statusCode).toBe(401);
    } finally {
      await proxied.close();
    }
    const plain = await call('POST', '/api/session', { 'x-forwarded-proto': 'https' }, { token: tokens.sam });
    expect(String(plain.headers['set-cookie'])).toMatch(/^outreach_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  });

  it('a session lasts its time and never past its token', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const t = deps.access.createToken({ role: 'seeker', workspaces: ['sam'], name: null, expiresAt: soon }, systemClock());
    const r = await call('POST', '/api/session', {}, { token: t.token });
    expect(r.json().expiresAt).toBe(soon);
    expect(Number(/Max-Age=(\d+)/.exec(String(r.headers['set-cookie']))![1])).toBeLessThanOrEqual(60);
  });
});

describe('CSRF: a write carried by the session cookie', () => {
  let cookie: string;
  const site = { host: 'localhost:80' };
  const own = 'http://localhost:80';

  beforeAll(async () => {
    cookie = String((await call('POST', '/api/session', {}, { token: tokens.sam })).headers['set-cookie']).split(';')[0]!;
  });

  it('is refused without our Origin: missing, null (a redirect sends null) or another site', async () => {
    const before = await eventCount();
    for (const origin of [undefined, 'null', 'http://localhost:81', 'http://127.0.0.1:80', 'https://localhost:80']) {
      const r = await call('POST', '/api/contacts', { ...site, cookie, ...(origin ? { origin } : {}) }, { name: 'Forged' });
      expect(r.statusCode, String(origin)).toBe(403);
      expect(r.json().error.code).toBe('forbidden');
    }
    expect(await eventCount()).toBe(before);
  });

  it('is refused from our Origin too when it is not JSON and carries no X-Requested-With (what a form can send)', async () => {
    const before = await eventCount();
    const form = await call(
      'POST',
      `/api/contacts/${joContact}/opt-out`,
      { ...site, cookie, origin: own, 'content-type': 'application/x-www-form-urlencoded' },
      'a=b',
    );
    expect(form.statusCode).toBe(403);
    const bare = await call('DELETE', '/api/session', { ...site, cookie, origin: own });
    expect(bare.statusCode).toBe(403);
    expect(await eventCount()).toBe(before);
    const ok = await call('POST', '/api/contacts', { ...site, cookie, origin: own }, { name: 'From our page' });
    expect(ok.statusCode).toBe(201);
  });

  it('the finding: the old curl (Origin: null, text/plain CSV into /api/contacts/import) stores nothing, by cookie or by bearer', async () => {
    const before = await eventCount();
    const csv = 'name,email\nCSRF,c@example.com\n';
    const headers = { ...site, origin: 'null', 'content-type': 'text/plain' };
    expect((await call('POST', '/api/contacts/import?workspace=sam', { ...headers, cookie: `outreach_token=${ADMIN}` }, csv)).statusCode).toBe(401);
    expect((await call('POST', '/api/contacts/import?workspace=sam', { ...headers, cookie }, csv)).statusCode).toBe(403);
    // text/plain is not an import, whoever sends it: only text/csv (which a form cannot send) or JSON.
    const plain = await call('POST', '/api/contacts/import?workspace=sam', { ...bearer(tokens.sam), 'content-type': 'text/plain' }, csv);
    expect(plain.statusCode).toBe(415);
    expect(await eventCount()).toBe(before);
  });
});

describe('strict input: no type coercion', () => {
  let meeting: string;
  beforeAll(async () => {
    const h = bearer(tokens.sam);
    const contact = (await call('POST', '/api/contacts', h, { name: 'Coerced Not', email: 'coerced@example.org' })).json().id;
    const requested = await call('POST', '/api/meetings', h, { contact, minutes: 20 });
    expect(requested.statusCode, requested.body).toBe(201);
    meeting = requested.json().id;
    const at = new Date(Math.floor((Date.now() - 2 * 3600_000) / 60_000) * 60_000).toISOString();
    const booked = await call('POST', `/api/meetings/${meeting}/book`, h, { at, past: true });
    expect(booked.statusCode, booked.body).toBe(200);
  });

  it('minutes of a held meeting that are not a JSON number are 400 naming the field, and nothing is stored', async () => {
    const at = new Date(Math.floor((Date.now() - 3600_000) / 60_000) * 60_000).toISOString();
    const before = await eventCount();
    for (const minutes of [true, null, '', [], false, [15], '0xF', '1.5e1', '15', { n: 15 }]) {
      const r = await call('POST', `/api/meetings/${meeting}/held`, bearer(tokens.sam), { at, minutes });
      expect(r.statusCode, JSON.stringify(minutes)).toBe(400);
      expect(r.json().error.field, JSON.stringify(minutes)).toBe('minutes');
    }
    expect(await eventCount()).toBe(before);
    expect((await call('POST', `/api/meetings/${meeting}/held`, bearer(tokens.sam), { at, minutes: 15 })).statusCode).toBe(200);
  });

  it('a daily limit of true, a meeting of "20" minutes, a tag that is not a list: 400', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/workspace', { dailyLimit: true }, 'dailyLimit'],
      ['POST', '/api/workspace', { dailyLimit: '10' }, 'dailyLimit'],
      ['POST', '/api/meetings', { contact: joContact, minutes: '20' }, 'minutes'],
      ['POST', '/api/contacts', { name: 'A', tag: 'solo' }, 'tag'],
      ['POST', '/api/contacts', { name: 42 }, 'name'],
      ['POST', '/api/contacts', { name: 'A', workspace: 7 }, 'workspace'],
      ['POST', '/api/contacts', 'null', 'body'],
    ];
    for (const [method, url, body, field] of cases) {
      const r = await call(method, url, bearer(tokens.sam), body);
      expect(r.statusCode, `${url} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json().error.field, `${url} ${JSON.stringify(body)}`).toBe(field);
    }
  });

  it('query numbers are plain decimal digits in range: limit=0x10, 1e1, +5, 010, 16.0 are 400', async () => {
    for (const q of ['limit=0x10', 'limit=1e1', 'limit=%2B5', 'limit=010', 'limit=16.0', 'limit=', 'limit=1&limit=2', 'offset=0b1', 'offset=1000001']) {
      const r = await call('GET', `/api/contacts?${q}`, bearer(tokens.sam));
      expect(r.statusCode, q).toBe(400);
      expect(r.json().error.field, q).toBe(q.split('=')[0]);
    }
    expect((await call('GET', '/api/contacts?limit=16&offset=0', bearer(tokens.sam))).json()).toMatchObject({ limit: 16, offset: 0 });
  });
});

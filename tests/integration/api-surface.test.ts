/**
 * The API's surface toward a hostile client or page: headers on every page, the queue board,
 * connection limits over real sockets, a large import that does not stop the server, and an OpenAPI
 * document that states what the server checks. Regression tests for issue 16.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiWiring } from '../support/api-deps.ts';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { systemClock } from '../../src/app/clock.ts';
import { configureWorkspace } from '../../src/app/workspace-commands.ts';
import { openReadModels, type ReadModels } from '../../src/read-models/queries.ts';
import { createRedis } from '../../src/infra/redis.ts';
import { createQueues, type Queues } from '../../src/infra/queue/scheduler.ts';
import { buildServer, type ApiServer, type HttpLimits } from '../../src/api/server.ts';
import type { ApiDeps } from '../../src/api/context.ts';
import { REDIS_URL, deleteKeys, testPrefix } from '../support/pipeline.ts';

const TOKEN = 'surface-test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

let dir: string;
let store: EventStore;
let readModels: ReadModels;
let redis: Redis;
let queues: Queues;
let prefix: string;
let deps: ApiDeps;
let app: ApiServer;
const servers: ApiServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outreach-surface-'));
  store = openSqliteEventStore(join(dir, 'events.db'));
  await configureWorkspace(
    { store, clock: systemClock, workspaceId: 'big', actor: 'test' },
    { ownerName: 'Imp Orter', ownerEmail: 'imp@example.org', timezone: 'UTC', objective: 'Import a lot' },
  );
  readModels = openReadModels(dir);
  prefix = testPrefix();
  redis = createRedis(REDIS_URL, 'producer');
  await redis.connect();
  queues = createQueues(redis, prefix);
  deps = { store, readModels, clock: systemClock, defaultWorkspace: 'big', redis, ...apiWiring('surface-secret-key-long-enough', queues) };
  app = await buildServer(deps, { token: TOKEN, log: () => undefined });
}, 60_000);

afterAll(async () => {
  for (const s of servers) await s.close();
  await app?.close();
  if (queues) await Promise.all(Object.values(queues).map((q) => q.close()));
  redis?.disconnect();
  if (prefix) await deleteKeys(prefix);
  deps?.access.close();
  readModels?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function listening(limits: Partial<HttpLimits>): Promise<number> {
  const server = await buildServer(deps, { token: TOKEN, log: () => undefined, limits });
  servers.push(server);
  await server.listen({ host: '127.0.0.1', port: 0 });
  return (server.server.address() as net.AddressInfo).port;
}

/** Resolves with what happened to a socket: closed by the server, or still open when the wait ran out. */
function fate(socket: net.Socket, waitMs: number): Promise<{ closed: boolean; data: string }> {
  return new Promise((resolve) => {
    let data = '';
    socket.on('data', (d) => {
      data += d.toString('latin1');
    });
    const timer = setTimeout(() => resolve({ closed: false, data }), waitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, data });
    });
    socket.on('error', () => undefined);
  });
}

const connect = (port: number) =>
  new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });

describe('headers on every page', () => {
  it("/, /docs, /queues and /u/…: CSP with frame-ancestors 'none', nosniff, no Referer; JSON answers too", async () => {
    for (const url of ['/', '/docs', '/queues', '/u/not-a-token', '/api/contacts', '/healthz', '/dashboard/app.js']) {
      const r = await app.inject({ method: 'GET', url, headers: auth });
      expect(r.statusCode, url).toBeLessThan(500);
      expect(String(r.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
      expect(r.headers['referrer-policy'], url).toBe('no-referrer');
      expect(r.headers['x-frame-options'], url).toBe('DENY');
    }
    const docs = await app.inject({ method: 'GET', url: '/docs', headers: auth });
    expect(String(docs.headers['content-security-policy'])).not.toMatch(/https:|validator\.swagger\.io|upgrade-insecure-requests/);
  });

  it('the queue board asks no third party for anything (no Google Fonts) and is admin-only and read-only', async () => {
    const page = await app.inject({ method: 'GET', url: '/queues', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/);
    expect(String(page.headers['content-security-policy'])).toMatch(/default-src 'self'/);
    // The finding: a PUT paused a queue. The board refuses every action now.
    const pause = await app.inject({ method: 'PUT', url: '/queues/api/queues/email/pause', headers: auth });
    expect(pause.statusCode).toBeGreaterThanOrEqual(400);
    expect(await queues.email.isPaused()).toBe(false);
  });
});

describe('connection limits', () => {
  it('a connection that sends nothing is closed after the idle timeout (the finding: 500 idle sockets open after 240 s)', async () => {
    const port = await listening({ idleTimeoutMs: 300 });
    const idle = await connect(port);
    const { closed } = await fate(idle, 10_000);
    expect(closed).toBe(true);
  });

  it('headers not finished within the header timeout: 408 and closed', async () => {
    const port = await listening({ headersTimeoutMs: 400, idleTimeoutMs: 30_000 });
    const slow = await connect(port);
    slow.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const { closed, data } = await fate(slow, 10_000);
    expect(closed).toBe(true);
    expect(data).toMatch(/^HTTP\/1\.1 408/);
  });

  it('past the connection cap, a new connection is closed at once; those within keep working', async () => {
    const port = await listening({ maxConnections: 3, idleTimeoutMs: 30_000 });
    const held = await Promise.all([connect(port), connect(port), connect(port)]);
    const extra = await connect(port);
    expect((await fate(extra, 5_000)).closed).toBe(true);
    const first = held[0]!;
    const answer = fate(first, 5_000);
    first.end('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect((await answer).data).toMatch(/^HTTP\/1\.1 200/);
    for (const s of held) s.destroy();
  });
});

describe('a large import runs beside the requests, not in one', () => {
  it('202 at once; /healthz and the API answer while it runs; it finishes with every row', async () => {
    const port = await listening({});
    const base = `http://127.0.0.1:${port}`;
    const ROWS = 4000;
    const csv = `name,email,org,role\n${Array.from({ length: ROWS }, (_, i) => `Person ${i},person${i}@import.example,Org ${i % 50},Role ${i % 7}`).join('\n')}\n`;
    const started = await fetch(`${base}/api/contacts/import`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv', 'x-workspace': 'big' },
      body: csv,
    });
    expect(started.status).toBe(202);
    const job = (await started.json()) as { id: string; state: string };
    const status = async () => (await (await fetch(`${base}/api/imports/${job.id}`, { headers: auth })).json()) as { state: string; processed: number };
    // Answers that arrive while the import still runs prove it does not hold the event loop.
    const answeredWhileRunning: string[] = [];
    for (let i = 0; i < 200; i++) {
      const health = await fetch(`${base}/healthz`);
      const contacts = await fetch(`${base}/api/workspaces/big`, { headers: auth });
      const now = await status();
      if (now.state !== 'running') break;
      if (health.ok && contacts.ok) answeredWhileRunning.push(`${now.processed}`);
    }
    expect(answeredWhileRunning.length).toBeGreaterThan(3);
    let done = await status();
    for (let i = 0; i < 600 && done.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      done = await status();
    }
    expect(done).toMatchObject({ state: 'done', rows: ROWS, processed: ROWS, report: { imported: ROWS, rejected: [] } });
  }, 120_000);

  it('a second import into the same workspace while one runs is 409; a file without a header is 400 at once', async () => {
    const csv = `name\n${Array.from({ length: 1500 }, (_, i) => `Second ${i}`).join('\n')}\n`;
    const headers = { ...auth, 'content-type': 'text/csv', 'x-workspace': 'big' };
    const first = await app.inject({ method: 'POST', url: '/api/contacts/import', headers, payload: csv });
    expect(first.statusCode).toBe(202);
    const second = await app.inject({ method: 'POST', url: '/api/contacts/import', headers, payload: csv });
    expect(second.statusCode).toBe(409);
    const headless = await app.inject({ method: 'POST', url: '/api/contacts/import', headers, payload: 'just,some\ncells,here\n' });
    expect(headless.statusCode).toBe(400);
    expect(headless.json().error.field).toBe('file');
    const unknownColumn = await app.inject({ method: 'POST', url: '/api/contacts/import', headers, payload: 'name,shoe-size\nA,42\n' });
    expect(unknownColumn.json().error.field).toBe('columns');
    for (let i = 0; i < 600; i++) {
      const r = await app.inject({ method: 'GET', url: `/api/imports/${first.json().id}`, headers: auth });
      if (r.json().state !== 'running') break;
      await new Promise((res) => setTimeout(res, 50));
    }
  }, 60_000);
});

describe('the OpenAPI document states what the server checks', () => {
  type Schema = Record<string, any>;
  let spec: Schema;
  const body = (path: string, method = 'post') => spec['paths'][path][method].requestBody.content['application/json'].schema as Schema;

  beforeAll(async () => {
    spec = (await app.inject({ method: 'GET', url: '/docs/json', headers: auth })).json();
  });

  it('workspace ids, email addresses, minutes, durations, zones, hours, days, instants and links', () => {
    const workspace = body('/api/workspace');
    expect(workspace.properties.workspace.pattern).toBe('^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$');
    expect(workspace.properties.timezone.enum).toEqual(expect.arrayContaining(['Europe/London', 'America/New_York', 'UTC']));
    expect(new RegExp(workspace.properties.thankYouDelay.pattern).test('PT2H')).toBe(true);
    expect(new RegExp(workspace.properties.thankYouDelay.pattern).test('PT0H')).toBe(false);
    expect(new RegExp(workspace.properties.businessDays.pattern).test('mon-fri')).toBe(true);
    expect(new RegExp(workspace.properties.businessDays.pattern).test('fri-mon')).toBe(false);
    const hours = [workspace.properties.businessHours.pattern, ...workspace.properties.businessHours.allOf.map((a: Schema) => a['pattern'])];
    expect(hours.every((p: string) => new RegExp(p).test('09:00-17:30'))).toBe(true);
    expect(hours.every((p: string) => new RegExp(p).test('17:30-09:00'))).toBe(false);
    expect(workspace.properties.dailyLimit).toMatchObject({ type: 'integer', minimum: 1, maximum: 10000 });
    const contact = body('/api/contacts');
    expect(contact.properties.email.format).toBe('email');
    expect(contact.properties.linkedinUrl.pattern).toMatch(/^\^https\?:\/\//);
    expect(contact.properties.tag).toMatchObject({ type: 'array', maxItems: 30 });
    expect(body('/api/meetings').properties.minutes).toEqual({ type: 'integer', enum: [15, 20, 30] });
    expect(body('/api/meetings/{id}/held').properties.at).toMatchObject({ type: 'string', format: 'date-time' });
    expect(body('/api/meetings/{id}/book').not).toEqual({ required: ['location', 'videoUrl'] });
    expect(body('/api/contacts/{id}/questions').required).toContain('question');
    const list = spec['paths']['/api/pipeline'].get.parameters as Schema[];
    expect(list.find((p) => p['name'] === 'limit')!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 500 });
    expect(list.find((p) => p['name'] === 'workspace')!.schema.pattern).toBe('^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$');
  });
});

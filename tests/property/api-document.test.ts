/**
 * A request valid by the OpenAPI document is accepted: for every command and read route the
 * document describes, requests are generated from the document itself (each checked against it
 * with a JSON Schema validator, so only what the document allows is sent) and the server must not
 * refuse one as invalid (400) or fail (5xx). A 404 or 409 is the state of the data speaking (a
 * contact forgotten by an earlier request, a meeting not yet booked), not a refusal of the input.
 *
 * A rule the server enforces that the document does not state shows up here as a 400 for a request
 * the document allows. The import (CSV content) is left out: the shape of a CSV file is described
 * in words, not in the schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiWiring } from '../support/api-deps.ts';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { systemClock } from '../../src/app/clock.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { openReadModels, type ReadModels } from '../../src/read-models/queries.ts';
import { buildServer, type ApiServer } from '../../src/api/server.ts';
import type { ApiDeps } from '../../src/api/context.ts';

const SEED = Number(process.env['DOC_SEED'] ?? 16_016);
const PER_ROUTE = Number(process.env['DOC_RUNS'] ?? 40);
const TOKEN = 'document-test-admin-token-0123456789';
const WORKSPACE = 'doc';

type Schema = Record<string, any>;

let dir: string;
let store: EventStore;
let readModels: ReadModels;
let deps: ApiDeps;
let app: ApiServer;
const ids = { contact: [] as string[], meeting: [] as string[] };

const ajv = new Ajv({ strict: false, allErrors: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outreach-doc-'));
  store = openSqliteEventStore(join(dir, 'events.db'));
  await seedDemo({ store, clock: systemClock, workspaceId: WORKSPACE, actor: 'test' });
  for (const e of await store.readAll({ maxCount: 100_000 })) {
    const [kind, ...rest] = e.stream.split('-');
    if ((kind === 'contact' || kind === 'meeting') && !ids[kind].includes(rest.join('-'))) ids[kind].push(rest.join('-'));
  }
  readModels = openReadModels(dir);
  deps = { store, readModels, clock: systemClock, defaultWorkspace: WORKSPACE, redis: null, ...apiWiring('document-secret-key-long-enough', null) };
  app = await buildServer(deps, { token: TOKEN, log: () => undefined });
}, 60_000);

afterAll(async () => {
  await app?.close();
  deps?.access.close();
  readModels?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const patternsOf = (s: Schema): string[] => [s['pattern'], ...((s['allOf'] as Schema[] | undefined) ?? []).map((a) => a['pattern'])].filter(Boolean);

const instant = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().replace(/\.\d{3}Z$/, 'Z'), d.toISOString().replace(/\.\d{3}Z$/, '+00:00')));
const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
  fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
  fc.string({ minLength: 1, maxLength: 40 }),
);

/** A pattern fast-check can generate from: lookarounds dropped (the filter checks them), back-references not at all. */
function generable(pattern: string): RegExp | null {
  if (/\\[1-9]/.test(pattern)) return null;
  try {
    return new RegExp(pattern.replace(/\(\?[=!][^()]*\)/g, ''));
  } catch {
    return null;
  }
}

/**
 * Candidate strings for a schema: drawn from its own patterns, from the kinds of value it names
 * (a time zone, a duration, a range of hours), and from any text. Whatever comes out is checked
 * against the document before it is sent, so the candidates only need to reach the edges.
 */
function stringArb(s: Schema, name: string): fc.Arbitrary<string> {
  const patterns = patternsOf(s);
  const joined = patterns.join(' ');
  const fromPatterns = patterns
    .map(generable)
    .filter((r): r is RegExp => r !== null)
    .map((r) => fc.stringMatching(r));
  const known: fc.Arbitrary<string>[] = [];
  if (s['format'] === 'uuid') known.push(fc.constantFrom(...ids[name === 'meeting' ? 'meeting' : 'contact']), fc.uuid({ version: 7 }));
  if (s['format'] === 'email') known.push(fc.emailAddress());
  if (s['format'] === 'date-time') known.push(instant);
  if (s['format'] === 'uri') known.push(fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }));
  if (joined.includes('P(?!$)'))
    known.push(
      fc
        .tuple(
          fc.array(fc.tuple(fc.nat(999), fc.constantFrom('Y', 'M', 'W', 'D')), { maxLength: 3 }),
          fc.array(fc.tuple(fc.nat(999), fc.constantFrom('H', 'M', 'S')), { maxLength: 3 }),
        )
        .map(([date, time]) => `P${date.map(([n, u]) => `${n}${u}`).join('')}${time.length ? `T${time.map(([n, u]) => `${n}${u}`).join('')}` : ''}`),
    );
  if (joined.includes('[0-5]\\d-'))
    known.push(fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 1439 })).map(([a, b]) => `${hhmm(a)}-${hhmm(b)}`));
  if (joined.includes('mon(?:'))
    known.push(fc.array(fc.tuple(fc.nat(6), fc.nat(6)), { minLength: 1, maxLength: 3 }).map((parts) => parts.map(([a, b]) => `${day(a)}-${day(b)}`).join(',')));
  if (s['enum']) known.push(fc.constantFrom(...(s['enum'] as string[])));
  const check = ajv.compile(s);
  return fc.oneof(...fromPatterns, ...known, text).filter((v) => check(v));
}
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const day = (d: number) => ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][d]!;

function valueArb(s: Schema, name: string): fc.Arbitrary<unknown> {
  if (s['enum']) return fc.constantFrom(...(s['enum'] as unknown[]));
  switch (s['type']) {
    case 'integer':
      return fc.integer({ min: s['minimum'] ?? -1000, max: s['maximum'] ?? 1000 });
    case 'number':
      return fc.double({ min: s['minimum'] ?? -1000, max: s['maximum'] ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const check = ajv.compile(s);
      return fc
        .array(valueArb(s['items'] as Schema, name), { minLength: s['minItems'] ?? 0, maxLength: Math.min(s['maxItems'] ?? 4, 4) })
        .filter((v) => check(v));
    }
    case 'string':
      return stringArb(s, name);
    default:
      return fc.constant(undefined);
  }
}

/** Objects of the schema's properties (the workspace goes in the header); required ones always, others now and then. */
function bodyArb(s: Schema): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries((s['properties'] ?? {}) as Record<string, Schema>).filter(([k]) => k !== 'workspace');
  const required = new Set((s['required'] as string[] | undefined) ?? []);
  return fc
    .record(Object.fromEntries(props.map(([k, p]) => [k, required.has(k) ? valueArb(p, k) : fc.option(valueArb(p, k), { nil: undefined, freq: 2 })])))
    .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
}

type Sent = { method: string; url: string; body?: unknown; status: number; answer: string };

describe('the OpenAPI document and the server agree', () => {
  it(`requests valid by the document are accepted (${PER_ROUTE} per route, seed ${SEED}; DOC_SEED and DOC_RUNS to change)`, async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json', headers: { authorization: `Bearer ${TOKEN}` } })).json() as Schema;
    const refused: Sent[] = [];
    let sent = 0;
    let routes = 0;
    for (const [path, ops] of Object.entries(spec['paths'] as Record<string, Record<string, Schema>>)) {
      for (const [method, op] of Object.entries(ops)) {
        if (path === '/api/contacts/import' || path === '/api/session' || path.startsWith('/u/')) continue;
        const bodySchema = op['requestBody']?.content?.['application/json']?.schema as Schema | undefined;
        const query = ((op['parameters'] as Schema[] | undefined) ?? []).filter((p) => p['in'] === 'query');
        if (!bodySchema && (method !== 'get' || query.length === 0 || path.includes('{'))) continue;
        routes++;
        const valid = bodySchema ? ajv.compile(bodySchema) : null;
        const bodies = bodySchema
          ? fc.sample(
              bodyArb(bodySchema).filter((b) => valid!(b)),
              { seed: SEED, numRuns: PER_ROUTE },
            )
          : [];
        // Every value of every enum once (the time zones are hundreds: a random draw would miss most).
        for (const [field, p] of Object.entries((bodySchema?.['properties'] ?? {}) as Record<string, Schema>)) {
          for (const value of (p['enum'] as unknown[] | undefined) ?? []) {
            const withValue = bodies.map((b) => ({ ...b, [field]: value })).find((b) => valid!(b));
            if (withValue) bodies.push(withValue);
          }
        }
        const queries = fc.sample(
          fc.record(Object.fromEntries(query.map((p) => [p['name'], fc.option(valueArb(p['schema'] as Schema, p['name']), { nil: undefined })]))),
          { seed: SEED, numRuns: PER_ROUTE },
        );
        for (let i = 0; i < Math.max(PER_ROUTE, bodies.length); i++) {
          const idKind = path.startsWith('/api/meetings/') ? 'meeting' : 'contact';
          const pool = ids[idKind];
          const url =
            path.replace('{id}', pool[i % pool.length]!) +
            (queries[i] && Object.values(queries[i]!).some((v) => v !== undefined)
              ? `?${new URLSearchParams(Object.entries(queries[i]!).filter(([, v]) => v !== undefined) as [string, string][]).toString()}`
              : '');
          const body = bodySchema ? bodies[i] : undefined;
          const r = await app.inject({
            method: method.toUpperCase() as 'GET',
            url,
            headers: { authorization: `Bearer ${TOKEN}`, 'x-workspace': WORKSPACE, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
          });
          sent++;
          if (
            (r.statusCode === 400 && !pastBookingRefused(url, body, r.json()) && !reversedRangeRefused(url, r.json())) ||
            r.statusCode === 415 ||
            r.statusCode >= 500
          )
            refused.push({ method: method.toUpperCase(), url, body, status: r.statusCode, answer: r.body.slice(0, 300) });
        }
      }
    }
    console.log(`api document: ${sent} requests valid by the document over ${routes} routes, ${refused.length} refused (seed ${SEED})`);
    expect(routes).toBeGreaterThan(20);
    expect(refused.slice(0, 10), refused.map((r) => `${r.status} ${r.method} ${r.url} ${JSON.stringify(r.body)} → ${r.answer}`).join('\n')).toEqual([]);
  }, 120_000);
});

/**
 * The one rule that depends on the clock, which a document cannot state as a schema (its `past`
 * field says it in words): a booking or a move to a time already gone needs `past: true`, or it is a typo.
 */
/** A range whose `to` is not after its `from`: a rule between two fields that JSON Schema cannot state (the description does). */
function reversedRangeRefused(url: string, answer: { error?: { field?: string; message?: string } }): boolean {
  const q = new URL(url, 'http://x').searchParams;
  const end = (v: string | null, day: number) => (v === null ? NaN : /T/.test(v) ? Date.parse(v) : Date.parse(`${v}T00:00:00Z`) + day);
  return end(q.get('from'), 0) >= end(q.get('to'), 86_400_000) && answer.error?.field === 'to' && /after from/.test(answer.error.message ?? '');
}

function pastBookingRefused(url: string, body: unknown, answer: { error?: { field?: string; message?: string } }): boolean {
  const b = body as { at?: string; past?: boolean } | undefined;
  return (
    /\/(book|reschedule)$/.test(url.split('?')[0]!) &&
    b?.past !== true &&
    Date.parse(b?.at ?? '') < Date.now() &&
    answer.error?.field === 'at' &&
    /in the past/.test(answer.error.message ?? '')
  );
}

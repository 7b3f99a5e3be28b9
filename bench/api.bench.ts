/**
 * The HTTP API under load: `GET /api/dashboard` with 200 concurrent connections (autocannon), on a
 * server in this process over seeded data (SQLite event store, read models brought up to date by
 * the projector, bearer token checked on every request), against a bare Fastify route on loopback
 * that answers a static JSON document of the same size, in the same run.
 *
 * autocannon runs in a child process so that the load generator does not take turns with the
 * server on one event loop (the machine has two cores: one for each). Each side gets a short
 * warm-up, then DURATION_S seconds measured. The API is measured as served (its dashboard answer is
 * reused for up to a second while no projection moves) and once more with that micro-cache off.
 */
import { apiWiring } from '../tests/support/api-deps.ts';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import Fastify from 'fastify';
import { openSqliteEventStore } from '../src/eventstore/sqlite/store.ts';
import { systemClock } from '../src/app/clock.ts';
import type { AppContext } from '../src/app/handle.ts';
import { configureWorkspace } from '../src/app/workspace-commands.ts';
import { openReadModels } from '../src/read-models/queries.ts';
import { silentLog } from '../tests/support/tally-log.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { buildServer } from '../src/api/server.ts';
import { startProjectorWorker } from '../workers/projector.ts';
import { defineBenchmark, medianBy, row, type Benchmark } from './harness.ts';

const NAME = 'api: GET /api/dashboard';
const CONNECTIONS = 200;
const DURATION_S = 10;
const WARMUP_S = 2;
const RUNS = 1;
const WORKSPACES = 20;
const TOKEN = 'bench-token-0123456789abcdef-0123';

type Load = { requestsPerSecond: number; p99Ms: number; p50Ms: number; requests: number; non2xx: number; errors: number; bytes: number };

/**
 * autocannon in a child process (in a worker thread it takes itself for one of its own workers);
 * the script is CommonJS, loads autocannon from this project and prints the summary as JSON.
 */
async function load(url: string, seconds: number, headers: Record<string, string>): Promise<Load> {
  const autocannonPath = createRequire(import.meta.url).resolve('autocannon');
  const code = `
    const autocannon = require(${JSON.stringify(autocannonPath)});
    const o = JSON.parse(process.argv[1]);
    autocannon({ url: o.url, connections: o.connections, duration: o.seconds, headers: o.headers })
      .then((r) => process.stdout.write(JSON.stringify({
        requestsPerSecond: r.requests.average, p99Ms: r.latency.p99, p50Ms: r.latency.p50, requests: r.requests.total,
        non2xx: r.non2xx, errors: r.errors + r.timeouts, bytes: r.throughput.total / Math.max(1, r.requests.total),
      })))
      .catch((e) => { console.error(String(e)); process.exit(1); });
  `;
  const child = spawn(process.execPath, ['-e', code, JSON.stringify({ url, connections: CONNECTIONS, seconds, headers })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const [code_] = (await once(child, 'exit')) as [number | null];
  if (code_ !== 0) throw new Error(`autocannon exited ${code_}: ${err}`);
  return JSON.parse(out) as Load;
}

/** Every answer a 200; a connection error or timeout now and then (under 0.1 %) is reported, not fatal. */
function checked(what: string, l: Load) {
  if (l.non2xx > 0) throw new Error(`${what}: ${l.non2xx} answers were not 2xx`);
  if (l.errors > l.requests / 1000) throw new Error(`${what}: ${l.errors} errors or timeouts in ${l.requests} requests`);
}

export const apiBenchmarks: Benchmark[] = [
  defineBenchmark(NAME, async (bctx) => {
    const dir = bctx.tempDir();
    const store = openSqliteEventStore(`${dir}/events.db`);
    const ctxFor = (workspaceId: string): AppContext => ({ store, clock: systemClock, workspaceId, actor: 'bench' });
    bctx.progress(`seeding ${WORKSPACES} workspaces`);
    for (let i = 0; i < WORKSPACES; i++) {
      const ctx = ctxFor(`seeker-${String(i).padStart(2, '0')}`);
      await seedDemo(ctx);
      await configureWorkspace(ctx, { ownerName: `Seeker ${i}` });
    }
    const projector = await startProjectorWorker({ store, dataDir: dir, log: silentLog });
    await projector.caughtUp;
    const readModels = openReadModels(dir);
    const deps = { store, readModels, clock: systemClock, defaultWorkspace: 'seeker-00', redis: null, ...apiWiring('bench-secret-key-long-enough-0123', null) };
    const app = await buildServer(deps, { token: TOKEN, log: (line) => bctx.progress(line) });
    // The same server without the dashboard's one-second micro-cache: every request reads the projections.
    const uncached = await buildServer({ ...deps, dashboardCacheMs: 0 }, { token: TOKEN, log: (line) => bctx.progress(line) });
    const bare = Fastify({ logger: false });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const apiUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/dashboard`;
      const headers = { authorization: `Bearer ${TOKEN}` };
      const first = await fetch(apiUrl, { headers });
      if (!first.ok) throw new Error(`GET /api/dashboard: ${first.status} ${await first.text()}`);
      const body = await first.text();

      // The baseline: the same bytes from a route that does nothing else.
      bare.get('/static', async (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(body));
      await bare.listen({ host: '127.0.0.1', port: 0 });
      await uncached.listen({ host: '127.0.0.1', port: 0 });
      const uncachedUrl = `http://127.0.0.1:${(uncached.server.address() as { port: number }).port}/api/dashboard`;
      const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/static`;

      bctx.progress(`dashboard JSON: ${body.length} bytes across ${WORKSPACES} workspaces; warming up`);
      await load(apiUrl, WARMUP_S, headers);
      await load(bareUrl, WARMUP_S, headers);
      await load(uncachedUrl, WARMUP_S, headers);
      const runs: { api: Load; bare: Load }[] = [];
      for (let i = 0; i < RUNS; i++) {
        bctx.settle();
        const apiFirst = i % 2 === 0;
        const a = apiFirst ? await load(apiUrl, DURATION_S, headers) : undefined;
        const b = await load(bareUrl, DURATION_S, headers);
        const api = a ?? (await load(apiUrl, DURATION_S, headers));
        bctx.progress(
          `run ${i + 1}: api ${api.requestsPerSecond.toFixed(0)} req/s p99 ${api.p99Ms} ms (${api.errors} errors); bare ${b.requestsPerSecond.toFixed(0)} req/s p99 ${b.p99Ms} ms (${b.errors} errors)`,
        );
        checked('api', api);
        checked('bare', b);
        runs.push({ api, bare: b });
      }
      const m = medianBy(runs, (r) => r.api.requestsPerSecond / r.bare.requestsPerSecond);
      bctx.settle();
      const raw = await load(uncachedUrl, DURATION_S, headers);
      bctx.progress(`without the micro-cache: ${raw.requestsPerSecond.toFixed(0)} req/s p99 ${raw.p99Ms} ms (${raw.errors} errors in ${raw.requests})`);
      // Informational: without the cache the server is saturated on purpose; timeouts there are reported above, not fatal.
      return [
        row(`${NAME}: requests/s at ${CONNECTIONS} connections`, m.api.requestsPerSecond, 'req/s', m.bare.requestsPerSecond, 'info'),
        row(`${NAME}: p99 latency at ${CONNECTIONS} connections`, m.api.p99Ms, 'ms', m.bare.p99Ms, 'info'),
        row(`${NAME}: requests/s at ${CONNECTIONS} connections, no micro-cache`, raw.requestsPerSecond, 'req/s', m.bare.requestsPerSecond, 'info'),
        row(`${NAME}: p99 latency at ${CONNECTIONS} connections, no micro-cache`, raw.p99Ms, 'ms', m.bare.p99Ms, 'info'),
      ];
    } finally {
      await bare.close();
      await uncached.close();
      await app.close();
      await projector.stop();
      readModels.close();
      await store.close();
    }
  }),
];

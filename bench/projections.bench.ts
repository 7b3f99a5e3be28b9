/**
 * Projection rebuild over 1,000,000 generated events in a SQLite event store, against a raw scan of
 * the same table (better-sqlite3 `iterate()` + JSON.parse of data and metadata, the least a
 * projector must do per event) in the same run. The rebuild goes through the store's `readAll`,
 * applies every projection and writes projections.db as `outreach projections rebuild` does.
 *
 * A second benchmark does the same over the log written sealed, as the application writes it, and
 * rebuilds it as a seeker does: `outreach projections rebuild --json` (the built CLI) on the folder,
 * its peak RSS its own process's.
 *
 * The log is written straight into the events table with better-sqlite3 (the store's own schema
 * and pragmas, 50,000 rows a transaction): appending a million events one command at a time would
 * take minutes and measure the store, not the projector. It is written by a child process (this
 * file run with --write-log), so that the generator's memory is not in the peak RSS measured here.
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '../src/eventstore/sqlite/schema.ts';
import { applyPragmas } from '../src/sqlite/pragmas.ts';
import { openSqliteEventStore } from '../src/eventstore/sqlite/store.ts';
import { rebuildProjections } from '../src/read-models/projector/projector.ts';
import { generateLog } from '../tests/unit/projections/support/generated-log.ts';
import { randomBytes } from 'node:crypto';
import type { StreamAppend } from '../src/eventstore/port.ts';
import { withSealedPersonalData } from '../src/infra/crypto/sealing-store.ts';
import { openSubjectKeys } from '../src/infra/crypto/subject-keys.ts';
import { personalDataRules } from '../src/main/personal-data.ts';
import { defineBenchmark, PeakRss, row, seconds, type BenchContext, type Benchmark } from './harness.ts';

const EVENTS = 1_000_000;
const WORKSPACES = 500;
const NAME = 'projections: rebuild over 1M events';
const SEALED_NAME = 'projections: rebuild over 1M sealed events';

/** The store as the application opens it: personal fields sealed per subject, keys in the folder's keys.db. */
const sealedStoreIn = (dir: string, masterHex: string) =>
  withSealedPersonalData(openSqliteEventStore(join(dir, 'events.db')), openSubjectKeys(join(dir, 'keys.db'), Buffer.from(masterHex, 'hex')), personalDataRules);

/**
 * The same generated log, written as the application writes it: through the sealing store (a key
 * per subject, every personal field AES-GCM sealed), 500 events per multi-stream append. A
 * meeting's fields are sealed under the meeting's own key here (the generator does not name the
 * contact in every meeting event's metadata), so there are more keys than the application makes.
 */
async function writeSealedLog(dir: string, events: number, masterHex: string, progress: (line: string) => void) {
  const store = sealedStoreIn(dir, masterHex);
  let batch: StreamAppend[] = [];
  let written = 0;
  const flush = async () => {
    const results = await store.appendMany(batch);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    written += batch.length;
    batch = [];
    if (written % 200_000 === 0) progress(`generated ${written.toLocaleString('en-US')} / ${events.toLocaleString('en-US')} sealed events`);
  };
  for (const e of generateLog({ seed: 20261129, events, workspaces: WORKSPACES })) {
    batch.push({
      stream: e.stream,
      events: [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }],
      expected: e.revision === 0 ? 'no_stream' : e.revision - 1,
    });
    if (batch.length === 500) await flush();
  }
  if (batch.length > 0) await flush();
  await store.close();
}

function writeLog(file: string, events: number, progress: (line: string) => void) {
  const db = new Database(file);
  applyPragmas(db);
  migrate(db);
  const insert = db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const chunk = db.transaction((rows: [string, string, number, string, string, string, string][]) => {
    for (const r of rows) insert.run(...r);
  });
  let rows: [string, string, number, string, string, string, string][] = [];
  let written = 0;
  const createdAt = new Date().toISOString();
  for (const e of generateLog({ seed: 20261129, events, workspaces: WORKSPACES })) {
    rows.push([e.id, e.stream, e.revision, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), createdAt]);
    if (rows.length === 50_000) {
      chunk(rows);
      written += rows.length;
      rows = [];
      if (written % 200_000 === 0) progress(`generated ${written.toLocaleString('en-US')} / ${events.toLocaleString('en-US')} events`);
    }
  }
  chunk(rows);
  db.close();
}

const SELF = fileURLToPath(import.meta.url);

type RebuildResult = { events: number; seconds: number; eventsPerSecond: number; peakRssMb: number; startRssMb: number };

/**
 * This file run as a child process: --write-log writes the log; --rebuild rebuilds the projections
 * of a data folder and prints its report and its own peak RSS, so that RSS is the rebuild's alone
 * (not the generator's, nor the other benchmarks' modules loaded in this process).
 */
function child(bench: BenchContext, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', SELF, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let tail = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-4000);
      for (const line of chunk.split('\n')) if (line.startsWith('progress: ')) bench.progress(line.slice('progress: '.length));
    });
    proc.on('error', fail);
    proc.on('exit', (code) => (code === 0 ? done(out) : fail(new Error(`${args[0]} failed (exit ${code}): ${tail}`))));
  });
}

async function rebuildHere(dir: string, masterHex?: string): Promise<RebuildResult> {
  const startRssMb = process.memoryUsage.rss() / 2 ** 20;
  // Sealed: the projections read plaintext, each sealed field opened with its subject's key.
  const store = masterHex ? sealedStoreIn(dir, masterHex) : openSqliteEventStore(join(dir, 'events.db'));
  let lastShown = 0;
  const report = await rebuildProjections({
    store,
    dataDir: dir,
    onProgress: (p) => {
      if (p.events - lastShown < 200_000) return;
      lastShown = p.events;
      process.stderr.write(
        `progress: rebuild: ${p.events.toLocaleString('en-US')} / ${p.estimatedTotal.toLocaleString('en-US')} events, ${Math.round(p.eventsPerSecond).toLocaleString('en-US')} events/s, RSS ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MB\n`,
      );
    },
  });
  await store.close();
  return {
    events: report.events,
    seconds: report.seconds,
    eventsPerSecond: report.eventsPerSecond,
    startRssMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  if (process.argv[2] === '--write-log') writeLog(process.argv[3]!, Number(process.argv[4]), (line) => process.stderr.write(`progress: ${line}\n`));
  if (process.argv[2] === '--write-sealed-log')
    await writeSealedLog(process.argv[3]!, Number(process.argv[4]), process.argv[5]!, (line) => process.stderr.write(`progress: ${line}\n`));
  if (process.argv[2] === '--rebuild') process.stdout.write(JSON.stringify(await rebuildHere(process.argv[3]!, process.argv[4])));
}

const ROOT = resolve(dirname(SELF), '..');

/**
 * `outreach projections rebuild --json` on the data folder, as a seeker runs it (the built CLI,
 * the key from OUTREACH_SECRET_KEY), with its own start and peak RSS reported by rss-report.cjs.
 */
function cliRebuild(dir: string, masterHex: string): Promise<RebuildResult> {
  return new Promise((done, fail) => {
    const env = { ...process.env, OUTREACH_DATA_DIR: dir, OUTREACH_SECRET_KEY: Buffer.from(masterHex, 'hex').toString('base64') };
    const args = ['--require', join(ROOT, 'bench/rss-report.cjs'), join(ROOT, 'bin/outreach.js'), 'projections', 'rebuild', '--json'];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    proc.on('error', fail);
    proc.on('exit', (code) => {
      const rss = /rss-report (.*)/.exec(err)?.[1];
      if (code !== 0 || !rss) return fail(new Error(`outreach projections rebuild failed (exit ${code}): ${err.slice(-2000)}`));
      const r = JSON.parse(out) as { events: number; seconds: number; eventsPerSecond: number };
      done({ events: r.events, seconds: r.seconds, eventsPerSecond: r.eventsPerSecond, ...(JSON.parse(rss) as { startRssMb: number; peakRssMb: number }) });
    });
  });
}

/** The raw baseline: every row read and its JSON parsed, nothing else. */
function scan(file: string, rss: PeakRss): number {
  const db = new Database(file, { readonly: true });
  let n = 0;
  try {
    for (const r of db.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<{ data: string; metadata: string }>) {
      JSON.parse(r.data);
      JSON.parse(r.metadata);
      n += 1;
      if ((n & 4095) === 0) rss.sample();
    }
  } finally {
    db.close();
  }
  return n;
}

/** The rebuild against the raw scan of the same file; `sealed`: the log written and read through the sealing store. */
const rebuildBenchmark = (name: string, sealed: boolean, goals: { ratio: string; rss: string }) =>
  defineBenchmark(name, async (bench) => {
    const dir = bench.tempDir();
    const file = join(dir, 'events.db');
    const masterHex = randomBytes(32).toString('hex');
    // The CLI runs from dist/, as installed: built from these sources first.
    if (sealed && spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' }).status !== 0)
      throw new Error('the build failed');
    const genSecs = await seconds(() => child(bench, sealed ? ['--write-sealed-log', dir, String(EVENTS), masterHex] : ['--write-log', file, String(EVENTS)]));
    bench.progress(`log written in ${genSecs.toFixed(1)} s`);

    // Scans before and after the rebuild: the machine's mood is averaged over the same stretch of time.
    const scanRates: number[] = [];
    const scanRss = new PeakRss();
    const scanOnce = async () => {
      bench.settle();
      let n = 0;
      const secs = await seconds(() => {
        n = scan(file, scanRss);
      });
      scanRates.push(n / secs);
      bench.progress(`raw scan: ${n.toLocaleString('en-US')} rows in ${secs.toFixed(2)} s (${Math.round(n / secs).toLocaleString('en-US')} rows/s)`);
    };
    scanRss.reset();
    await scanOnce();
    // Sealed, as the application's log is: rebuilt by the CLI itself. Unsealed: the projector over the bare store, in a child of its own.
    const r = sealed ? await cliRebuild(dir, masterHex) : (JSON.parse(await child(bench, ['--rebuild', dir])) as RebuildResult);
    if (r.events !== EVENTS) throw new Error(`rebuilt ${r.events} events, expected ${EVENTS}`);
    bench.progress(
      `rebuild: ${r.events.toLocaleString('en-US')} events in ${r.seconds.toFixed(1)} s (${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s), peak RSS ${Math.round(r.peakRssMb)} MB (${Math.round(r.startRssMb)} MB at start)`,
    );
    await scanOnce();
    const raw = (scanRates[0]! + scanRates[1]!) / 2;
    return [
      row(name, r.eventsPerSecond, 'events/s', raw, goals.ratio),
      row(`${name}: absolute`, r.eventsPerSecond, 'events/s', raw, '>= 100000 events/s'),
      row(`${name}: peak RSS`, r.peakRssMb, 'MB', r.startRssMb, goals.rss),
    ];
  });

export const projectionBenchmarks: Benchmark[] = [
  rebuildBenchmark(NAME, false, { ratio: '>= 0.3x raw', rss: '< 300 MB (baseline: RSS at start)' }),
  // As the application's log is: sealed. The goals are issue 17's.
  rebuildBenchmark(SEALED_NAME, true, { ratio: '>= 0.5x raw', rss: '< 200 MB (baseline: RSS at start)' }),
];

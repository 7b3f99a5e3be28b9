/**
 * Single-event commands through the command handler (load → decide → append) into the SQLite event
 * store, against raw better-sqlite3 inserting the very rows the commands stored, one per transaction,
 * into a fresh file with the same schema and pragmas.
 *
 * The two sides are interleaved in chunks (some commands, then the raw inserts of the rows they
 * stored, then the next commands...), so a machine busy with other work slows both alike.
 */
import { join } from 'node:path';
import { sealedStore } from './sealed-store.ts';
import { FLOOR_GOAL, SealedFloor } from './sealed-floor.ts';
import { addContact, addResearchNote } from '../src/app/contact-commands.ts';
import { systemClock } from '../src/app/clock.ts';
import type { AppContext } from '../src/app/handle.ts';
import { configureWorkspace } from '../src/app/workspace-commands.ts';
import { openSqliteEventStore } from '../src/eventstore/sqlite/store.ts';
import { defineBenchmark, medianBy, PeakRss, row, type BenchContext, type Benchmark, type Result } from './harness.ts';
import { RawInserter, rowsAfter } from './raw-sqlite.ts';

export type Workload = {
  /** Rate unit of the result, such as "cmds/s" or "events/s" (the rate counts stored events). */
  unit: string;
  /** Steps in one measured run, and in one chunk between raw inserts. */
  steps: number;
  chunk: number;
  /** One step: one or more commands. */
  step(ctx: AppContext, i: number): Promise<unknown>;
};

export type CompareOptions = {
  runs?: number;
  warmupSteps?: number;
  goal?: string;
  makeContext?: (store: ReturnType<typeof openSqliteEventStore>, dir: string, run: number) => AppContext;
  /** Also measure the floor of a sealed write (sealed-floor.ts) on the same rows, beside the raw side, this many rows a transaction. */
  floor?: number;
};

const defaultContext = (store: ReturnType<typeof openSqliteEventStore>): AppContext => ({ store, clock: systemClock, workspaceId: 'bench', actor: 'bench' });

/** Median over `runs` fresh database pairs of the project's rate and the raw rate for the same rows. */
export async function compareWithRaw(bench: BenchContext, name: string, work: Workload, opts: CompareOptions = {}): Promise<Result[]> {
  const runs = opts.runs ?? 3;
  const dir = bench.tempDir();
  const rss = new PeakRss();
  rss.reset();
  const startMb = rss.mb;
  const measured: { rate: number; raw: number; floor: number; best: number }[] = [];
  for (let run = 0; run <= runs; run++) {
    const warmup = run === 0;
    const steps = warmup ? (opts.warmupSteps ?? work.chunk) : work.steps;
    const store = openSqliteEventStore(join(dir, `project-${run}.db`));
    const raw = new RawInserter(join(dir, `raw-${run}.db`));
    const floor = opts.floor ? new SealedFloor(join(dir, `floor-${run}.db`), join(dir, `floor-keys-${run}.db`), opts.floor) : undefined;
    const best = opts.floor ? new SealedFloor(join(dir, `best-${run}.db`), '', opts.floor, 'one-file') : undefined;
    const ctx = (opts.makeContext ?? defaultContext)(store, dir, run);
    let secs = 0;
    let events = 0;
    let after = 0;
    try {
      // Adding people needs a configured workspace; its events are not part of what is measured.
      await configureWorkspace(ctx, {
        ownerName: 'Sam Seeker',
        ownerEmail: 'sam@seeker.example',
        timezone: 'Europe/London',
        objective: 'Learn how data teams hire',
      });
      after = Number((await store.headPosition()) ?? 0n);
      bench.settle();
      for (let from = 0; from < steps; from += work.chunk) {
        const to = Math.min(steps, from + work.chunk);
        const t0 = performance.now();
        for (let i = from; i < to; i++) {
          await work.step(ctx, i);
          rss.sample(32);
        }
        secs += (performance.now() - t0) / 1000;
        const rows = rowsAfter(store.db, after);
        if (rows.length === 0) throw new Error('the commands stored nothing');
        after = rows.at(-1)!.position;
        events += rows.length;
        raw.insert(rows);
        floor?.insert(rows);
        best?.insert(rows);
        rss.sample();
      }
    } finally {
      await store.close();
      raw.close();
      floor?.close();
      best?.close();
    }
    if (warmup) continue;
    measured.push({ rate: events / secs, raw: raw.rate, floor: floor?.rate ?? 0, best: best?.rate ?? 0 });
    bench.progress(
      `run ${run}/${runs}: ${events.toLocaleString('en-US')} events, ${Math.round(events / secs).toLocaleString('en-US')} ${work.unit}, raw ${Math.round(raw.rate).toLocaleString('en-US')} rows/s (${(events / secs / raw.rate).toFixed(2)}x)`,
    );
  }
  // The run with the median ratio: its rate and its raw rate were measured side by side.
  const mid = medianBy(measured, (m) => m.rate / m.raw);
  return [
    row(name, mid.rate, work.unit, mid.raw, opts.goal ?? '>= 0.5x raw'),
    ...(opts.floor
      ? [
          row(`${name}: floor (raw: key in keys.db before the events, ${opts.floor}/tx)`, mid.floor, 'rows/s', mid.raw, FLOOR_GOAL),
          row(`${name}: floor (raw: key in the events' own transaction, ${opts.floor}/tx)`, mid.best, 'rows/s', mid.raw, FLOOR_GOAL),
        ]
      : []),
    row(`${name}: peak RSS`, rss.mb, 'MB', startMb, 'info (baseline: RSS at start)'),
  ];
}

export const contactInput = (i: number) => ({
  name: `Alex Example ${i}`,
  email: `alex.example.${i}@example.com`,
  org: 'Northwind Traders',
  role: 'Director of Engineering',
  industry: 'Software',
  source: 'linkedin' as const,
  tag: ['warm', 'engineering'],
});

export const NOTE = 'Read their talk on event sourcing at a local meetup; ask how the team moved from batch jobs to streams.';

/** One AddContact per step: each command writes one event to a new stream. */
export const addContacts: Workload = {
  unit: 'cmds/s',
  steps: 6000,
  chunk: 250,
  step: (ctx, i) => addContact(ctx, contactInput(i)),
};

/** Per step an AddContact and then 9 AddResearchNote to that contact, one by one: 10 events to one stream. */
export const tenEventsPerStream: Workload = {
  unit: 'events/s',
  steps: 600,
  chunk: 25,
  async step(ctx, i) {
    const { id } = await addContact(ctx, contactInput(i));
    for (let n = 1; n < 10; n++) await addResearchNote(ctx, { contact: id, text: `${NOTE} (${n})` });
  },
};

/** 50 AddContact commands at once per step (an API under load): the raw side still commits one row per transaction. */
export const fiftyConcurrentAddContacts: Workload = {
  unit: 'cmds/s',
  steps: 120,
  chunk: 5,
  step: (ctx, i) => Promise.all(Array.from({ length: 50 }, (_, n) => addContact(ctx, contactInput(i * 50 + n)))),
};

/**
 * As the CLI and the API run: personal fields sealed with the contact's key on the way in (a new
 * key per new contact, stored wrapped in keys.db just before its batch of events, in the same
 * flush). The raw side inserts the very (sealed) rows.
 */
const sealedContext = (store: ReturnType<typeof openSqliteEventStore>, dir: string, run: number): AppContext => ({
  ...defaultContext(store),
  store: sealedStore(store, join(dir, `keys-${run}.db`)),
});

export const eventstoreBenchmarks: Benchmark[] = [
  defineBenchmark('command: add contact, personal fields sealed (as the CLI and API run)', (bench) =>
    compareWithRaw(bench, 'command: add contact, personal fields sealed (as the CLI and API run)', addContacts, {
      warmupSteps: 1000,
      makeContext: sealedContext,
      goal: '>= 0.6x raw',
      floor: 1,
    }),
  ),
  defineBenchmark('command: 50 concurrent add-contact', (bench) =>
    compareWithRaw(bench, 'command: 50 concurrent add-contact', fiftyConcurrentAddContacts, {
      warmupSteps: 20,
      makeContext: sealedContext,
      goal: '>= 1.0x raw',
      // The 50 arrive together: the design lets them share a transaction.
      floor: 50,
    }),
  ),
  defineBenchmark('command: add contact (new stream each)', (bench) =>
    compareWithRaw(bench, 'command: add contact (new stream each)', addContacts, { warmupSteps: 1000 }),
  ),
  defineBenchmark('command: 10 events one by one to the same stream', (bench) =>
    compareWithRaw(bench, 'command: 10 events one by one to the same stream', tenEventsPerStream, { warmupSteps: 100 }),
  ),
];

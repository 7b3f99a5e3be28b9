/**
 * Single-event commands through the command handler (load → decide → append) into the SQLite event
 * store, against raw better-sqlite3 inserting the very rows the commands stored.
 */
import { join } from 'node:path';
import { addContact, addResearchNote } from '../src/app/contact-commands.ts';
import { systemClock } from '../src/app/clock.ts';
import type { AppContext } from '../src/app/handle.ts';
import { openSqliteEventStore } from '../src/eventstore/sqlite/store.ts';
import { defineBenchmark, median, PeakRss, row, type BenchContext, type Benchmark } from './harness.ts';
import { insertOneByOne, readRows } from './raw-sqlite.ts';

const RUNS = 3;
const GOAL = '>= 0.5x raw';

const contactInput = (i: number) => ({
  name: `Alex Example ${i}`,
  email: `alex.example.${i}@example.com`,
  org: 'Northwind Traders',
  role: 'Director of Engineering',
  industry: 'Software',
  source: 'linkedin' as const,
  tag: ['warm', 'engineering'],
});

const NOTE = 'Read their talk on event sourcing at a local meetup; ask how the team moved from batch jobs to streams.';

type Workload = {
  /** Rows (events) one measured run stores. */
  events: number;
  unit: string;
  /** Runs the commands; returns nothing, the rows stored are counted afterwards. */
  run(ctx: AppContext, rss: PeakRss, progress: (done: number) => void): Promise<void>;
};

/** Median rate of the project and of the raw inserts of the same rows, each over RUNS fresh database files. */
async function compare(bench: BenchContext, name: string, make: (size: number) => Workload, size: number, warmupSize: number) {
  const work = make(size);
  const warmupWork = make(warmupSize);
  const dir = bench.tempDir();
  const rss = new PeakRss();
  const rawRss = new PeakRss();
  let peak = 0;
  let rawPeak = 0;
  const rates: number[] = [];
  const rawRates: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const warmup = run === 0;
    const file = join(dir, `project-${run}.db`);
    const store = openSqliteEventStore(file);
    const ctx: AppContext = { store, clock: systemClock, workspaceId: 'bench', actor: 'bench' };
    bench.settle();
    rss.reset();
    const t0 = performance.now();
    await (warmup
      ? warmupWork.run(ctx, rss, () => {})
      : work.run(ctx, rss, (done) => bench.progress(`run ${run}/${RUNS}: ${done.toLocaleString('en-US')} of ${work.events.toLocaleString('en-US')} events`)));
    const secs = (performance.now() - t0) / 1000;
    await store.close();
    const rows = readRows(file);
    bench.settle();
    rawRss.reset();
    const rawSecs = insertOneByOne(join(dir, `raw-${run}.db`), rows, rawRss);
    if (warmup) continue;
    if (rows.length !== work.events) throw new Error(`expected ${work.events} events stored, found ${rows.length}`);
    rates.push(rows.length / secs);
    rawRates.push(rows.length / rawSecs);
    peak = Math.max(peak, rss.mb);
    rawPeak = Math.max(rawPeak, rawRss.mb);
    bench.progress(`run ${run}/${RUNS}: ${Math.round(rows.length / secs).toLocaleString('en-US')} ${work.unit} (raw ${Math.round(rows.length / rawSecs).toLocaleString('en-US')})`);
  }
  return [
    row(name, median(rates), work.unit, median(rawRates), GOAL),
    row(`${name}: peak RSS`, peak, 'MB', rawPeak, 'info'),
  ];
}

const NEW_STREAMS = 4000;
const addContacts = (count: number): Workload => ({
  events: count,
  unit: 'cmds/s',
  async run(ctx, rss, progress) {
    for (let i = 0; i < count; i++) {
      await addContact(ctx, contactInput(i));
      rss.sample(64);
      if ((i + 1) % 2000 === 0) progress(i + 1);
    }
  },
});

const SAME_STREAM_CONTACTS = 400;
const tenPerStream = (contacts: number): Workload => ({
  events: contacts * 10,
  unit: 'events/s',
  async run(ctx, rss, progress) {
    for (let c = 0; c < contacts; c++) {
      const { id } = await addContact(ctx, contactInput(c));
      for (let n = 1; n < 10; n++) {
        await addResearchNote(ctx, { contact: id, text: `${NOTE} (${n})` });
        rss.sample(64);
      }
      if ((c + 1) % 200 === 0) progress((c + 1) * 10);
    }
  },
});

export const eventstoreBenchmarks: Benchmark[] = [
  defineBenchmark('command: add contact (new stream each)', (bench) =>
    compare(bench, 'command: add contact (new stream each)', addContacts, NEW_STREAMS, 500)),
  defineBenchmark('command: 10 events one by one to the same stream', (bench) =>
    compare(bench, 'command: 10 events one by one to the same stream', tenPerStream, SAME_STREAM_CONTACTS, 50)),
];

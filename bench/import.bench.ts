/**
 * `importContacts` of a 10,000-row LinkedIn Connections.csv into a fresh SQLite store, against raw
 * better-sqlite3 inserting 10,000 rows of the same sizes (the rows an import stores, padded to
 * 10,000) one per transaction, into a fresh file with the same schema and pragmas.
 *
 * The raw inserts are interleaved with the import: each time the import reports progress, the raw
 * side inserts its share of rows, and that time is taken out of the import's time. A machine busy
 * with other work then slows both alike. The floor of a sealed write (sealed-floor.ts) inserts the
 * same rows the same way, with a key and seals per row, beside them.
 */
import { join } from 'node:path';
import { systemClock } from '../src/app/clock.ts';
import { importContacts, type ImportReport } from '../src/app/contact-import.ts';
import type { AppContext } from '../src/app/handle.ts';
import { configureWorkspace } from '../src/app/workspace-commands.ts';
import { openSqliteEventStore } from '../src/eventstore/sqlite/store.ts';
import { sealedStore } from './sealed-store.ts';
import { defineBenchmark, medianBy, PeakRss, row, type BenchContext, type Benchmark } from './harness.ts';
import { linkedinConnectionsCsv } from './linkedin-csv.ts';
import { padRows, RawInserter, rowsAfter, type EventRow } from './raw-sqlite.ts';
import { FLOOR_GOAL, SealedFloor } from './sealed-floor.ts';

const RUNS = 3;
const ROWS = 10_000;
const NAME = 'import: 10,000-row LinkedIn CSV';
const BATCHED = 'import: 10,000 rows';

type Measured = { secs: number; raw: number; floor: number; best: number };

/**
 * The import measured RUNS times against raw inserts of the same rows, `perTransaction` rows per raw
 * transaction (the raw side only ever inserts whole transactions, so its batches stay that size).
 */
async function measureImport(bench: BenchContext, perTransaction: number): Promise<{ measured: Measured[]; rss: PeakRss; startMb: number }> {
  const dir = bench.tempDir();
  const csv = linkedinConnectionsCsv(ROWS);
  const rss = new PeakRss();
  rss.reset();
  const startMb = rss.mb;
  const measured: Measured[] = [];
  let rawRows: EventRow[] | undefined;
  // Run 0 warms up (and gives the rows the raw side inserts); runs 1..RUNS are measured.
  for (let run = 0; run <= RUNS; run++) {
    const file = join(dir, `project-${run}.db`);
    const sqlite = openSqliteEventStore(file);
    // Sealed as `outreach contact import` runs it: a key made and two fields sealed per contact.
    const store = sealedStore(sqlite, join(dir, `keys-${run}.db`));
    const raw = rawRows ? new RawInserter(join(dir, `raw-${run}.db`), perTransaction) : undefined;
    const floor = rawRows ? new SealedFloor(join(dir, `floor-${run}.db`), join(dir, `floor-keys-${run}.db`), perTransaction) : undefined;
    const best = rawRows ? new SealedFloor(join(dir, `best-${run}.db`), '', perTransaction, 'one-file') : undefined;
    const ctx: AppContext = { store, clock: systemClock, workspaceId: 'bench', actor: 'bench' };
    let paused = 0;
    let report: ImportReport;
    let secs: number;
    try {
      // An import needs a configured workspace; its events are not part of what is measured.
      await configureWorkspace(ctx, {
        ownerName: 'Sam Seeker',
        ownerEmail: 'sam@seeker.example',
        timezone: 'Europe/London',
        objective: 'Learn how data teams hire',
      });
      const configured = Number((await sqlite.headPosition()) ?? 0n);
      bench.settle();
      const t0 = performance.now();
      report = await importContacts(ctx, csv.text, (done, total) => {
        const p0 = performance.now();
        rss.sample();
        const upTo = done === total ? rawRows?.length : Math.floor(((rawRows?.length ?? 0) * (done / total)) / perTransaction) * perTransaction;
        if (raw && rawRows && upTo! > raw.rows) raw.insert(rawRows.slice(raw.rows, upTo));
        if (floor && rawRows && upTo! > floor.rows) floor.insert(rawRows.slice(floor.rows, upTo));
        if (best && rawRows && upTo! > best.rows) best.insert(rawRows.slice(best.rows, upTo));
        if (run > 0 && done % 2500 === 0 && done < total)
          bench.progress(`run ${run}/${RUNS}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`);
        paused += performance.now() - p0;
      });
      secs = (performance.now() - t0 - paused) / 1000;
      if (run === 0) rawRows = padRows(rowsAfter(sqlite.db, configured), ROWS);
    } finally {
      await store.close();
      raw?.close();
      floor?.close();
      best?.close();
    }
    if (report.rows !== ROWS) throw new Error(`the import read ${report.rows} rows, expected ${ROWS}`);
    const stored = rowsAfter(file).filter((r) => r.type === 'ContactAdded').length;
    if (report.imported !== stored) throw new Error(`the import reported ${report.imported} imported but stored ${stored} events`);
    if (report.duplicates !== csv.duplicates) bench.progress(`note: ${report.duplicates} duplicates skipped, the file has ${csv.duplicates}`);
    if (report.rejected.length > 0)
      bench.progress(`${report.rejected.length} rows rejected, first: line ${report.rejected[0]!.line}: ${report.rejected[0]!.reason}`);
    if (run === 0) continue;
    if (raw!.rows !== ROWS) throw new Error(`raw side inserted ${raw!.rows} rows, expected ${ROWS}`);
    measured.push({ secs, raw: raw!.seconds, floor: floor!.seconds, best: best!.seconds });
    bench.progress(
      `run ${run}/${RUNS}: ${secs.toFixed(2)} s (${Math.round(ROWS / secs).toLocaleString('en-US')} rows/s): imported ${report.imported}, duplicates ${report.duplicates}, rejected ${report.rejected.length}; raw ${raw!.seconds.toFixed(2)} s`,
    );
  }
  return { measured, rss, startMb };
}

export const importBenchmarks: Benchmark[] = [
  defineBenchmark(NAME, async (bench) => {
    const { measured, rss, startMb } = await measureImport(bench, 1);
    // The run with the median ratio: its import and its raw inserts were measured side by side.
    const { secs, raw: rawSecs } = medianBy(measured, (m) => m.secs / m.raw);
    return [
      row(`${NAME}: time`, secs, 's', rawSecs, '< 60 s'),
      row(`${NAME}: rows/s`, ROWS / secs, 'rows/s', ROWS / rawSecs, 'info'),
      row(`${NAME}: peak RSS`, rss.mb, 'MB', startMb, 'info (baseline: RSS at start)'),
    ];
  }),
  // The import appends in batches: its fair raw baseline is better-sqlite3 committing 100 rows at a time.
  defineBenchmark(BATCHED, async (bench) => {
    const { measured } = await measureImport(bench, 100);
    const { secs, raw: rawSecs, floor, best } = medianBy(measured, (m) => m.secs / m.raw);
    return [
      row(BATCHED, ROWS / secs, 'rows/s', ROWS / rawSecs, '>= 0.5x raw'),
      row(`${BATCHED}: floor (raw: key in keys.db before the events, 100/tx)`, ROWS / floor, 'rows/s', ROWS / rawSecs, FLOOR_GOAL),
      row(`${BATCHED}: floor (raw: key in the events' own transaction, 100/tx)`, ROWS / best, 'rows/s', ROWS / rawSecs, FLOOR_GOAL),
    ];
  }),
];

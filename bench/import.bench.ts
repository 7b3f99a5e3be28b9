/**
 * `importContacts` of a 10,000-row LinkedIn Connections.csv into a fresh SQLite store, against raw
 * better-sqlite3 inserting 10,000 rows of the same sizes one per transaction.
 */
import { join } from 'node:path';
import { systemClock } from '../src/app/clock.ts';
import { importContacts } from '../src/app/contact-import.ts';
import type { AppContext } from '../src/app/handle.ts';
import { openSqliteEventStore } from '../src/eventstore/sqlite/store.ts';
import { defineBenchmark, median, PeakRss, row, type Benchmark } from './harness.ts';
import { linkedinConnectionsCsv } from './linkedin-csv.ts';
import { insertOneByOne, padRows, readRows } from './raw-sqlite.ts';

const RUNS = 3;
const ROWS = 10_000;
const NAME = 'import: 10,000-row LinkedIn CSV';

export const importBenchmarks: Benchmark[] = [
  defineBenchmark(NAME, async (bench) => {
    const dir = bench.tempDir();
    const csv = linkedinConnectionsCsv(ROWS);
    const warmupCsv = linkedinConnectionsCsv(500, 2);
    const rss = new PeakRss();
    const rawRss = new PeakRss();
    const times: number[] = [];
    const rawTimes: number[] = [];
    let peak = 0;
    let rawPeak = 0;
    for (let run = 0; run <= RUNS; run++) {
      const warmup = run === 0;
      const file = join(dir, `project-${run}.db`);
      const store = openSqliteEventStore(file);
      const ctx: AppContext = { store, clock: systemClock, workspaceId: 'bench', actor: 'bench' };
      bench.settle();
      rss.reset();
      const t0 = performance.now();
      const report = await importContacts(ctx, warmup ? warmupCsv.text : csv.text, (done) => {
        rss.sample();
        if (!warmup && done % 2500 === 0) bench.progress(`run ${run}/${RUNS}: ${done.toLocaleString('en-US')} of ${ROWS.toLocaleString('en-US')} rows`);
      });
      const secs = (performance.now() - t0) / 1000;
      rss.sample();
      await store.close();
      const rows = readRows(file);
      bench.settle();
      rawRss.reset();
      const rawSecs = insertOneByOne(join(dir, `raw-${run}.db`), padRows(rows, warmup ? rows.length : ROWS), rawRss);
      if (warmup) continue;
      if (report.rows !== ROWS) throw new Error(`the import read ${report.rows} rows, expected ${ROWS}`);
      if (report.imported !== rows.length) throw new Error(`the import reported ${report.imported} imported but stored ${rows.length} events`);
      if (report.rejected.length > 0) bench.progress(`${report.rejected.length} rows rejected, first: line ${report.rejected[0]!.line}: ${report.rejected[0]!.reason}`);
      times.push(secs);
      rawTimes.push(rawSecs);
      peak = Math.max(peak, rss.mb);
      rawPeak = Math.max(rawPeak, rawRss.mb);
      bench.progress(`run ${run}/${RUNS}: ${secs.toFixed(2)} s, imported ${report.imported}, duplicates ${report.duplicates} (${csv.duplicates} in the file), rejected ${report.rejected.length}; raw ${rawSecs.toFixed(2)} s`);
    }
    const secs = median(times);
    const rawSecs = median(rawTimes);
    return [
      row(`${NAME}: time`, secs, 's', rawSecs, '< 60 s'),
      row(`${NAME}: rows/s`, ROWS / secs, 'rows/s', ROWS / rawSecs, 'info'),
      row(`${NAME}: peak RSS`, peak, 'MB', rawPeak, 'info'),
    ];
  }),
];

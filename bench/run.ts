/**
 * `npm run bench [-- --filter <text>] [-- --json]`. Every benchmark group registers here, in one
 * list: a file bench/<group>.bench.ts exports `Benchmark[]` (see harness.ts), and its rows are named
 * "<benchmark name>" or "<benchmark name>: <what>", so --filter and latest.json merging find them.
 */
import { main, type Benchmark } from './harness.ts';
import { eventstoreBenchmarks } from './eventstore.bench.ts';
import { importBenchmarks } from './import.bench.ts';
import { emailBenchmarks } from './email.bench.ts';
import { projectionBenchmarks } from './projections.bench.ts';
import { apiBenchmarks } from './api.bench.ts';
import { calendarBenchmarks } from './calendar.bench.ts';
import { cliBenchmarks } from './cli.bench.ts';
import { mailboxBenchmarks } from './mailbox.bench.ts';

const benchmarks: Benchmark[] = [
  ...eventstoreBenchmarks,
  ...importBenchmarks,
  ...emailBenchmarks,
  ...projectionBenchmarks,
  ...apiBenchmarks,
  ...calendarBenchmarks,
  ...cliBenchmarks,
  ...mailboxBenchmarks,
];

await main(benchmarks);

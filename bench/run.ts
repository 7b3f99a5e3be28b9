/**
 * `npm run bench [-- --filter <text>] [-- --json]`. Every benchmark group registers here, in one list.
 */
import { main, type Benchmark } from './harness.ts';
import { eventstoreBenchmarks } from './eventstore.bench.ts';
import { importBenchmarks } from './import.bench.ts';

const benchmarks: Benchmark[] = [
  ...eventstoreBenchmarks,
  ...importBenchmarks,
];

await main(benchmarks);

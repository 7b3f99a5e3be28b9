/**
 * A small benchmark harness. Each benchmark file exports a list of benchmarks; bench/run.ts puts
 * every list in one array and calls `main`. A benchmark measures the project's code and the raw
 * library doing the same work in the same run, and returns one or more result rows.
 *
 *   npm run bench                      all benchmarks: a table on stdout, bench/results/latest.json
 *   npm run bench -- --filter import   only benchmarks whose name contains "import" (case-insensitive)
 *   npm run bench -- --json            the results array as JSON on stdout instead of the table
 *
 * Progress goes to stderr. A filtered run updates its own rows in latest.json and keeps the others.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One row of bench/results/latest.json. */
export type Result = {
  name: string;
  value: number;
  unit: string;
  /** The raw library doing the same work, measured in the same run; null when there is none. */
  baseline: number | null;
  /** value / baseline. */
  ratio: number | null;
  /** Such as ">= 0.5x raw" (checked against ratio), "< 60 s" (checked against value) or "info". */
  goal: string;
};

export type BenchContext = {
  /** A line on stderr, prefixed with the benchmark's name. */
  progress(message: string): void;
  /** A fresh directory under os.tmpdir(), removed when the benchmark ends. */
  tempDir(): string;
  /** Collect garbage (when the runtime allows) so one measured phase does not pay for the last. */
  settle(): void;
};

export type Benchmark = {
  name: string;
  run(ctx: BenchContext): Promise<Result[]>;
};

export const defineBenchmark = (name: string, run: Benchmark['run']): Benchmark => ({ name, run });

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The item whose key is the median (the middle one, or the lower middle of an even count). */
export const medianBy = <T>(items: T[], key: (t: T) => number): T => {
  if (items.length === 0) throw new Error('median of nothing');
  const s = [...items].sort((a, b) => key(a) - key(b));
  return s[Math.floor((s.length - 1) / 2)]!;
};

/** Seconds that `work` takes. */
export async function seconds(work: () => unknown): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

/** A row whose ratio is value / baseline. */
export const row = (name: string, value: number, unit: string, baseline: number | null, goal: string): Result => ({
  name,
  value,
  unit,
  baseline,
  ratio: baseline ? value / baseline : null,
  goal,
});

/**
 * Peak RSS, sampled by calling `sample()` from the measured loop. (The project's async code mostly
 * resolves without yielding to timers, so a setInterval sampler would not run during the work.)
 */
export class PeakRss {
  peak = 0;
  private calls = 0;
  reset(): void {
    this.peak = process.memoryUsage.rss();
    this.calls = 0;
  }
  /** Cheap enough to call every iteration: reads RSS once every `every` calls. */
  sample(every = 1): void {
    if (this.calls++ % every !== 0) return;
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }
  get mb(): number {
    return this.peak / 2 ** 20;
  }
}

let gc: (() => void) | undefined;
try {
  setFlagsFromString('--expose-gc');
  gc = runInNewContext('gc') as () => void;
} catch {
  gc = undefined;
}

/** Checks a row against its goal; undefined when the goal is not one the harness understands. */
export function meetsGoal(r: Result): boolean | undefined {
  const m = /^\s*(>=|<=|>|<)\s*([\d.]+)\s*(x raw|\S+)?/.exec(r.goal);
  if (!m) return undefined;
  const against = m[3] === 'x raw' ? r.ratio : r.value;
  if (against === null) return undefined;
  const limit = Number(m[2]);
  switch (m[1]) {
    case '>=':
      return against >= limit;
    case '<=':
      return against <= limit;
    case '>':
      return against > limit;
    default:
      return against < limit;
  }
}

const fmt = (n: number | null): string => {
  if (n === null || !Number.isFinite(n)) return '-';
  const abs = Math.abs(n);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 10 ? 2 : 3;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

export function formatTable(results: Result[]): string {
  const header = ['benchmark', 'value', 'unit', 'raw baseline', 'ratio', 'goal', 'status'];
  const rows = results.map((r) => {
    const ok = meetsGoal(r);
    return [
      r.name,
      fmt(r.value),
      r.unit,
      fmt(r.baseline),
      r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
      r.goal,
      ok === undefined ? '' : ok ? 'ok' : 'BELOW GOAL',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((c) => c[i]!.length)));
  const right = new Set([1, 3, 4]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');

/**
 * Writes the results. After a filtered run, the rows of the benchmarks that ran replace their old
 * rows and the other rows stay; rows are kept in the order the benchmarks are registered.
 */
export function writeResults(results: Result[], all: Benchmark[], ran: Benchmark[], filtered: boolean, file = RESULTS_FILE): void {
  const owner = (r: Result) => {
    const i = all.findIndex((b) => r.name === b.name || r.name.startsWith(`${b.name}:`));
    return i < 0 ? all.length : i;
  };
  let merged = results;
  if (filtered) {
    let previous: Result[] = [];
    try {
      previous = JSON.parse(readFileSync(file, 'utf8')) as Result[];
    } catch {
      previous = [];
    }
    const ranIndexes = new Set(ran.map((b) => all.indexOf(b)));
    const fresh = new Set(results.map((r) => r.name));
    merged = [...previous.filter((r) => !fresh.has(r.name) && !ranIndexes.has(owner(r))), ...results]
      .map((r, i) => ({ r, i }))
      .sort((a, b) => owner(a.r) - owner(b.r) || a.i - b.i)
      .map(({ r }) => r);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
}

export type RunOptions = { filter?: string; log?: (line: string) => void };

/** Temp directories of the benchmark running now; removed on Ctrl-C as well. */
const liveDirs = new Set<string>();
const removeLiveDirs = () => {
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  liveDirs.clear();
};
let interruptHandlerInstalled = false;
const installInterruptHandler = () => {
  if (interruptHandlerInstalled) return;
  interruptHandlerInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeLiveDirs();
      process.exit(130);
    });
  }
};

/** Runs the benchmarks in order; one that fails is reported on stderr and the others still run. */
export async function runBenchmarks(benchmarks: Benchmark[], opts: RunOptions = {}): Promise<{ results: Result[]; ran: Benchmark[]; failed: string[] }> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const needle = opts.filter?.toLowerCase();
  const selected = needle ? benchmarks.filter((b) => b.name.toLowerCase().includes(needle)) : benchmarks;
  const results: Result[] = [];
  const failed: string[] = [];
  installInterruptHandler();
  for (const b of selected) {
    const ctx: BenchContext = {
      progress: (m) => log(`[bench] ${b.name}: ${m}`),
      tempDir: () => {
        const d = mkdtempSync(join(tmpdir(), 'outreach-bench-'));
        liveDirs.add(d);
        return d;
      },
      settle: () => gc?.(),
    };
    const t0 = performance.now();
    try {
      const rows = await b.run(ctx);
      results.push(...rows);
      log(`[bench] ${b.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      failed.push(b.name);
      log(`[bench] ${b.name}: FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      removeLiveDirs();
    }
  }
  return { results, ran: selected, failed };
}

export async function main(benchmarks: Benchmark[], argv = process.argv.slice(2)): Promise<void> {
  let values: { filter?: string; json: boolean; help: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { filter: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\nusage: npm run bench -- [--filter <text>] [--json]\n`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    process.stdout.write(`usage: npm run bench -- [--filter <text>] [--json]\n\nbenchmarks:\n${benchmarks.map((b) => `  ${b.name}`).join('\n')}\n`);
    return;
  }
  const names = new Set<string>();
  for (const b of benchmarks) {
    if (names.has(b.name)) throw new Error(`two benchmarks are named "${b.name}"`);
    names.add(b.name);
  }
  const { results, ran, failed } = await runBenchmarks(benchmarks, { filter: values.filter });
  if (ran.length === 0) {
    process.stderr.write(`no benchmark name contains "${values.filter}"; names:\n${benchmarks.map((b) => `  ${b.name}`).join('\n')}\n`);
    process.exitCode = 1;
    return;
  }
  if (results.length > 0) writeResults(results, benchmarks, ran, values.filter !== undefined);
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(`\n${formatTable(results)}\n\n(written to ${RESULTS_FILE})\n`);
  if (failed.length > 0) {
    process.stderr.write(`failed: ${failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

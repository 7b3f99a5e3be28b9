/**
 * How long a CLI command takes to start and finish, against `node -e 0` (Node starting and doing
 * nothing): `outreach events` on a data folder with a configured workspace and an imported
 * LinkedIn export, the way a seeker runs it. The two commands alternate, 10 measured runs each after
 * 2 warm-ups, so a machine busy with other work slows both alike; the values are medians of wall time.
 *
 * The CLI is built first (as `npm ci` does), so the row measures dist/; a second row, for information,
 * measures the same command from the TypeScript sources through tsx (what a stale build falls back to).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { STAMP, sourcesFingerprint } from '../bin/entry.js';
import { defineBenchmark, median, type Benchmark, type Result } from './harness.ts';

const NAME = 'cli: start of outreach events';
const RUNS = 10;
const WARMUPS = 2;
const ROOT = resolve(import.meta.dirname, '..');
const BIN = resolve(ROOT, 'bin/outreach.js');

/** Wall seconds of one run; the command must succeed. */
function timed(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const secs = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return secs;
}

/** Runs each command RUNS times, alternating, after WARMUPS rounds; the median of each. */
function interleaved(commands: string[][], env: NodeJS.ProcessEnv): number[] {
  const times = commands.map(() => [] as number[]);
  for (let round = 0; round < WARMUPS + RUNS; round++) {
    commands.forEach((args, i) => {
      const secs = timed(args, env);
      if (round >= WARMUPS) times[i]!.push(secs);
    });
  }
  return times.map(median);
}

/** ratio = baseline / value: the share of the command's time that bare Node takes (higher is better). */
const versusNode = (name: string, value: number, baseline: number, goal: string): Result => ({
  name,
  value,
  unit: 's',
  baseline,
  ratio: baseline / value,
  goal,
});

export const cliBenchmarks: Benchmark[] = [
  defineBenchmark(NAME, async (bench) => {
    const build = spawnSync(process.execPath, [resolve(ROOT, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the build failed');
    const data = bench.tempDir();
    const env = { ...process.env, OUTREACH_DATA_DIR: data, OUTREACH_WORKSPACE: 'default' };
    const setup = [
      ['workspace', 'configure', '--owner-name', 'Sam Seeker', '--owner-email', 'sam@example.com', '--timezone', 'Europe/London', '--objective', 'Learn'],
      ['contact', 'import', resolve(ROOT, 'tests/fixtures/Connections.csv')],
    ];
    for (const args of setup) timed([BIN, ...args], env);

    bench.progress(`node -e 0 and outreach events from dist/, ${RUNS} runs each, alternating`);
    const [node, built] = interleaved(
      [
        ['-e', '0'],
        [BIN, 'events'],
      ],
      env,
    ) as [number, number];

    // The sources through tsx, as bin/entry.js runs them when the build is stale.
    bench.progress(`node -e 0 and outreach events from the sources (tsx), ${RUNS} runs each, alternating`);
    const fromSources = [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const { main } = await import(${JSON.stringify(resolve(ROOT, 'src/cli/main.ts'))}); process.exitCode = await main(['events']);`,
    ];
    const [node2, sources] = interleaved([['-e', '0'], fromSources], env) as [number, number];

    const stamp = JSON.parse(readFileSync(resolve(ROOT, STAMP), 'utf8')) as { sources: unknown };
    if (JSON.stringify(sourcesFingerprint()) !== JSON.stringify(stamp.sources))
      bench.progress('warning: a source changed while measuring: the first row may have run the sources, not dist/');
    return [versusNode(NAME, built, node, '>= 0.33x raw'), versusNode(`${NAME}: from the sources through tsx`, sources, node2, 'info')];
  }),
];

#!/usr/bin/env node
// `npm run test:faults`: the fault scenarios at full size, then one line per scenario; fails on any loss.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const dir = join(process.cwd(), 'test-output', 'faults');
rmSync(dir, { recursive: true, force: true });

const args = ['vitest', 'run', 'tests/faults', ...process.argv.slice(2).filter((a) => a !== '--json' && a !== '--quick')];
const run = spawnSync('npx', args, {
  stdio: json ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  env: { ...process.env, OUTREACH_FAULTS: quick ? 'quick' : 'full' },
});

const rows = existsSync(dir)
  ? readdirSync(dir).flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    )
  : [];
rows.sort((a, b) => a.name.localeCompare(b.name));
const lost = rows.reduce((n, r) => n + r.lost, 0);
const ok = run.status === 0 && rows.length > 0 && lost === 0;
if (json) {
  console.log(JSON.stringify({ ok, vitestExit: run.status, scenarios: rows }));
} else {
  console.log('\nFault scenarios');
  for (const r of rows) console.log(`scenario=${r.name} due=${r.due} done=${r.done} lost=${r.lost} twice=${r.twice}${r.note ? `  (${r.note})` : ''}`);
  if (rows.length === 0) console.log('no scenario reported: the run failed before any finished');
  console.log(ok ? `all ${rows.length} scenarios: nothing lost` : `FAILED: ${lost} lost, vitest exit ${run.status}`);
}
process.exit(ok ? 0 : 1);

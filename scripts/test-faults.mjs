#!/usr/bin/env node
// `npm run test:faults`: the fault scenarios at full size, then one line per scenario; fails on any loss.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const dir = join(process.cwd(), 'test-output', 'faults');
rmSync(dir, { recursive: true, force: true });

// `--hogs N` (or OUTREACH_FAULT_HOGS=N): N busy-loop processes for the run, so the scenarios also hold on a slow machine.
const argv = process.argv.slice(2);
const hogsAt = argv.indexOf('--hogs');
const hogs = Number(hogsAt >= 0 ? argv[hogsAt + 1] : process.env['OUTREACH_FAULT_HOGS'] || 0);
const passed = argv.filter((a, i) => a !== '--json' && a !== '--quick' && (hogsAt < 0 || (i !== hogsAt && i !== hogsAt + 1)));
const hogProcesses = Array.from({ length: hogs }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
if (hogs > 0) console.log(`${hogs} CPU hog(s) running: ${hogProcesses.map((h) => h.pid).join(', ')}`);

const args = ['vitest', 'run', ...(passed.some((a) => !a.startsWith('-')) ? [] : ['tests/faults']), ...passed];
const run = spawnSync('npx', args, {
  stdio: json ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  env: { ...process.env, OUTREACH_FAULTS: quick ? 'quick' : 'full' },
});
for (const h of hogProcesses) h.kill('SIGKILL');

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

import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fullSize } from './sizes.ts';

/**
 * Fault scenarios run at two sizes: the quick one inside `npm test`, the full one the issue asks for
 * through `npm run test:faults` (OUTREACH_FAULTS=full) and `npm run test:full` (OUTREACH_TEST_SIZE=full),
 * both run by CI. OUTREACH_FAULTS, when set, decides for the fault scenarios alone.
 */
export const fullFaults = process.env['OUTREACH_FAULTS'] ? process.env['OUTREACH_FAULTS'] === 'full' : fullSize;
export const faultScale = <T>(quick: T, full: T): T => (fullFaults ? full : quick);

export type ScenarioResult = { name: string; due: number; done: number; lost: number; twice: number; note?: string };

const reportDir = join(process.cwd(), 'test-output', 'faults');

/**
 * One line per scenario, the same on the console and in test-output/faults/<pid>.jsonl, from which
 * `npm run test:faults` prints its table. Loss fails the test that reports it (the caller asserts).
 */
export function reportScenario(r: ScenarioResult): ScenarioResult {
  const line = `scenario=${r.name} due=${r.due} done=${r.done} lost=${r.lost} twice=${r.twice}${r.note ? ` (${r.note})` : ''}`;
  console.log(line);
  mkdirSync(reportDir, { recursive: true });
  appendFileSync(join(reportDir, `${process.pid}.jsonl`), `${JSON.stringify({ ...r, size: fullFaults ? 'full' : 'quick', at: new Date().toISOString() })}\n`);
  return r;
}

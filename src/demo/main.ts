import { openSession } from '../cli/session.ts';
import { jsonReplacer } from '../cli/output.ts';
import { seedDemo } from './seed.ts';

/** Counts of each event type in one workspace, in the order they first appear. */
async function countEvents(session: Awaited<ReturnType<typeof openSession>>) {
  const counts = new Map<string, number>();
  let after: bigint | null = null;
  for (;;) {
    const batch = await session.ctx.store.readAll({ after, maxCount: 2000 });
    if (batch.length === 0) break;
    for (const e of batch) if (e.metadata['workspaceId'] === session.ctx.workspaceId) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    after = batch.at(-1)!.position;
  }
  return counts;
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const session = await openSession({ workspace: process.env['OUTREACH_WORKSPACE'] || 'demo' }, 'demo');
  const say = (line: string) => { if (!json) process.stdout.write(`${line}\n`); };
  try {
    say(`Outreach demo — data in ${session.config.dataDir}, workspace "${session.ctx.workspaceId}", event store ${session.ctx.store.kind}`);
    const report = await seedDemo(session.ctx, (line) => say(`  ${line}`));
    if (!report.created) say('  the demo workspace already exists: nothing added (delete the data folder to start again)');
    const counts = await countEvents(session);
    if (json) {
      process.stdout.write(`${JSON.stringify({ ...report, dataDir: session.config.dataDir, events: Object.fromEntries(counts) }, jsonReplacer)}\n`);
    } else {
      say('\nEvents per type:');
      const width = Math.max(...[...counts.keys()].map((k) => k.length));
      for (const [type, n] of counts) say(`  ${type.padEnd(width)}  ${String(n).padStart(4)}`);
      say(`  ${'total'.padEnd(width)}  ${String([...counts.values()].reduce((a, b) => a + b, 0)).padStart(4)}`);
      say(`\nNext: OUTREACH_WORKSPACE=${session.ctx.workspaceId} npx outreach events   (or: npx outreach --help)`);
    }
    return 0;
  } finally {
    await session.close();
  }
}

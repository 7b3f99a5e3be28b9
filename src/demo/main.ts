import { readdir } from 'node:fs/promises';
import { openSession, type Session } from '../cli/session.ts';
import { jsonReplacer } from '../cli/output.ts';
import { seedDemo } from './seed.ts';
import { demoRedis } from './redis.ts';
import { isOutreachError } from '../domain/errors.ts';

/** Counts of each event type in one workspace, in the order they first appear. */
async function countEvents(session: Session) {
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

/**
 * The whole cycle on the embedded defaults: the command side seeds a seeker's first weeks, then
 * the reactor re-derives every job (as after losing Redis: done effects are skipped) and the
 * workers send what is due now into the outbox, leaving later follow-ups scheduled.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (e) {
    if (!isOutreachError(e)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
}

async function run(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const say = (line = '') => { if (!json) process.stdout.write(`${line}\n`); };
  const session = await openSession({ workspace: process.env['OUTREACH_WORKSPACE'] || 'demo' }, 'demo');
  const redis = await demoRedis(process.env).catch(async (e: unknown) => { await session.close(); throw e; });
  try {
    say(`Outreach demo — data in ${session.config.dataDir}, workspace "${session.ctx.workspaceId}", event store ${session.ctx.store.kind}`);
    say(`  Redis: ${redis.private ? `a private redis-server at ${redis.url} (stopped at the end)` : redis.url}`);
    const report = await seedDemo(session.ctx, (line) => say(`  ${line}`));
    if (!report.created) say('  the demo workspace already exists: nothing added (delete the data folder to start again)');

    // The demo's jobs live under a prefix of their own; a fresh demo data folder makes any left there stale.
    const env = { ...process.env, REDIS_URL: redis.url, OUTREACH_QUEUE_PREFIX: process.env['OUTREACH_QUEUE_PREFIX'] || 'outreach-demo' };
    const { openRuntime } = await import('../infra/runtime.ts');
    const { deleteKeysWithPrefix } = await import('../infra/redis.ts');
    const { replayReactor } = await import('../app/reactor-runner.ts');
    const { runWorkers } = await import('../cli/commands/worker.ts');
    const { snapshot } = await import('../infra/queue/idle.ts');
    const rt = await openRuntime(session.config, env, { store: session.ctx.store });
    if (report.created) await deleteKeysWithPrefix(rt.producer, rt.prefix);
    let tally: Record<string, number>;
    let next: Awaited<ReturnType<typeof snapshot>>;
    try {
      await replayReactor({ store: rt.store, clock: rt.clock, scheduler: rt.scheduler, from: 0n });
      tally = await runWorkers(rt, { only: ['reactor', 'email', 'calendar'], untilIdle: true, json: false, quiet: true });
      next = await snapshot(rt.queues.email, 10);
    } finally {
      await rt.close();
    }
    const counts = await countEvents(session);
    const outbox = `${session.config.dataDir}/outbox`;
    if (json) {
      process.stdout.write(`${JSON.stringify({ ...report, dataDir: session.config.dataDir, outbox, calendarFiles: (await readdir(`${session.config.dataDir}/calendar`).catch(() => [] as string[])).length, emails: { sent: tally['sent'] ?? 0, skipped: tally['skipped'] ?? 0, deferred: tally['deferred'] ?? 0 }, scheduled: next.next, events: Object.fromEntries(counts) }, jsonReplacer)}\n`);
      return 0;
    }
    say(`\nEmails this run: ${tally['sent'] ?? 0} sent to ${outbox}, ${tally['skipped'] ?? 0} skipped (already sent, or no longer due), ${tally['deferred'] ?? 0} deferred`);
    const icsFiles = await readdir(`${session.config.dataDir}/calendar`).catch(() => [] as string[]);
    say(`Calendar invitations (.ics) for the booked meetings: ${icsFiles.length} in ${session.config.dataDir}/calendar`);
    say(`Scheduled follow-ups (${next.counts['delayed'] ?? 0} in all; the next ones):`);
    for (const n of next.next) say(`  ${n.dueAt}  ${n.name}`);
    say('\nEvents per type:');
    const width = Math.max(...[...counts.keys()].map((k) => k.length));
    for (const [type, n] of counts) say(`  ${type.padEnd(width)}  ${String(n).padStart(4)}`);
    say(`  ${'total'.padEnd(width)}  ${String([...counts.values()].reduce((a, b) => a + b, 0)).padStart(4)}`);
    say(`\nNext: npx outreach outbox --workspace ${session.ctx.workspaceId}   ·   npx outreach events --workspace ${session.ctx.workspaceId}   ·   npx outreach --help`);
    return 0;
  } finally {
    await session.close();
    await redis.stop();
  }
}

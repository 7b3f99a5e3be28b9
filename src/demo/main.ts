import { readdir } from 'node:fs/promises';
import { openSession, type Session } from '../cli/session.ts';
import { jsonReplacer } from '../cli/output.ts';
import { monthStart, seedDemo, type SeedReport } from './seed.ts';
import { simulatedClock, simulatedEffects } from './simulation.ts';
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

/**
 * The seeker's month on a simulated clock, with the effects the workers would run (emails to the
 * outbox, .ics files) each at its moment; the events carry those moments.
 */
async function simulateMonth(
  session: Session,
  env: NodeJS.ProcessEnv,
  say: (line: string) => void,
): Promise<{ report: SeedReport; tally: Record<string, number> }> {
  const { emailWiringFrom } = await import('../main/email.ts');
  const { calendarWiringFrom } = await import('../main/calendar.ts');
  const email = emailWiringFrom(session.config, env);
  const calendar = calendarWiringFrom(session.config, env);
  const sim = simulatedClock(monthStart(session.ctx.clock()).toUTC().toISO()!);
  const effects = simulatedEffects({
    store: session.ctx.store,
    sim,
    email: { sender: email.sender, messageDomain: email.messageDomain },
    calendar: { executor: calendar.executor, messageDomain: calendar.messageDomain, rateLimitWaitMs: calendar.rateLimitWaitMs },
  });
  try {
    const report = await seedDemo(session.ctx, (line) => say(`  ${line}`), { sim, effectsUntil: (at) => effects.runUntil(at) });
    return { report, tally: effects.tally };
  } finally {
    await email.transport.close();
  }
}

/** Brings the read models up to the log (the projector, in this process, until caught up). */
async function project(session: Session) {
  const { projectorWorker } = await import('../main/workers.ts');
  const { silentLogger } = await import('../main/logger.ts');
  const projector = projectorWorker({ store: session.ctx.store, config: session.config }, silentLogger());
  await projector.caughtUp;
  await projector.stop();
}

/** The funnel and the method's figures, as text. */
async function funnelSummary(session: Session): Promise<string[]> {
  const { openReadModels } = await import('../read-models/queries.ts');
  await project(session);
  const readModels = openReadModels(session.config.dataDir);
  try {
    const d = readModels.dashboard({ workspaceId: session.ctx.workspaceId, now: session.ctx.clock() });
    const t = d.totals;
    const hours = (h: number | null) => (h === null ? '–' : `${h.toFixed(1)} h`);
    const share = d.thankYouLatency.within24hShare;
    return [
      '\nFunnel:',
      `  added ${t.added} → requested ${t.requested} → booked ${t.booked} → held ${t.held} → thanked ${t.thanked} → leads ${t.leads}`,
      `  thank-you latency: p50 ${hours(d.thankYouLatency.p50Hours)}, p90 ${hours(d.thankYouLatency.p90Hours)}, within 24 h ${share === null ? '–' : `${Math.round(share * 100)}%`}`,
      `  referrals per interview: ${d.referralsPerInterview.average?.toFixed(1) ?? '–'} (the method asks for ${d.referralsPerInterview.target}; ${d.referralsPerInterview.reachingTarget} of ${d.referralsPerInterview.meetings} reached it)`,
      `  upcoming meetings: ${d.agenda.length}; follow-ups due: ${d.followUpsDue.length}; job leads: ${d.jobLeads.length}`,
      ...(d.draftsWaiting.length
        ? [
            `  emails waiting for your review: ${d.draftsWaiting.length} (first requests are reviewed before they go: \`npx outreach drafts --workspace ${session.ctx.workspaceId}\`)`,
          ]
        : []),
    ];
  } finally {
    readModels.close();
  }
}

/** The dashboard on the demo's data until Ctrl-C. */
async function serveDashboard(session: Session, env: NodeJS.ProcessEnv) {
  const { startApi } = await import('../main/api.ts');
  const port = Number(env['PORT'] || 3000);
  const start = (p: number) => startApi({ config: session.config, env, store: session.ctx.store, port: p });
  const api = await start(port).catch((e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? start(0) : Promise.reject(e)));
  process.stdout.write(`\nDashboard: ${api.loginUrl}\n(the link holds this run's API token; Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await api.close();
}

async function run(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const say = (line = '') => {
    if (!json) process.stdout.write(`${line}\n`);
  };
  const session = await openSession({ workspace: process.env['OUTREACH_WORKSPACE'] || 'demo' }, 'demo');
  const redis = await demoRedis(process.env).catch(async (e: unknown) => {
    await session.close();
    throw e;
  });
  try {
    say(`Outreach demo — data in ${session.config.dataDir}, workspace "${session.ctx.workspaceId}", event store ${session.ctx.store.kind}`);
    say(`  Redis: ${redis.private ? `a private redis-server at ${redis.url} (stopped at the end)` : redis.url}`);
    // The demo's jobs live under a prefix of their own; a fresh demo data folder makes any left there stale.
    const env = { ...process.env, REDIS_URL: redis.url, OUTREACH_QUEUE_PREFIX: process.env['OUTREACH_QUEUE_PREFIX'] || 'outreach-demo' };
    const month = await simulateMonth(session, env, say);
    const report = month.report;
    if (!report.created) say('  the demo workspace already exists: nothing added (delete the data folder to start again)');
    const { openRuntime } = await import('../main/runtime.ts');
    const { replayReactor } = await import('../app/reactor/runner.ts');
    const { runWorkers } = await import('../main/workers.ts');
    const rt = await openRuntime(session.config, env, { store: session.ctx.store });
    if (report.created) await rt.deleteQueueKeys();
    let tally: Record<string, number>;
    let next: Awaited<ReturnType<typeof rt.snapshots>>[number];
    try {
      await replayReactor({ store: rt.store, clock: rt.clock, scheduler: rt.scheduler, from: 0n });
      tally = await runWorkers(rt, { only: ['reactor', 'email', 'calendar'], untilIdle: true, json: false, quiet: true });
      next = (await rt.snapshots(10)).find((s) => s.queue === 'email')!;
    } finally {
      await rt.close();
    }
    const counts = await countEvents(session);
    const outbox = `${session.config.dataDir}/outbox`;
    if (json) {
      const { openReadModels } = await import('../read-models/queries.ts');
      await project(session);
      const readModels = openReadModels(session.config.dataDir);
      const dashboard = readModels.dashboard({ workspaceId: session.ctx.workspaceId, now: session.ctx.clock() });
      readModels.close();
      process.stdout.write(
        `${JSON.stringify({ ...report, funnel: dashboard.totals, thankYouLatency: dashboard.thankYouLatency, referralsPerInterview: dashboard.referralsPerInterview, dataDir: session.config.dataDir, outbox, calendarFiles: (await readdir(`${session.config.dataDir}/calendar`).catch(() => [] as string[])).length, emails: { sent: tally['sent'] ?? 0, skipped: tally['skipped'] ?? 0, deferred: tally['deferred'] ?? 0 }, scheduled: next.next, events: Object.fromEntries(counts) }, jsonReplacer)}\n`,
      );
      return 0;
    }
    if (report.created) {
      say(`\nThe month's effects (emails to ${outbox}, calendar files), each run at its simulated moment:`);
      for (const [what, n] of Object.entries(month.tally).sort()) say(`  ${what.padEnd(34)} ${String(n).padStart(3)}`);
    }
    say(`Emails due now, sent by the workers this run: ${tally['sent'] ?? 0} (${tally['skipped'] ?? 0} skipped: already sent, or no longer due)`);
    const icsFiles = await readdir(`${session.config.dataDir}/calendar`).catch(() => [] as string[]);
    say(`Calendar invitations (.ics) for the booked meetings: ${icsFiles.length} in ${session.config.dataDir}/calendar`);
    say(`Scheduled follow-ups (${next.counts['delayed'] ?? 0} in all; the next ones):`);
    for (const n of next.next) say(`  ${n.dueAt}  ${n.name}`);
    say('\nEvents per type:');
    const width = Math.max(...[...counts.keys()].map((k) => k.length));
    for (const [type, n] of counts) say(`  ${type.padEnd(width)}  ${String(n).padStart(4)}`);
    say(`  ${'total'.padEnd(width)}  ${String([...counts.values()].reduce((a, b) => a + b, 0)).padStart(4)}`);
    const summary = await funnelSummary(session);
    for (const line of summary) say(line);
    if (report.phoneMeetingId) {
      const { renderCallScript } = await import('../main/call-script.ts');
      const { script } = await renderCallScript(session.ctx, report.phoneMeetingId, env);
      say(`\nA request by telephone: \`npx outreach call aisha --workspace ${session.ctx.workspaceId}\` prints its script:\n`);
      for (const line of script.trimEnd().split('\n')) say(`  ${line}`);
    }
    say(
      `\nNext: npx outreach outbox --workspace ${session.ctx.workspaceId}   ·   npx outreach events --workspace ${session.ctx.workspaceId}   ·   npx outreach --help`,
    );
    if (argv.includes('--no-serve') || process.env['CI'] === 'true') return 0;
    await serveDashboard(session, env);
    return 0;
  } finally {
    await session.close();
    await redis.stop();
  }
}

import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { startSmtpServer } from '../support/smtp-server.ts';
import { appSandbox } from '../support/app.ts';
import { configureAllHours, heldMeeting } from '../support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, testPrefix, testRuntime } from '../support/pipeline.ts';
import { replayReactor } from '../../src/app/reactor/runner.ts';
import { bySize } from '../support/sizes.ts';

/** Thank-yous in the batch; the worker is killed after 30% of them went out. */
const N = bySize(100, 200);
const KILL_AFTER = Math.round(N * 0.3);

const prefix = testPrefix();
afterAll(async () => {
  await deleteKeys(prefix);
});

const worker = (env: Record<string, string>, args: string[]): ChildProcess =>
  spawn(process.execPath, ['bin/outreach.js', 'worker', '--only', 'email', ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });

describe(`a worker killed with SIGKILL in the middle of a batch of ${N} thank-yous`, () => {
  it('sends every one after a restart; only mails in the named window (accepted, result not yet stored) go twice', async () => {
    const smtp = await startSmtpServer();
    const s = await appSandbox({ configure: false });
    await configureAllHours(s.ctx, { dailyLimit: 1000 });
    const meetings: string[] = [];
    for (let n = 0; n < N; n++) meetings.push((await heldMeeting(s.ctx, n)).meeting);
    const env = pipelineEnv(prefix, s.dir, smtp.url);
    const rt = await testRuntime(s.store, s.dir, env);
    await replayReactor({ store: s.store, clock: s.ctx.clock, scheduler: rt.scheduler, from: 0n });
    await rt.close();

    const first = worker(env, []);
    const until = Date.now() + 60_000;
    while (smtp.messages.length < KILL_AFTER && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = smtp.messages.length;
    const t1 = Date.now();

    const second = worker(env, ['--until-idle']);
    const code = await new Promise<number | null>((r) => second.once('exit', r));
    expect(code).toBe(0);
    const t2 = Date.now();

    const thanked = await Promise.all(meetings.map(async (m) => (await s.store.readStream(`meeting-${m}`)).filter((e) => e.type === 'ThankYouSent').length));
    const perMessage = new Map<string, number>();
    for (const m of smtp.messages) perMessage.set(m.parsed.messageId!, (perMessage.get(m.parsed.messageId!) ?? 0) + 1);
    const twice = [...perMessage.values()].filter((n) => n > 1).length;
    const lost = thanked.filter((n) => n === 0).length;
    console.log(
      `scenario=sigkill-email-worker due=${N} done=${thanked.filter((n) => n === 1).length} lost=${lost} twice=${twice} (killed after ${atKill} deliveries; restart to idle ${t2 - t1} ms)`,
    );
    expect(lost).toBe(0);
    expect(thanked.every((n) => n === 1)).toBe(true);
    expect(perMessage.size).toBe(N);
    // At most the jobs that were in flight when the process died can repeat (concurrency 10).
    expect(twice).toBeLessThanOrEqual(10);
    await smtp.stop();
    await s.cleanup();
  }, 120_000);
});

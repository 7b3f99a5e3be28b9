/**
 * The mailbox from the command line: `outreach worker --only mailbox --until-idle` reads a real
 * Dovecot once and a reply withdraws the nudge with no typing; `outreach mailbox status` says what
 * was read; a wrong password is one clear line and one MailboxDisconnected, not a retry loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox } from '../support/cli.ts';
import { startDovecot, type Dovecot } from '../support/dovecot.ts';
import { reply } from '../support/mailbox/messages.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/pipeline.ts';

const prefix = testPrefix();
let dovecot: Dovecot;
let sandbox: ReturnType<typeof cliSandbox>;
const PASSWORD = 'imap-secret:with@odd%chars';

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ name: 'sam@example.com', password: PASSWORD }] });
  sandbox = cliSandbox({ REDIS_URL, OUTREACH_QUEUE_PREFIX: prefix, SMTP_URL: '', IMAP_URL: dovecot.imapUrl() });
  const run = sandbox.run;
  expect(
    (
      await run([
        'workspace',
        'configure',
        '--owner-name',
        'Sam Seeker',
        '--owner-email',
        'sam@example.com',
        '--timezone',
        'Europe/London',
        '--objective',
        'Learn how data teams hire',
        '--business-hours',
        '00:00-23:59',
        '--business-days',
        'mon-sun',
        '--nudge-after',
        'PT1H',
        '--review',
        'none',
      ])
    ).code,
  ).toBe(0);
}, 120_000);

afterAll(async () => {
  sandbox?.cleanup();
  await deleteKeys(prefix);
  await dovecot?.stop();
}, 60_000);

describe('the mailbox from the command line', () => {
  it('a reply read by `worker --until-idle` stops the nudge with no typing, and `mailbox status` says so', async () => {
    const { run } = sandbox;
    const contact = (await run(['contact', 'add', '--name', 'Priya Raman', '--email', 'priya@contoso.example', '--json'])).json().id;
    await run(['meeting', 'request', '--contact', contact, '--minutes', '20', '--json']);
    // The request goes out (to the outbox), its nudge is then waiting.
    expect((await run(['worker', '--until-idle', '--only', 'reactor,email', '--json'])).json()).toMatchObject({ sent: 1 });
    const [request] = (await run(['outbox', '--json'])).json();
    await dovecot.deliver(
      reply({ from: 'Priya Raman <priya@contoso.example>', to: 'sam@example.com', inReplyTo: request.messageId, text: 'Yes, Thursday works.' }),
    );

    const r = await run(['worker', '--until-idle', '--only', 'mailbox,reactor', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(r.stdout + r.stderr).not.toContain(encodeURIComponent(PASSWORD));

    const shown = (await run(['contact', 'show', contact, '--json'])).json();
    expect(JSON.stringify(shown)).toContain('Yes, Thursday works.');
    expect((await run(['contact', 'show', contact])).stdout).toMatch(/Yes, Thursday works\.\s+\(read in your mailbox\)/);
    const jobs = (await run(['jobs', '--json'])).json();
    expect(JSON.stringify(jobs)).not.toMatch(/"nudge:/);

    const status = await run(['mailbox', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({ provider: 'imap', transport: 'outbox', connected: true, matched: 1, recorded: 1, lastError: null });
    expect(status.stdout).not.toContain(encodeURIComponent(PASSWORD));
    const human = await run(['mailbox', 'status']);
    expect(human.stdout).toMatch(/Matched: 1 message in our threads or from contacts; 1 recorded/);
    // Each command is a process of its own (through tsx when dist/ is stale): slow on a busy machine.
  }, 180_000);

  it('a wrong password is one clear message and a MailboxDisconnected; the worker does not retry', async () => {
    const wrong = { IMAP_URL: dovecot.imapUrl().replace(/:[^:@/]*@/, ':wrong-password@') };
    const r = await sandbox.run(['worker', '--until-idle', '--only', 'mailbox'], wrong);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('wrong-password');
    const status = (await sandbox.run(['mailbox', 'status', '--json'], wrong)).json();
    expect(status).toMatchObject({ connected: false });
    expect(status.lastError).toMatch(/refused the user and password in IMAP_URL/);
    const lines = (await sandbox.run(['events', '--json'], wrong)).stdout.trim().split('\n');
    expect(lines.filter((l) => /"type":"MailboxDisconnected"/.test(l))).toHaveLength(1);
  }, 120_000);

  it('`--only mailbox` without IMAP_URL is one clear error naming it', async () => {
    const r = await sandbox.run(['worker', '--only', 'mailbox', '--until-idle'], { IMAP_URL: '' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/IMAP_URL: not set/);
  }, 60_000);
});

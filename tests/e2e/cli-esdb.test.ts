import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEsdbStandIn, type EsdbStandIn } from '../support/esdb-standin/index.ts';
import { cliSandbox } from '../support/cli.ts';

/** The foundation's CLI flow, run the same way against each back end; gives the events it stored. */
async function flow(env: Record<string, string>) {
  const sandbox = cliSandbox(env);
  const run = async (...args: string[]) => {
    const r = await sandbox.run([...args, '--json']);
    if (r.code !== 0) throw new Error(`outreach ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const id = async (...args: string[]) => JSON.parse(await run(...args)).id as string;
  try {
    await run(
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
    );
    const ada = await id('contact', 'add', '--name', 'Ada Lovelace', '--email', 'ada@example.org', '--level', 'senior', '--industry', 'software');
    const meeting = await id('meeting', 'request', '--contact', ada, '--minutes', '20');
    await run('meeting', 'book', '--meeting', meeting, '--at', '2026-11-02T10:00:00+00:00', '--past');
    await run('meeting', 'held', meeting, '--at', '2026-11-02T10:21:00+00:00', '--minutes', '21', '--referrals', '2');
    await id('contact', 'add', '--name', 'Bob Referred', '--email', 'bob@example.org', '--referred-by', ada, '--referral-meeting', meeting);
    const events = (await run('events'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // Ids, times and positions differ between runs and back ends; the shape and content must not.
    const ids = new Map<string, string>([
      [ada, 'ADA'],
      [meeting, 'MEETING'],
    ]);
    const stable = (v: unknown): unknown =>
      typeof v === 'string'
        ? (ids.get(v) ??
          [...ids.keys()]
            .reduce((s, k) => s.replaceAll(k, ids.get(k)!), v)
            .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/, 'TIME')
            .replace(/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID'))
        : Array.isArray(v)
          ? v.map(stable)
          : v && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stable(x)]))
            : v;
    return events.map((e) => ({ type: e.type, stream: stable(e.stream), revision: e.revision, data: stable(e.data), actor: e.metadata.actor }));
  } finally {
    sandbox.cleanup();
  }
}

describe('the CLI flow on EventStoreDB (the wire-level stand-in) stores the same events as on SQLite', () => {
  let standIn: EsdbStandIn;
  beforeAll(async () => {
    standIn = await startEsdbStandIn();
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  it('workspace, contacts, referral, request, book, held', async () => {
    const [onSqlite, onEsdb] = await Promise.all([
      flow({ EVENT_STORE: 'sqlite' }),
      flow({ EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: standIn.connectionString }),
    ]);
    expect(onEsdb.map((e) => e.type)).toEqual([
      'WorkspaceConfigured',
      'ContactAdded',
      'MeetingLinked',
      'MeetingRequested',
      'MeetingBooked',
      'MeetingHeld',
      'ContactAdded',
      'ReferralGiven',
    ]);
    expect(onEsdb).toEqual(onSqlite);
  });

  it('an unreachable server gives one clear error naming the endpoint', async () => {
    const sandbox = cliSandbox({ EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false' });
    try {
      const r = await sandbox.run(['contact', 'add', '--name', 'X']);
      expect(r.code).toBe(6);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('127.0.0.1:1');
    } finally {
      sandbox.cleanup();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox, type CliResult } from '../support/cli.ts';

const sandbox = cliSandbox();
const { run } = sandbox;
afterAll(() => sandbox.cleanup());

const ok = (r: CliResult) => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.json();
};

describe('the outreach CLI, as a seeker uses it', () => {
  let ada: string;
  let bob: string;
  let meeting: string;

  beforeAll(async () => {
    ok(
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
        '09:00-17:00',
        '--daily-limit',
        '20',
        '--json',
      ]),
    );
    ada = ok(
      await run([
        'contact',
        'add',
        '--name',
        'Ada Lovelace',
        '--email',
        'ada@example.org',
        '--org',
        'Analytical',
        '--level',
        'senior',
        '--industry',
        'software',
        '--source',
        'colleague',
        '--timezone',
        'America/New_York',
        '--tag',
        'data',
        '--tag',
        'warm',
        '--json',
      ]),
    ).id;
  });

  it('a command that creates something prints one JSON object whose id is the new id', async () => {
    const added = ok(await run(['contact', 'add', '--name', 'Bob Referred', '--email', 'bob@example.org', '--referred-by', ada, '--json']));
    bob = added.id;
    expect(bob).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(added.referredBy).toEqual({ contactId: ada });
    expect(added.source).toBe('referral');
  });

  it('requests, books and holds a meeting, and the events show it', async () => {
    const gatekeeper = ok(await run(['contact', 'add', '--name', 'Gita Reception', '--email', 'reception@example.org', '--role', 'receptionist', '--json'])).id;
    meeting = ok(await run(['meeting', 'request', '--contact', ada, '--minutes', '20', '--via', 'gatekeeper', '--gatekeeper', gatekeeper, '--json'])).id;
    ok(
      await run([
        'meeting',
        'book',
        '--meeting',
        meeting,
        '--at',
        '2026-11-02T10:00:00-05:00',
        '--past',
        '--minutes',
        '20',
        '--video-url',
        'https://meet.example/abc',
        '--json',
      ]),
    );
    ok(
      await run([
        'meeting',
        'held',
        meeting,
        '--at',
        '2026-11-02T10:24:00-05:00',
        '--minutes',
        '24',
        '--referrals',
        '2',
        '--cards',
        '1',
        '--sentiment',
        'positive',
        '--json',
      ]),
    );
    const events = (await run(['events', '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual([
      'WorkspaceConfigured',
      'ContactAdded',
      'ContactAdded',
      'ContactAdded',
      'MeetingLinked',
      'MeetingRequested',
      'MeetingBooked',
      'MeetingHeld',
    ]);
    for (const e of events) expect(Object.keys(e).sort()).toEqual(['createdAt', 'data', 'id', 'metadata', 'position', 'revision', 'stream', 'type']);
    expect(events[5].stream).toBe(`meeting-${meeting}`);
    expect(events[5].metadata).toMatchObject({ workspaceId: 'default', actor: 'cli', schemaVersion: 1 });
    const booked = events[6].data;
    expect(booked.start).toBe('2026-11-02T10:00:00-05:00');
    const onlyHeld = (await run(['events', '--type', 'MeetingHeld', '--json'])).stdout.trim().split('\n');
    expect(onlyHeld).toHaveLength(1);
  });

  it('a referral received in a meeting links the new contact to that meeting', async () => {
    const carol = ok(
      await run(['contact', 'add', '--name', 'Carol', '--email', 'carol@example.org', '--referred-by', ada, '--referral-meeting', meeting, '--json']),
    );
    expect(carol.referredBy).toEqual({ contactId: ada, meetingId: meeting });
  });

  it('prints readable text without --json', async () => {
    const r = await run(['meeting', 'show', meeting]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Meeting with Ada Lovelace');
    expect(r.stdout).toMatch(new RegExp(`${meeting.slice(-8)}  held`));
  });

  it('keeps workspaces apart', async () => {
    const other = await run(['contact', 'show', ada, '--workspace', 'someone-else']);
    expect(other.code).toBe(3);
    expect(other.stderr).toContain('does not exist');
  });

  describe('bad input exits non-zero with one line naming the field, and stores nothing', () => {
    const cases: [string, () => string[], RegExp][] = [
      ['a malformed email', () => ['contact', 'add', '--name', 'X', '--email', 'not-an-email'], /--email: must be a valid email address/],
      [
        'a line feed in a field that reaches a header',
        () => ['contact', 'add', '--name', 'Eve\nBcc: all@example.org'],
        /--name: must not contain a line break/,
      ],
      ['a carriage return in the objective', () => ['workspace', 'configure', '--objective', 'Learn\rthings'], /--objective: must not contain a line break/],
      ['an unknown option', () => ['contact', 'add', '--name', 'X', '--nickname', 'x'], /unknown option '--nickname'/],
      [
        'an unknown contact',
        () => ['meeting', 'request', '--contact', '01a22886-c6a0-70f9-ab35-52ff5a5432b4', '--minutes', '15'],
        /contact 01a22886-c6a0-70f9-ab35-52ff5a5432b4 does not exist/,
      ],
      [
        'an unknown meeting',
        () => ['meeting', 'held', '01a22886-c6a0-70f9-ab35-52ff5a5432b4', '--at', '2026-11-02T10:00:00Z', '--minutes', '20'],
        /meeting 01a22886-c6a0-70f9-ab35-52ff5a5432b4 does not exist/,
      ],
      ['minutes out of range', () => ['meeting', 'request', '--contact', bob, '--minutes', '45'], /--minutes: must be 15, 20 or 30/],
      [
        'a time without an offset',
        () => ['meeting', 'book', '--meeting', meeting, '--at', '2026-11-02T10:00:00'],
        /--at: must be an ISO 8601 date-time with an offset/,
      ],
      ['a time zone that does not exist', () => ['contact', 'add', '--name', 'X', '--timezone', 'Mars/Olympus'], /--timezone: must be an IANA time zone/],
      ['a second open request for one contact', () => ['meeting', 'request', '--contact', bob, '--minutes', '15'], /open request/],
    ];
    beforeAll(async () => {
      ok(await run(['meeting', 'request', '--contact', bob, '--minutes', '15', '--json']));
    });
    for (const [name, args, message] of cases) {
      it(name, async () => {
        const before = sandbox.eventCount();
        const r = await run(args());
        expect(r.code).not.toBe(0);
        expect(r.stderr.trim().split('\n')[0]).toMatch(message);
        expect(r.stdout).toBe('');
        expect(sandbox.eventCount()).toBe(before);
      });
    }

    it('with --json the error is one JSON object with its code and field', async () => {
      const r = await run(['contact', 'add', '--name', 'X', '--email', 'nope', '--json']);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stderr)).toEqual({ error: { code: 'validation', field: 'email', message: '--email: must be a valid email address' } });
    });
  });

  it("imports LinkedIn's Connections.csv: skips the notes, reports rejects by line, and a second import adds nothing", async () => {
    const first = ok(await run(['contact', 'import', 'tests/fixtures/Connections.csv', '--json']));
    expect(first).toMatchObject({ format: 'linkedin', rows: 6, imported: 4, duplicates: 1 });
    expect(first.ids).toHaveLength(4);
    expect(first.rejected).toEqual([{ line: 9, reason: 'name: must not be empty' }]);
    // A broken address does not lose the person: they come in without one.
    expect(first.warnings).toEqual([{ line: 10, reason: 'email: must be a valid email address; imported without an email' }]);
    const second = ok(await run(['contact', 'import', 'tests/fixtures/Connections.csv', '--json']));
    expect(second).toMatchObject({ imported: 0, duplicates: 5 });
    const human = await run(['contact', 'import', 'tests/fixtures/Connections.csv']);
    expect(human.stdout).toContain('Imported 0 of 6 rows');
    expect(human.stdout).toContain('line 9: name: must not be empty');
  });

  it('imports a plain CSV with the columns of `contact add`', async () => {
    const r = ok(await run(['contact', 'import', 'tests/fixtures/contacts-plain.csv', '--json']));
    expect(r).toMatchObject({ format: 'plain', imported: 2, duplicates: 0 });
    expect(r.rejected).toEqual([{ line: 4, reason: 'timezone: must be an IANA time zone such as Europe/London' }]);
  });

  it('--help works', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: outreach');
  });
});

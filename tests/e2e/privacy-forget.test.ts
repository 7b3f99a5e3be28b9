import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cliSandbox } from '../support/cli.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/pipeline.ts';
import { redisContents } from '../support/redis-dump.ts';

const prefix = testPrefix();
const sandbox = cliSandbox({ REDIS_URL, OUTREACH_QUEUE_PREFIX: prefix, OUTREACH_RETRY_BASE_MS: '50', SMTP_URL: '' });
const { run } = sandbox;
afterAll(async () => {
  sandbox.cleanup();
  await deleteKeys(prefix);
});

const at = (minutesFromNow: number) => new Date(Date.now() + minutesFromNow * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

// Distinctive values, so that a match anywhere can only be this person's data.
const forgotten = {
  first: 'Zelphira',
  last: 'Quonsett',
  email: 'zelphira.quonsett@forgetme.example',
  phone: '+44 20 7946 0958',
  // Where she works and as what: with the level and a referral link, often enough to tell who she is.
  org: 'Quixotic Widgets',
  role: 'Chief Gearwright',
  industry: 'artisanal horology',
  tag: 'met-at-ravensgate-gala',
  leadOrg: 'Umbriel Clockworks',
  room: 'https://meet.example/zelphira-private-room',
};
const kept = { name: 'Barnaby Kettleworth', email: 'barnaby@keepme.example' };
const needles = [
  forgotten.first,
  forgotten.last,
  forgotten.email,
  forgotten.phone,
  forgotten.org,
  forgotten.role,
  forgotten.industry,
  forgotten.tag,
  forgotten.leadOrg,
  forgotten.room,
  'Research note about Zelph',
  'fintech-lead-9417',
];

/** Every file of the data folder (SQLite files with their -wal/-shm, keys, outbox, .ics), read as bytes. */
function filesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesOf(path) : [path];
  });
}
const found = (haystack: Buffer | string, needle: string) =>
  (typeof haystack === 'string' ? Buffer.from(haystack) : haystack).toString('latin1').toLowerCase().includes(needle.toLowerCase());

function where(needle: string): string[] {
  return filesOf(sandbox.dataDir)
    .filter((f) => found(readFileSync(f), needle))
    .map((f) => f.slice(sandbox.dataDir.length + 1));
}

let aliceId = '';
let bobId = '';

describe('forgetting a contact (crypto-shredding)', () => {
  beforeAll(async () => {
    const ok = async (args: string[]) => {
      const r = await run([...args, '--json']);
      if (r.code !== 0) throw new Error(`outreach ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim() ? r.json() : {};
    };
    await ok([
      'workspace',
      'configure',
      '--owner-name',
      'Sam Seeker',
      '--owner-email',
      'sam@seeker.example',
      '--timezone',
      'Europe/London',
      '--objective',
      'Learn how data teams hire',
      '--business-hours',
      '00:00-23:59',
      '--business-days',
      'mon-sun',
      '--thank-you-delay',
      'PT1S',
    ]);
    aliceId = (
      await ok([
        'contact',
        'add',
        '--name',
        `${forgotten.first} ${forgotten.last}`,
        '--email',
        forgotten.email,
        '--phone',
        forgotten.phone,
        '--org',
        forgotten.org,
        '--role',
        forgotten.role,
        '--level',
        'executive',
        '--industry',
        forgotten.industry,
        '--tag',
        forgotten.tag,
      ])
    ).id;
    bobId = (await ok(['contact', 'add', '--name', kept.name, '--email', kept.email])).id;
    await ok(['contact', 'note', aliceId, '--text', 'Research note about Zelph: led the data platform']);
    await ok(['contact', 'questions', aliceId, '--question', 'How did Zelphira hire her first analyst?']);
    // A held meeting (request email, thank-you) and then a booked one (confirmation with .ics).
    const first = (await ok(['meeting', 'request', '--contact', aliceId, '--minutes', '20'])).id;
    await ok(['meeting', 'book', '--meeting', first, '--at', at(-120), '--past', '--location', 'Quonsett office, 3rd floor']);
    await ok(['meeting', 'held', first, '--at', at(-60), '--minutes', '25', '--notes', 'Zelphira suggested two names', '--referrals', '2']);
    await ok(['contact', 'lead', aliceId, '--description', 'fintech-lead-9417 opening on her team', '--org', forgotten.leadOrg]);
    await ok(['contact', 'reply', aliceId, '--summary', 'Zelphira says hello']);
    const second = (await ok(['meeting', 'request', '--contact', aliceId, '--minutes', '15', '--channel', 'phone'])).id;
    await ok(['meeting', 'book', '--meeting', second, '--at', at(3 * 24 * 60), '--video-url', forgotten.room]);
    const bobs = (await ok(['meeting', 'request', '--contact', bobId, '--minutes', '20', '--channel', 'phone'])).id;
    await ok(['meeting', 'book', '--meeting', bobs, '--at', at(-120), '--past']);
    await ok(['meeting', 'held', bobs, '--at', at(-60), '--minutes', '20']);
    const worked = await run(['worker', '--until-idle', '--json']);
    expect(worked.code, worked.stderr).toBe(0);
  }, 120_000);

  it('personal fields are sealed when written: the event log never holds them in clear (organisation, role, industry, tags and links too)', () => {
    for (const needle of [...needles, kept.email]) {
      expect(where(needle).filter((f) => f.startsWith('events.db'))).toEqual([]);
    }
    // …while the commands still read them back in clear.
    return run(['contact', 'show', aliceId, '--json']).then((r) =>
      expect(r.json()).toMatchObject({
        details: {
          name: `${forgotten.first} ${forgotten.last}`,
          email: forgotten.email,
          phone: forgotten.phone,
          organisation: forgotten.org,
          role: forgotten.role,
        },
      }),
    );
  });

  it('before forgetting, the copies exist: the outbox, the .ics files and the read models hold the person (so the search below can fail)', () => {
    expect(where(forgotten.email).some((f) => f.startsWith('outbox/'))).toBe(true);
    expect(where(forgotten.email).some((f) => f.startsWith('calendar/'))).toBe(true);
    expect(where(forgotten.last).some((f) => f.startsWith('projections.db'))).toBe(true);
    expect(where(forgotten.org).some((f) => f.startsWith('projections.db'))).toBe(true);
    expect(where(forgotten.role).some((f) => f.startsWith('projections.db'))).toBe(true);
  });

  it("after `contact forget` and the workers catching up, no byte of the data folder or of the run's Redis keys holds the email, name, phone, organisation, role, industry, tags or links", async () => {
    const r = await run(['contact', 'forget', aliceId, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const worked = await run(['worker', '--until-idle', '--json']);
    expect(worked.code, worked.stderr).toBe(0);

    const leftovers = Object.fromEntries(needles.map((n) => [n, where(n)]).filter(([, files]) => files!.length > 0));
    expect(leftovers).toEqual({});
    const redis = await redisContents(prefix);
    expect(redis.keys).toBeGreaterThan(0);
    expect(needles.filter((n) => found(redis.text, n))).toEqual([]);
  }, 120_000);

  it('the forgotten contact reads as erased; the others are untouched', async () => {
    const alice = (await run(['contact', 'show', aliceId, '--json'])).json();
    expect(JSON.stringify(alice)).not.toMatch(new RegExp(`${forgotten.first}|${forgotten.last}|forgetme`, 'i'));
    expect(alice).toMatchObject({ status: 'forgotten' });
    const bob = (await run(['contact', 'show', bobId, '--json'])).json();
    expect(bob).toMatchObject({ details: { name: kept.name, email: kept.email } });
    expect(where(kept.email).some((f) => f.startsWith('outbox/'))).toBe(true);
    expect(where('Kettleworth').some((f) => f.startsWith('projections.db'))).toBe(true);
  });

  it('the key store keeps a tombstone: nothing new is sealed for the forgotten contact', async () => {
    const events = (await run(['events', '--stream', `contact-${aliceId}`, '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const added = events.find((e: { type: string }) => e.type === 'ContactAdded');
    expect(added.data.name).toBe('[forgotten]');
    expect(added.data.email).toBeUndefined();
    expect(added.data.phone).toBeUndefined();
    expect(added.data.organisation).toBeUndefined();
    expect(added.data.role).toBeUndefined();
    expect(added.data.industry).toBeUndefined();
    // Only ids, enums and times are left in clear.
    expect(added.data).toMatchObject({ contactId: aliceId, level: 'executive', source: 'other', tags: ['[forgotten]'] });
    expect(events.at(-1).type).toBe('ContactForgotten');
  });
});

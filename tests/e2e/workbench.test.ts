import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox } from '../support/cli.ts';

/*
 * The seeker's workbench from the command line, as a newcomer uses it: find people by name, see
 * what to do today, act on them by name, and be stopped (clearly) from the usual mistakes.
 */
describe('the workbench CLI before the workspace is configured', () => {
  const fresh = cliSandbox();
  afterAll(() => fresh.cleanup());

  it('a contact before the workspace is configured is refused, saying to configure first', async () => {
    const r = await fresh.run(['contact', 'add', '--name', 'Priya Natarajan']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/run `outreach workspace configure` first/);
    expect(fresh.eventCount()).toBe(0);
  });

  it('today and contacts before the workspace is configured show the first step', async () => {
    for (const cmd of ['today', 'contacts']) {
      const r = await fresh.run([cmd]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/is not configured yet\. Start there:\n {2}outreach workspace configure --owner-name/);
    }
  });

  it('configuring without an objective is a validation error naming it', async () => {
    const r = await fresh.run(['workspace', 'configure', '--owner-name', 'Sam Rivera', '--owner-email', 'sam@example.com', '--timezone', 'Europe/London']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--objective:/);
  });
});

describe('the workbench CLI', () => {
  const cli = cliSandbox();
  const ok = async (args: string[]) => {
    const r = await cli.run(args);
    expect(r.stderr, args.join(' ')).toBe('');
    expect(r.code, args.join(' ')).toBe(0);
    return r;
  };

  beforeAll(async () => {
    await cli.run([
      'workspace',
      'configure',
      '--owner-name',
      'Sam Rivera',
      '--owner-email',
      'sam@example.com',
      '--timezone',
      'Europe/London',
      '--objective',
      'Learn how analytics teams hire',
    ]);
  });
  afterAll(() => cli.cleanup());

  it('people are found and acted on by name, email or the end of their id', async () => {
    await ok(['contact', 'add', '--name', 'Priya Natarajan', '--email', 'priya@northwind.example', '--org', 'Northwind', '--level', 'Senior']);
    await ok(['contact', 'add', '--name', 'Priya Shah', '--email', 'pshah@contoso.example', '--org', 'Contoso']);
    const shown = await ok(['contact', 'show', 'priya@northwind.example']);
    expect(shown.stdout).toMatch(/^Priya Natarajan <priya@northwind\.example> — active/);
    const list = (await ok(['contacts', '--json'])).json();
    const natarajan = list.rows.find((r: { name: string }) => r.name === 'Priya Natarajan');
    expect(natarajan.level).toBe('senior');
    await ok(['contact', 'note', natarajan.contactId.slice(-8), '--text', 'Runs the analytics team']);
    await ok(['contact', 'note', 'natarajan', '--text', 'Spoke at the meetup']);
    const profile = (await ok(['contact', 'show', 'Priya Natarajan', '--json'])).json();
    expect(profile.notes.map((n: { text: string }) => n.text)).toEqual(['Runs the analytics team', 'Spoke at the meetup']);
  });

  it('a name that fits two people is refused, listing both', async () => {
    const r = await cli.run(['contact', 'show', 'priya']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"priya" matches 2 contacts: Priya Natarajan, Northwind/);
    expect(r.stderr).toMatch(/Priya Shah, Contoso/);
  });

  it('the same email twice is refused, naming who has it, unless insisted on', async () => {
    const r = await cli.run(['contact', 'add', '--name', 'P. Natarajan', '--email', 'priya@northwind.example']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Priya Natarajan .* already has priya@northwind\.example; add --allow-duplicate/);
    await ok(['contact', 'add', '--name', 'P. Natarajan', '--email', 'priya@northwind.example', '--allow-duplicate']);
  });

  it('contacts can be searched and filtered', async () => {
    const r = (await ok(['contacts', '--search', 'contoso', '--json'])).json();
    expect(r.rows.map((c: { name: string }) => c.name)).toEqual(['Priya Shah']);
    const human = await ok(['contacts', '--org', 'northwind']);
    expect(human.stdout).toMatch(/Priya Natarajan\s+Northwind/);
    expect(human.stdout).not.toContain('Priya Shah');
    await ok(['workspace', 'target', 'add', 'UX research']);
    await ok(['contact', 'change', 'priya shah', '--target', 'ux research']);
    const byTarget = (await ok(['contacts', '--target', 'UX Research', '--json'])).json();
    expect(byTarget.rows.map((c: { name: string }) => c.name)).toEqual(['Priya Shah']);
  });

  it("a meeting is requested and booked by the contact's name; a time in the past needs --past", async () => {
    await ok(['meeting', 'request', 'Priya Shah', '--minutes', '20', '--channel', 'Phone']);
    const past = await cli.run(['meeting', 'book', 'Priya Shah', '--at', '2020-01-06T10:00:00+00:00']);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/--at: .* is in the past; .* add --past/);
    const booked = await ok(['meeting', 'book', 'Priya Shah', '--at', '2099-01-05T10:00:00+00:00']);
    // In the meeting's zone (the seeker's here: Priya has none), as a person reads it.
    expect(booked.stdout).toMatch(/^Booked Priya Shah for Mon, 5 Jan 2099, 10:00 \(Europe\/London\), 20 minutes/);
  });

  it('a meeting moved to a time in the past needs --past, as a booking does', async () => {
    const typo = await cli.run(['meeting', 'reschedule', 'Priya Shah', '--at', '2020-01-07T10:00:00+00:00']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/--at: .* is in the past; .* add --past/);
    const moved = await ok(['meeting', 'reschedule', 'Priya Shah', '--at', '2020-01-07T10:00:00+00:00', '--past']);
    expect(moved.stdout).toMatch(/^Moved the meeting with Priya Shah to Tue, 7 Jan 2020, 10:00 \(Europe\/London\), 20 minutes/);
  });

  it('drafts says when an email request has not been written yet, and what writes it', async () => {
    await ok(['contact', 'add', '--name', 'Ken Sato', '--email', 'ken@example.jp']);
    await ok(['meeting', 'request', 'ken', '--minutes', '20']);
    const r = await ok(['drafts']);
    expect(r.stdout).toMatch(/No drafts waiting for your review\.\n1 email request has not been written yet: .*outreach worker --until-idle/);
  });

  it('a token says until when it lasts, as a person reads a date', async () => {
    const r = await ok(['token', 'create', '--role', 'seeker', '--workspace', 'default', '--expires', 'P90D']);
    expect(r.stdout).toMatch(/^Token tok_[0-9a-f]+: seeker, workspace \S+, until \w{3}, \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC$/m);
  });

  it('today lists the calls to make with the command for their script', async () => {
    await ok(['contact', 'add', '--name', 'Aisha Karim', '--phone', '+44 20 7946 0000']);
    await ok(['meeting', 'request', 'aisha', '--minutes', '20', '--channel', 'phone']);
    const today = await ok(['today']);
    expect(today.stdout).toMatch(/Calls to make\n {2}call Aisha — `outreach call [0-9a-f]{8}` for the script/);
    const script = await ok(['call', 'aisha']);
    expect(script.stdout).toMatch(/^Call Aisha Karim on \+44 20 7946 0000/);
  });

  it('an import in which every row is rejected exits non-zero', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = `${cli.dataDir}/bad.csv`;
    writeFileSync(file, 'name,email\n,nobody@example.org\n,\n');
    const r = await cli.run(['contact', 'import', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/every row was rejected/);
  });

  it("a spreadsheet's own column names are understood and its blank rows skipped", async () => {
    const { writeFileSync } = await import('node:fs');
    const file = `${cli.dataDir}/sheet.csv`;
    writeFileSync(file, 'Name,E-mail,Organisation,Job Title\nNoor Haddad,noor@example.org,Fabrikam,Data lead\n,,,\n');
    const r = await ok(['contact', 'import', file, '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ imported: 1, rejected: [] });
    const shown = JSON.parse((await ok(['contact', 'show', 'noor', '--json'])).stdout);
    expect(shown.details).toMatchObject({ name: 'Noor Haddad', email: 'noor@example.org', organisation: 'Fabrikam', role: 'Data lead' });
  });

  it('forgetting someone asks first; off a terminal it needs --yes', async () => {
    const r = await cli.run(['contact', 'forget', 'aisha']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/not confirmed; nothing was changed \(add --yes in scripts\)/);
    await ok(['contact', 'forget', 'aisha', '--yes']);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/app/clock.ts';
import { importContacts } from '../../src/app/contact-import.ts';
import { buildServer, type ApiServer } from '../../src/api/server.ts';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { openReadModels, type ReadModels } from '../../src/read-models/queries.ts';
import { apiWiring } from '../support/api-deps.ts';
import { cliSandbox } from '../support/cli.ts';
import { configureAllHours } from '../support/email-fixtures.ts';

/*
 * Names chosen by third parties (LinkedIn exports, a stranger's signature) that would break the
 * headers of an email naming them, refused at every edge with nothing stored.
 */
const HOSTILE: [string, string][] = [
  ['an RFC 2047 encoded word', '=?UTF-8?Q?Eve=0D=0ABcc:_x@evil.example?='],
  ['an address in angle brackets', '"Ünïcödé, Jr." <x@y.example>'],
  ['a NUL', 'Eve\u0000Evil'],
  ['a line separator', 'Eve\u2028Bcc: x@evil.example'],
  ['a bidi override', 'Eve \u202Eelgoog'],
];

describe('hostile names at the CLI', () => {
  const cli = cliSandbox();
  beforeAll(async () => {
    const r = await cli.run([
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
    expect(r.code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  // A NUL cannot be passed in a process argument at all; an escape character stands for the C0 controls here.
  const onCommandLine = HOSTILE.map(([what, name]): [string, string] => (name.includes('\u0000') ? ['an escape character', 'Eve\u001b[2JEvil'] : [what, name]));
  for (const [what, name] of onCommandLine) {
    it(`a contact named with ${what} is refused naming --name, and nothing is stored`, async () => {
      const before = cli.eventCount();
      const r = await cli.run(['contact', 'add', '--name', name, '--email', 'eve@example.org']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --name: /);
      expect(cli.eventCount()).toBe(before);
    });
  }

  it('a profile link that is not http(s) is refused naming --linkedin-url', async () => {
    const r = await cli.run(['contact', 'add', '--name', 'Priya Natarajan', '--email', 'priya@example.org', '--linkedin-url', 'javascript:alert(1)//']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--linkedin-url: must be an http\(s\) URL/);
  });
});

describe('hostile names at the API and in an import', () => {
  let dir: string;
  let store: EventStore;
  let readModels: ReadModels;
  let app: ApiServer;
  const TOKEN = 'hostile-names-token-0123456789';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outreach-hostile-'));
    store = openSqliteEventStore(join(dir, 'events.db'));
    await configureAllHours({ store, clock: systemClock, workspaceId: 'demo', actor: 'test' });
    readModels = openReadModels(dir);
    app = await buildServer(
      { store, readModels, clock: systemClock, defaultWorkspace: 'demo', redis: null, ...apiWiring('hostile-names-secret-long-enough-0', null) },
      { token: TOKEN, log: () => undefined },
    );
  });
  afterAll(async () => {
    await app.close();
    readModels.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const count = async () => (await store.readAll({ maxCount: 10_000 })).length;

  for (const [what, name] of HOSTILE) {
    it(`POST /api/contacts with ${what} answers 400 naming the field, and stores nothing`, async () => {
      const before = await count();
      const r = await app.inject({
        method: 'POST',
        url: '/api/contacts?workspace=demo',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ name, email: 'eve@example.org' }),
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.field).toBe('name');
      expect(await count()).toBe(before);
    });
  }

  it('an import rejects the rows with hostile names and imports the others', async () => {
    const csv = ['name,email', ...HOSTILE.map(([, n]) => `"${n.replace(/"/g, '""')}",eve@example.org`), 'Priya Natarajan,priya@example.org'].join('\n');
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, csv);
    const report = await importContacts({ store, clock: systemClock, workspaceId: 'demo', actor: 'test' }, csv);
    expect(report.imported).toBe(1);
    expect(report.rejected).toHaveLength(HOSTILE.length);
    for (const r of report.rejected) expect(r.reason).toMatch(/^name: /);
  });
});

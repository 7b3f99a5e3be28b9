import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { openSqliteEventStore } from '../../../src/eventstore/sqlite/store.ts';
import { withSealedPersonalData } from '../../../src/infra/crypto/sealing-store.ts';
import { openSubjectKeys } from '../../../src/infra/crypto/subject-keys.ts';
import { personalDataRules } from '../../../src/main/personal-data.ts';
import type { NewEvent } from '../../../src/eventstore/port.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Two stores over the same files, so that one reads before the other forgets. */
function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-lazy-'));
  dirs.push(dir);
  const master = randomBytes(32);
  return () => withSealedPersonalData(openSqliteEventStore(join(dir, 'events.db')), openSubjectKeys(join(dir, 'keys.db'), master), personalDataRules);
}

const meta = { workspaceId: 'w', correlationId: 'c', causationId: 'c', actor: 't', schemaVersion: 1 };
const added = (contactId: string): NewEvent => ({
  id: randomUUID(),
  type: 'ContactAdded',
  metadata: meta,
  data: { contactId, name: 'Orla Brennan-Vance', email: 'orla@vance.example', tags: ['warm'], source: 'friend', addedAt: '2026-11-29T08:00:00Z' },
});
const changed = (): NewEvent => ({
  id: randomUUID(),
  type: 'ContactDetailsChanged',
  metadata: meta,
  data: { changes: { name: 'Orla Vance', level: 'senior' }, changedAt: '2026-11-29T09:00:00Z' },
});
const forgotten = (): NewEvent => ({ id: randomUUID(), type: 'ContactForgotten', metadata: meta, data: { forgottenAt: '2026-11-29T10:00:00Z' } });

/** The events as JSON: reading every property opens every lazy field. */
const plain = (events: unknown) => JSON.parse(JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;

describe('reading with openLazily', () => {
  it('gives the same events as reading eagerly, fields opened on access', async () => {
    const open = sandbox();
    const store = open();
    const a = randomUUID();
    const b = randomUUID();
    await store.append(`contact-${a}`, [added(a), changed()]);
    await store.append(`contact-${b}`, [added(b)]);
    const lazy = await store.readAll({ openLazily: true });
    expect((lazy[0]!.data as { name: string }).name).toBe('Orla Brennan-Vance');
    expect(plain(lazy)).toEqual(plain(await store.readAll()));
    await store.close();
  });

  it('reads a field of a contact forgotten later in the same batch as reading eagerly does, and erased after', async () => {
    const open = sandbox();
    const writer = open();
    const a = randomUUID();
    await writer.append(`contact-${a}`, [added(a), changed()]);
    // Two readers that hold the key (they read the contact before), as a long-running process does.
    const eager = open();
    await eager.readAll();
    await writer.readAll();
    // Forgotten by another process: each reader deletes its copy of the key when it reads the
    // forgetting, in the same batch as the events sealed with it.
    const other = open();
    await other.append(`contact-${a}`, [forgotten()], { expected: 1 });
    await other.close();
    const expected = plain(await eager.readAll());
    await eager.close();
    const lazy = await writer.readAll({ openLazily: true });
    expect(plain(lazy)).toEqual(expected);
    expect((lazy[0]!.data as { name: string }).name).toBe('Orla Brennan-Vance');
    // A later read finds the key gone: the fields read as erased, and the optional ones are absent.
    const again = (await writer.readAll({ openLazily: true }))[0]!.data as Record<string, unknown>;
    expect(again['name']).toBe('[forgotten]');
    expect('email' in again ? again['email'] : undefined).toBeUndefined();
    expect(plain(again)).toEqual(plain((await writer.readAll())[0]!.data));
    await writer.close();
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '../../../src/eventstore/sqlite/store.ts';
import { withSealedPersonalData } from '../../../src/infra/crypto/sealing-store.ts';
import { sealValue } from '../../../src/infra/crypto/field-cipher.ts';
import { openSubjectKeys } from '../../../src/infra/crypto/subject-keys.ts';
import { personalDataRules } from '../../../src/main/personal-data.ts';
import { personalFieldsOf } from '../../../src/domain/personal-fields.ts';
import { eventSchemas } from '../../../src/domain/events.ts';
import type { EventStore, NewEvent } from '../../../src/eventstore/port.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The keys stored in a turn of their own, or committed before each batch of the SQLite store (as the application opens it). */
let beforeBatches = false;

function sandbox(master = randomBytes(32)) {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-seal-'));
  dirs.push(dir);
  const open = (key = master) => {
    const inner = openSqliteEventStore(join(dir, 'events.db'));
    return withSealedPersonalData(inner, openSubjectKeys(join(dir, 'keys.db'), key, beforeBatches ? inner : undefined), personalDataRules);
  };
  const bytesOf = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file)) : Buffer.alloc(0));
  return { dir, master, open, bytesOf, rawData: () => bytesOf('events.db').toString('latin1') + bytesOf('events.db-wal').toString('latin1') };
}

const meta = (extra: Record<string, unknown> = {}) => ({ workspaceId: 'w', correlationId: 'c', causationId: 'c', actor: 't', schemaVersion: 1, ...extra });
const added = (contactId: string, over: Record<string, unknown> = {}): NewEvent => ({
  id: randomUUID(),
  type: 'ContactAdded',
  metadata: meta(),
  data: {
    contactId,
    name: 'Orla Brennan-Vance',
    email: 'orla@vance.example',
    phone: '+353 1 555 0199',
    organisation: 'Tidewater',
    level: 'executive',
    tags: [],
    source: 'friend',
    addedAt: '2026-11-29T08:00:00Z',
    ...over,
  },
});
const forgottenEvent = (): NewEvent => ({ id: randomUUID(), type: 'ContactForgotten', metadata: meta(), data: { forgottenAt: '2026-11-29T10:00:00Z' } });
const dataOf = async (store: EventStore, stream: string, type: string) =>
  (await store.readStream(stream)).find((e) => e.type === type)!.data as Record<string, unknown>;

describe.each([
  ['in a turn of their own', false],
  ["before each of the log's batches", true],
])('the sealing event store, keys stored %s', (_, mode) => {
  beforeEach(() => {
    beforeBatches = mode;
  });

  it('stores personal fields as ciphertext and reads them back in clear', async () => {
    const s = sandbox();
    const store = s.open();
    const id = randomUUID();
    await store.append(`contact-${id}`, [added(id)]);
    expect(await dataOf(store, `contact-${id}`, 'ContactAdded')).toMatchObject({
      name: 'Orla Brennan-Vance',
      email: 'orla@vance.example',
      phone: '+353 1 555 0199',
    });
    const raw = s.rawData();
    for (const clear of ['Brennan', 'orla@vance.example', '555 0199']) expect(raw).not.toContain(clear);
    await store.close();
  });

  it('leaves ids, enums and times in clear', async () => {
    const s = sandbox();
    const store = s.open();
    const id = randomUUID();
    await store.append(`contact-${id}`, [added(id)]);
    for (const clear of [id, 'executive', 'friend', '2026-11-29T08:00:00Z']) expect(s.rawData()).toContain(clear);
    await store.close();
  });

  it('seals where someone works, as what, in which industry, and the tags given them', async () => {
    const s = sandbox();
    const store = s.open();
    const id = randomUUID();
    await store.append(`contact-${id}`, [
      added(id, { organisation: 'Quixotic Widgets', role: 'Gearwright', industry: 'clockmaking', tags: ['met-at-guildhall'] }),
    ]);
    expect(await dataOf(store, `contact-${id}`, 'ContactAdded')).toMatchObject({
      organisation: 'Quixotic Widgets',
      role: 'Gearwright',
      industry: 'clockmaking',
      tags: ['met-at-guildhall'],
    });
    for (const clear of ['Quixotic', 'Gearwright', 'clockmaking', 'guildhall']) expect(s.rawData()).not.toContain(clear);
    await store.close();
  });

  it("reads a forgotten subject's fields as erased: optional ones removed, required ones a placeholder their schema accepts", async () => {
    const s = sandbox();
    const store = s.open();
    const id = randomUUID();
    await store.append(`contact-${id}`, [added(id), forgottenEvent()]);
    const data = await dataOf(store, `contact-${id}`, 'ContactAdded');
    expect(data).toMatchObject({ name: '[forgotten]', level: 'executive' });
    expect(data).not.toHaveProperty('organisation');
    expect(data).not.toHaveProperty('email');
    expect(data).not.toHaveProperty('phone');
    expect(eventSchemas.ContactAdded.safeParse(data).success).toBe(true);
    await store.close();
  });

  it('keeps a change of details that changed only personal fields valid once erased (the field stays, as a placeholder)', async () => {
    const s = sandbox();
    const store = s.open();
    const id = randomUUID();
    await store.append(`contact-${id}`, [
      added(id),
      {
        id: randomUUID(),
        type: 'ContactDetailsChanged',
        metadata: meta(),
        data: { changes: { email: 'orla@new.example' }, changedAt: '2026-11-29T09:00:00Z' },
      },
      forgottenEvent(),
    ]);
    const data = await dataOf(store, `contact-${id}`, 'ContactDetailsChanged');
    expect(data).toMatchObject({ changes: { email: 'forgotten@forgotten.invalid' } });
    expect(eventSchemas.ContactDetailsChanged.safeParse(data).success).toBe(true);
    await store.close();
  });

  it('erases for every reader: another process opening the files finds no key', async () => {
    const s = sandbox();
    const first = s.open();
    const id = randomUUID();
    await first.append(`contact-${id}`, [added(id), forgottenEvent()]);
    await first.close();
    const second = s.open();
    expect(await dataOf(second, `contact-${id}`, 'ContactAdded')).toMatchObject({ name: '[forgotten]' });
    await second.close();
  });

  it('stores the keys of people added together before their events: another process reads every one of them', async () => {
    const s = sandbox();
    const store = s.open();
    const ids = Array.from({ length: 30 }, () => randomUUID());
    await Promise.all(ids.map((id) => store.append(`contact-${id}`, [added(id, { name: `Person ${id}` })], { expected: 'no_stream' })));
    const keys = new Database(join(s.dir, 'keys.db'), { readonly: true });
    expect(keys.prepare('SELECT COUNT(*) AS n FROM subject_keys WHERE wrapped IS NOT NULL').get()).toEqual({ n: 30 });
    keys.close();
    const other = s.open();
    for (const id of ids) expect(await dataOf(other, `contact-${id}`, 'ContactAdded')).toMatchObject({ name: `Person ${id}` });
    await Promise.all([store.close(), other.close()]);
  });

  it('never writes an event whose key was not stored: a key another process made for the same person at the same moment fails the append', async () => {
    const s = sandbox();
    const [one, two] = [s.open(), s.open()];
    const id = randomUUID();
    // Both seal with a key of their own before either is stored; the first stored wins.
    const results = await Promise.allSettled([one.append(`contact-${id}`, [added(id)]), two.append(`contact-${id}`, [added(id)])]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await dataOf(one, `contact-${id}`, 'ContactAdded')).name).toBe('Orla Brennan-Vance');
    expect(await one.readStream(`contact-${id}`)).toHaveLength(1);
    await Promise.all([one.close(), two.close()]);
  });

  it('never stores plaintext for a subject already forgotten', async () => {
    const s = sandbox();
    const store = s.open();
    const id = randomUUID();
    await store.append(`contact-${id}`, [added(id), forgottenEvent()]);
    await store.append(`contact-${id}`, [
      { id: randomUUID(), type: 'ResearchNoteAdded', metadata: meta(), data: { note: 'late note naming Orla', addedAt: '2026-11-29T11:00:00Z' } },
    ]);
    expect(s.rawData()).not.toContain('late note');
    expect(await dataOf(store, `contact-${id}`, 'ResearchNoteAdded')).toMatchObject({ note: '[forgotten]' });
    await store.close();
  });

  it('deletes the key when it reads a forgetting whose key was left (the forgetting process stopped first)', async () => {
    const s = sandbox();
    const plain = openSqliteEventStore(join(s.dir, 'events.db'));
    const sealed = s.open();
    const id = randomUUID();
    await sealed.append(`contact-${id}`, [added(id)]);
    // The forgetting stored, its key not yet deleted: written past the sealing store.
    await plain.append(`contact-${id}`, [forgottenEvent()]);
    await plain.close();
    const reader = s.open();
    await reader.readAll({});
    expect(await dataOf(reader, `contact-${id}`, 'ContactAdded')).toMatchObject({ name: '[forgotten]' });
    await reader.close();
    await sealed.close();
  });

  it('opens only the types a reader asks for (openOnly), leaves the others sealed, and still deletes the key of a forgetting it reads', async () => {
    const s = sandbox();
    const plain = openSqliteEventStore(join(s.dir, 'events.db'));
    const sealed = s.open();
    const id = randomUUID();
    const note: NewEvent = {
      id: randomUUID(),
      type: 'ResearchNoteAdded',
      metadata: meta(),
      data: { note: 'Runs the data team', addedAt: '2026-11-29T09:00:00Z' },
    };
    await sealed.append(`contact-${id}`, [added(id), note]);
    await plain.append(`contact-${id}`, [forgottenEvent()]);
    await plain.close();
    const reader = s.open();
    const [contact, research] = await reader.readAll({ openOnly: new Set(['ContactAdded']) });
    expect(contact!.data).toMatchObject({ name: 'Orla Brennan-Vance' });
    expect(research!.data).toMatchObject({ note: 'enc:v2', _sealed: expect.stringMatching(/^enc:v1:/) });
    // The forgetting was read in the same batch: the key is gone for every later read.
    expect(await dataOf(reader, `contact-${id}`, 'ContactAdded')).toMatchObject({ name: '[forgotten]' });
    await reader.close();
    await sealed.close();
  });

  it("seals a meeting's personal fields under its contact's key, so forgetting the contact erases them", async () => {
    const s = sandbox();
    const store = s.open();
    const contact = randomUUID();
    const meeting = randomUUID();
    await store.append(`contact-${contact}`, [added(contact)]);
    await store.append(`meeting-${meeting}`, [
      {
        id: randomUUID(),
        type: 'MeetingHeld',
        metadata: meta({ dataSubject: `contact:${contact}` }),
        data: { heldAt: '2026-11-29T09:00:00Z', actualMinutes: 20, notes: 'Orla mentioned a reorg', referralsAsked: 2, businessCards: 0 },
      },
    ]);
    expect((await dataOf(store, `meeting-${meeting}`, 'MeetingHeld'))['notes']).toBe('Orla mentioned a reorg');
    await store.append(`contact-${contact}`, [forgottenEvent()]);
    expect(await dataOf(store, `meeting-${meeting}`, 'MeetingHeld')).not.toHaveProperty('notes');
    await store.close();
  });

  it("refuses a sealed value moved into another contact's event (authenticated with its subject)", async () => {
    const s = sandbox();
    const store = s.open();
    const a = randomUUID();
    const b = randomUUID();
    await store.append(`contact-${a}`, [added(a)]);
    await store.append(`contact-${b}`, [added(b, { name: 'Someone Else' })]);
    await store.close();
    const db = new Database(join(s.dir, 'events.db'));
    const dataA = JSON.parse((db.prepare('SELECT data FROM events WHERE stream = ?').get(`contact-${a}`) as { data: string }).data);
    const rowB = JSON.parse((db.prepare('SELECT data FROM events WHERE stream = ?').get(`contact-${b}`) as { data: string }).data);
    db.prepare('UPDATE events SET data = ? WHERE stream = ?').run(JSON.stringify({ ...rowB, _sealed: dataA._sealed }), `contact-${b}`);
    db.close();
    const reader = s.open();
    await expect(reader.readStream(`contact-${b}`)).rejects.toThrow(/failed authentication/);
    await reader.close();
  });

  it("seals an event's personal values together: one ciphertext per event, each field marked in its place", async () => {
    const s = sandbox();
    const store = s.open();
    const id = randomUUID();
    await store.append(`contact-${id}`, [added(id, { role: 'Gearwright', tags: ['a', 'b'] })]);
    await store.close();
    const db = new Database(join(s.dir, 'events.db'));
    const row = JSON.parse((db.prepare('SELECT data FROM events WHERE stream = ?').get(`contact-${id}`) as { data: string }).data);
    db.close();
    expect(row).toMatchObject({ name: 'enc:v2', email: 'enc:v2', phone: 'enc:v2', role: 'enc:v2', tags: ['enc:v2', 'enc:v2'] });
    expect(JSON.stringify(row).match(/enc:v1:/g)).toHaveLength(1);
  });

  it('refuses an event whose personal fields were removed or added after sealing (the values would land in other fields)', async () => {
    const s = sandbox();
    const store = s.open();
    const id = randomUUID();
    await store.append(`contact-${id}`, [added(id)]);
    await store.close();
    const edit = (change: (d: Record<string, unknown>) => void) => {
      const db = new Database(join(s.dir, 'events.db'));
      const data = JSON.parse((db.prepare('SELECT data FROM events WHERE stream = ?').get(`contact-${id}`) as { data: string }).data);
      change(data);
      db.prepare('UPDATE events SET data = ? WHERE stream = ?').run(JSON.stringify(data), `contact-${id}`);
      db.close();
    };
    edit((d) => delete d['email']);
    const reader = s.open();
    await expect(reader.readStream(`contact-${id}`)).rejects.toThrow(/fewer personal fields/);
    await reader.close();
    edit((d) => {
      d['email'] = 'enc:v2';
      d['linkedinUrl'] = 'enc:v2';
    });
    const again = s.open();
    await expect(again.readStream(`contact-${id}`)).rejects.toThrow(/more personal fields/);
    await again.close();
  });

  it('reads events sealed a field at a time (as written before one seal per event) in clear, and erased once forgotten', async () => {
    const s = sandbox();
    const store = s.open();
    const id = randomUUID();
    await store.append(`contact-${id}`, [added(id)]);
    await store.close();
    // The same event as the earlier format stored it: each personal field its own ciphertext, no envelope.
    const keys = openSubjectKeys(join(s.dir, 'keys.db'), s.master);
    const subject = personalDataRules.subjectOf(`contact-${id}`, meta());
    const key = keys.existingKey(subject)!;
    keys.close();
    const db = new Database(join(s.dir, 'events.db'));
    const data = JSON.parse((db.prepare('SELECT data FROM events WHERE stream = ?').get(`contact-${id}`) as { data: string }).data);
    delete data['_sealed'];
    Object.assign(data, {
      name: sealValue(key, 'Orla Brennan-Vance', subject),
      email: sealValue(key, 'orla@vance.example', subject),
      phone: sealValue(key, '+353 1 555 0199', subject),
      organisation: sealValue(key, 'Tidewater', subject),
    });
    db.prepare('UPDATE events SET data = ? WHERE stream = ?').run(JSON.stringify(data), `contact-${id}`);
    db.close();
    const reader = s.open();
    expect(await dataOf(reader, `contact-${id}`, 'ContactAdded')).toMatchObject({
      name: 'Orla Brennan-Vance',
      email: 'orla@vance.example',
      organisation: 'Tidewater',
    });
    await reader.append(`contact-${id}`, [forgottenEvent()]);
    expect(await dataOf(reader, `contact-${id}`, 'ContactAdded')).toMatchObject({ name: '[forgotten]' });
    await reader.close();
  });

  it('forgetting overwrites the key: no byte of keys.db or its WAL holds the wrapped key afterwards, the other keys stay', async () => {
    const s = sandbox();
    const first = s.open();
    const [gone, kept] = [randomUUID(), randomUUID()];
    await first.append(`contact-${gone}`, [added(gone)]);
    await first.append(`contact-${kept}`, [added(kept, { name: 'Kept Person' })]);
    // Closed, the keys are in keys.db's own pages (not only in its WAL), where only secure_delete erases them.
    await first.close();
    const store = s.open();
    const keys = new Database(join(s.dir, 'keys.db'), { readonly: true });
    const wrapped = (id: string) => (keys.prepare('SELECT wrapped FROM subject_keys WHERE subject = ?').get(`contact:${id}`) as { wrapped: Buffer }).wrapped;
    const [goneKey, keptKey] = [wrapped(gone), wrapped(kept)];
    keys.close();
    const files = () => Buffer.concat([s.bytesOf('keys.db'), s.bytesOf('keys.db-wal')]);
    // Any 10 bytes of the wrapped key left anywhere count: an overwrite by the next row can hide the whole of it.
    const traces = (key: Buffer) => {
      const bytes = files();
      return Array.from({ length: key.length - 9 }, (_, i) => key.subarray(i, i + 10)).filter((piece) => bytes.includes(piece)).length;
    };
    // The search can fail: before the forgetting, the bytes are there.
    expect(traces(goneKey)).toBeGreaterThan(0);
    await store.append(`contact-${gone}`, [forgottenEvent()]);
    expect(traces(goneKey)).toBe(0);
    expect(traces(keptKey)).toBeGreaterThan(0);
    expect(await dataOf(store, `contact-${kept}`, 'ContactAdded')).toMatchObject({ name: 'Kept Person' });
    await store.close();
    expect(traces(goneKey)).toBe(0);
  });

  it('opening the keys with another master key is one config error naming OUTREACH_SECRET_KEY', async () => {
    const s = sandbox();
    const store = s.open();
    const id = randomUUID();
    await store.append(`contact-${id}`, [added(id)]);
    await store.close();
    expect(() => s.open(randomBytes(32))).toThrow(/OUTREACH_SECRET_KEY/);
  });
});

describe('the personal fields of the schemas', () => {
  it('every event type with personal data has a placeholder its schema accepts for each required field', () => {
    for (const [type, schema] of Object.entries(eventSchemas)) {
      for (const f of personalFieldsOf(type)) {
        if (f.optional || f.path.includes('*')) continue;
        const shape = (schema as { shape: Record<string, { safeParse: (v: unknown) => { success: boolean } }> }).shape;
        expect(shape[f.path[0]!]!.safeParse(f.placeholder).success, `${type}.${f.path.join('.')}`).toBe(true);
      }
    }
  });

  it("finds the marked fields: the contact's name, email and phone, the meeting's notes, each question", () => {
    const paths = (type: string) => personalFieldsOf(type).map((f) => f.path.join('.'));
    expect(paths('ContactAdded')).toEqual(expect.arrayContaining(['name', 'email', 'phone', 'linkedinUrl']));
    expect(paths('MeetingHeld')).toEqual(expect.arrayContaining(['notes', 'insights']));
    expect(paths('QuestionsPrepared')).toEqual(['questions.*']);
    expect(paths('ThankYouSent')).toEqual([]);
  });
});

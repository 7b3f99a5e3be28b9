import { afterEach, describe, expect, it } from 'vitest';
import { addContact, addResearchNote } from '../../src/app/contact-commands.ts';
import { bookMeeting, holdMeeting, requestMeeting } from '../../src/app/meeting-commands.ts';
import { OutreachError } from '../../src/domain/errors.ts';
import { appSandbox } from '../support/app.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const sandbox = async () => {
  const s = await appSandbox();
  cleanup = s.cleanup;
  return s;
};

const codeOf = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? (r.reason as OutreachError).code : 'ok');

describe('command handling', () => {
  it('concurrent commands on one stream are all kept, each at its own revision', async () => {
    const { ctx, store } = await sandbox();
    const { id } = await addContact(ctx, { name: 'Ada', email: 'ada@example.org' });
    await Promise.all(Array.from({ length: 25 }, (_, n) => addResearchNote(ctx, { contact: id, text: `note ${n}` })));
    const events = await store.readStream(`contact-${id}`);
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 26 }, (_, i) => i));
  });

  it('of racing requests for one contact exactly one opens; the rest are refused as illegal, not lost or doubled', async () => {
    const { ctx, store } = await sandbox();
    const { id } = await addContact(ctx, { name: 'Ada', email: 'ada@example.org' });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => requestMeeting(ctx, { contact: id, minutes: 20 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(['illegal_state', 'conflict']).toContain(codeOf(r));
    const all = await store.readAll({ maxCount: 1000 });
    expect(all.filter((e) => e.type === 'MeetingRequested')).toHaveLength(1);
  });

  it('of racing commands on one meeting exactly one holds it', async () => {
    const { ctx } = await sandbox();
    const { id: contact } = await addContact(ctx, { name: 'Ada', email: 'ada@example.org' });
    const { id: meeting } = await requestMeeting(ctx, { contact, minutes: 20 });
    await bookMeeting(ctx, { meeting, at: '2026-11-02T10:00:00Z', past: true });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => holdMeeting(ctx, { meeting, at: '2026-11-02T10:20:00Z', minutes: 20 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(new Set(results.filter((r) => r.status === 'rejected').map(codeOf))).toEqual(new Set(['illegal_state']));
  });

  it('errors carry a code: validation, not found, illegal state', async () => {
    const { ctx } = await sandbox();
    await expect(addContact(ctx, { name: '' })).rejects.toMatchObject({ code: 'validation', field: 'name' });
    await expect(requestMeeting(ctx, { contact: '01a22886-c6a0-70f9-ab35-52ff5a5432b4', minutes: 20 })).rejects.toMatchObject({ code: 'not_found' });
    const { id } = await addContact(ctx, { name: 'No Mail' });
    await expect(requestMeeting(ctx, { contact: id, minutes: 20 })).rejects.toMatchObject({ code: 'illegal_state' });
  });

  it('a contact cannot be added before the workspace is configured: its time zone and the request wording come from there', async () => {
    const s = await appSandbox({ configure: false });
    cleanup = s.cleanup;
    await expect(addContact(s.ctx, { name: 'Ada', email: 'ada@example.org' })).rejects.toThrow(/not configured/);
    expect(await s.ctx.store.readAll().then((all) => all.length)).toBe(0);
  });
});

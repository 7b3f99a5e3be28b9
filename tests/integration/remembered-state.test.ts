/**
 * A command remembers the state its own append leads to, so that the next command on the stream
 * reads nothing. That state must be the one a read of the stream gives: checked here against a
 * second store opened on the same files (its own, empty memory), over the sealed store as the
 * application opens it, after commands of every kind on a contact and a meeting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { contactAggregate, meetingAggregate, workspaceAggregate } from '../../src/app/aggregates.ts';
import {
  addContact,
  addResearchNote,
  changeContact,
  forgetContact,
  prepareQuestions,
  recordReply,
  reportJobLead,
  writeUpdate,
} from '../../src/app/contact-commands.ts';
import { load, type AppContext } from '../../src/app/handle.ts';
import { bookMeeting, holdMeeting, requestMeeting, rescheduleMeeting } from '../../src/app/meeting-commands.ts';
import { openEventStore } from '../../src/main/event-store.ts';
import { appSandbox, TEST_SECRET_KEY } from '../support/app.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sandboxWithFreshReader() {
  const s = await appSandbox();
  const fresh = await openEventStore(
    { eventStore: { kind: 'sqlite', file: `${s.dir}/events.db` }, dataDir: s.dir },
    { ...process.env, OUTREACH_SECRET_KEY: TEST_SECRET_KEY },
  );
  cleanups.push(s.cleanup, () => fresh.close());
  const freshCtx: AppContext = { ...s.ctx, store: fresh };
  return { ctx: s.ctx, freshCtx };
}

const hour = 3_600_000;
const at = (ms: number) => new Date(Math.floor((Date.now() + ms) / 60_000) * 60_000).toISOString();

describe('the state a command remembers after its own append', () => {
  it('is the state a fresh read of the stream gives, after each command on a contact and its meeting', async () => {
    const { ctx, freshCtx } = await sandboxWithFreshReader();
    const same = async () => {
      for (const [agg, id] of [
        [contactAggregate, contact],
        [meetingAggregate, meeting],
        [workspaceAggregate, ctx.workspaceId],
      ] as const) {
        if (id === '') continue;
        const remembered = await load(ctx, agg as typeof contactAggregate, id);
        const read = await load(freshCtx, agg as typeof contactAggregate, id);
        expect(remembered).toEqual(read);
      }
    };
    let meeting = '';
    const { id: contact } = await addContact(ctx, { name: 'Priya Shah', email: 'priya@example.com', org: 'Contoso', role: 'Head of Data' });
    await same();
    await changeContact(ctx, { contact, phone: '+44 20 7946 0000', tag: ['data'] });
    await addResearchNote(ctx, { contact, text: 'Spoke at PyData London about hiring analysts.' });
    await prepareQuestions(ctx, { contact, question: ['How did you get into data?', 'What do you look for in a junior?'] });
    await same();
    ({ id: meeting } = await requestMeeting(ctx, { contact, minutes: 20, channel: 'email' }));
    await same();
    await bookMeeting(ctx, { meeting, at: at(48 * hour), videoUrl: 'https://meet.example/abc' });
    await rescheduleMeeting(ctx, { meeting, at: at(-2 * hour), past: true });
    await holdMeeting(ctx, { meeting, at: at(-hour), minutes: 25, referrals: 2, insights: 'portfolio work beats certificates' });
    await same();
    await recordReply(ctx, { contact, summary: 'Happy to help again.' });
    await reportJobLead(ctx, { contact, description: 'A junior analyst role opens in March', meeting });
    await writeUpdate(ctx, { contact, text: 'I started the course you suggested.' });
    await same();
    await forgetContact(ctx, { contact });
    await same();
  });

  it('gives way to what another process appended since: the stream is read from the remembered revision on', async () => {
    const { ctx, freshCtx } = await sandboxWithFreshReader();
    const { id: contact } = await addContact(ctx, { name: 'Omar Haddad', email: 'omar@example.com' });
    await addResearchNote(ctx, { contact, text: 'First note.' });
    await addResearchNote(freshCtx, { contact, text: 'Written by another process.' });
    const { state } = await load(ctx, contactAggregate, contact);
    expect(state).toEqual((await load(freshCtx, contactAggregate, contact)).state);
    expect(state.researchNotes).toBe(2);
  });
});

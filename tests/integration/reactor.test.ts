import { afterEach, describe, expect, it } from 'vitest';
import { addContact, optOut, recordReply } from '../../src/app/contact-commands.ts';
import { bookMeeting, cancelMeeting, holdMeeting, requestMeeting, rescheduleMeeting } from '../../src/app/meeting-commands.ts';
import { react } from '../../src/app/reactor/facts.ts';
import { configureWorkspace } from '../../src/app/workspace-commands.ts';
import { fixedClock } from '../../src/app/clock.ts';
import type { StoredEvent } from '../../src/eventstore/port.ts';
import { appSandbox } from '../support/app.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const NOW = '2026-11-30T10:00:00Z'; // a Monday

async function setup() {
  const s = await appSandbox({ clock: fixedClock(NOW) });
  cleanup = s.cleanup;
  const last = async (type: string): Promise<StoredEvent> => {
    const all = await s.store.readAll({ maxCount: 10_000 });
    return all.filter((e) => e.type === type).at(-1)!;
  };
  return { ...s, last };
}

describe('the reactor turns events into effects', () => {
  it("a request by email that no one reviews is scheduled in the recipient's next business moment", async () => {
    const { ctx, last } = await setup();
    await configureWorkspace(ctx, {
      ownerName: 'Sam Seeker',
      ownerEmail: 'sam@example.com',
      objective: 'Learn how data teams hire',
      timezone: 'Europe/London',
      review: 'none',
    });
    const { id: contact } = await addContact(ctx, { name: 'Ken', email: 'ken@example.jp', timezone: 'Asia/Tokyo' });
    await requestMeeting(ctx, { contact, minutes: 20 });
    const r = await react(await last('MeetingRequested'), ctx);
    // 10:00Z Monday is 19:00 in Tokyo: the email waits for Tuesday 09:00 JST = 00:00Z.
    expect(r.schedule).toMatchObject([{ queue: 'email', dueAt: '2026-12-01T00:00:00Z', data: { kind: 'request-email', contactId: contact } }]);
    expect(r.schedule[0]!.data.key).toBe(`request-email:${(await last('MeetingRequested')).id}`);
  });

  it('a request by email held for review (the default) is drafted at once, whatever the hour where the recipient is', async () => {
    const { ctx, last } = await setup();
    const { id: contact } = await addContact(ctx, { name: 'Ken', email: 'ken@example.jp', timezone: 'Asia/Tokyo' });
    await requestMeeting(ctx, { contact, minutes: 20 });
    const r = await react(await last('MeetingRequested'), ctx);
    expect(r.schedule).toMatchObject([{ queue: 'email', dueAt: NOW, data: { kind: 'request-email', contactId: contact } }]);
  });

  it('a request by phone sends nothing', async () => {
    const { ctx, last } = await setup();
    const { id: contact } = await addContact(ctx, { name: 'Ken', phone: '+81 3 1234 5678' });
    await requestMeeting(ctx, { contact, minutes: 20, channel: 'phone' });
    expect((await react(await last('MeetingRequested'), ctx)).schedule).toEqual([]);
  });

  it('a held meeting schedules the thank-you by the scheduling rules, and stops the brief and the nudge', async () => {
    const { ctx, last } = await setup();
    const { id: contact } = await addContact(ctx, { name: 'Ada', email: 'ada@example.org', timezone: 'Europe/London' });
    const { id: meeting } = await requestMeeting(ctx, { contact, minutes: 20 });
    await bookMeeting(ctx, { meeting, at: '2026-11-27T16:00:00Z', past: true });
    await holdMeeting(ctx, { meeting, at: '2026-11-27T16:20:00Z', minutes: 20 });
    const r = await react(await last('MeetingHeld'), ctx);
    // Friday 16:20 + 2 h is after hours, Monday is past the 24 h deadline: the last business minute of Friday.
    expect(r.schedule).toMatchObject([{ dueAt: '2026-11-27T17:29:00Z', priority: 1, data: { kind: 'thank-you', meetingId: meeting } }]);
    expect(r.cancel).toEqual([{ scope: `meeting:${meeting}`, kinds: ['prep-brief', 'nudge'], because: 'MeetingHeld' }]);
  });

  it('a booking schedules the confirmation now and the prep brief the business day before, and withdraws the nudge', async () => {
    const { ctx, last } = await setup();
    const { id: contact } = await addContact(ctx, { name: 'Ada', email: 'ada@example.org' });
    const { id: meeting } = await requestMeeting(ctx, { contact, minutes: 20 });
    await bookMeeting(ctx, { meeting, at: '2026-12-03T14:00:00Z' });
    const r = await react(await last('MeetingBooked'), ctx);
    expect(r.schedule.map((j) => [j.data.kind, j.queue, j.dueAt])).toEqual([
      ['booking-confirmation', 'email', NOW],
      ['prep-brief', 'email', '2026-12-02T09:00:00Z'],
      ['calendar-file', 'calendar', NOW],
    ]);
    expect(r.cancel[0]!.kinds).toContain('nudge');
  });

  it('a cancelled booking sends the calendar cancellation and withdraws what was pending', async () => {
    const { ctx, last } = await setup();
    const { id: contact } = await addContact(ctx, { name: 'Ada', email: 'ada@example.org' });
    const { id: meeting } = await requestMeeting(ctx, { contact, minutes: 20 });
    await bookMeeting(ctx, { meeting, at: '2026-12-03T14:00:00Z' });
    await cancelMeeting(ctx, { meeting, by: 'contact' });
    const r = await react(await last('MeetingCancelled'), ctx);
    expect(r.schedule.map((j) => j.data.kind)).toEqual(['calendar-cancel', 'calendar-file']);
    expect(r.cancel[0]).toMatchObject({ scope: `meeting:${meeting}`, because: 'MeetingCancelled' });
  });

  it('with a calendar connected, a booking also creates the Google event; a time moved in the calendar is not pushed back', async () => {
    const { ctx, last } = await setup();
    const { decideWorkspace } = await import('../../src/domain/workspace.ts');
    const { execute } = await import('../../src/app/handle.ts');
    const { workspaceAggregate } = await import('../../src/app/aggregates.ts');
    await execute(ctx, workspaceAggregate, ctx.workspaceId, ({ state }) =>
      decideWorkspace({ type: 'ConnectCalendar', calendarId: 'primary', now: NOW }, state),
    );
    expect((await react(await last('CalendarConnected'), ctx)).polls).toEqual([
      { workspaceId: 'test', on: true, backfillFrom: (await last('CalendarConnected')).id },
    ]);
    const { id: contact } = await addContact(ctx, { name: 'Ada', email: 'ada@example.org' });
    const { id: meeting } = await requestMeeting(ctx, { contact, minutes: 20 });
    await bookMeeting(ctx, { meeting, at: '2026-12-03T14:00:00Z' });
    expect((await react(await last('MeetingBooked'), ctx)).schedule.map((j) => j.data.kind)).toContain('google-create');
    await rescheduleMeeting(ctx, { meeting, at: '2026-12-03T15:00:00Z' });
    expect((await react(await last('MeetingRescheduled'), ctx)).schedule.map((j) => j.data.kind)).toContain('google-update');
    await rescheduleMeeting(ctx, { meeting, at: '2026-12-03T16:00:00Z' }, 'calendar');
    expect((await react(await last('MeetingRescheduled'), ctx)).schedule.map((j) => j.data.kind)).not.toContain('google-update');
    await cancelMeeting(ctx, { meeting }, 'calendar');
    expect((await react(await last('MeetingCancelled'), ctx)).schedule.map((j) => j.data.kind)).not.toContain('google-delete');
  });

  it('a reply withdraws nudges and keep-in-touch notes, not the thank-you', async () => {
    const { ctx, last } = await setup();
    const { id: contact } = await addContact(ctx, { name: 'Ada', email: 'ada@example.org' });
    await recordReply(ctx, { contact });
    expect((await react(await last('ReplyReceived'), ctx)).cancel).toEqual([
      { scope: `contact:${contact}`, kinds: ['nudge', 'keep-in-touch'], because: 'ReplyReceived' },
    ]);
  });

  it('an opt-out withdraws everything pending for the contact', async () => {
    const { ctx, last } = await setup();
    const { id: contact } = await addContact(ctx, { name: 'Ada', email: 'ada@example.org' });
    await optOut(ctx, { contact });
    expect((await react(await last('ContactOptedOut'), ctx)).cancel).toEqual([{ scope: `contact:${contact}`, kinds: 'all', because: 'ContactOptedOut' }]);
  });
});

import type { AppContext } from '../../src/app/handle.ts';
import { execute } from '../../src/app/handle.ts';
import { workspaceAggregate } from '../../src/app/aggregates.ts';
import { addContact } from '../../src/app/contact-commands.ts';
import { bookMeeting, requestMeeting } from '../../src/app/meeting-commands.ts';
import { derivedId } from '../../src/app/ids.ts';
import { effectKey, type EffectKind } from '../../src/app/effects/effect.ts';
import { decideWorkspace } from '../../src/domain/workspace.ts';
import type { EventStore, StoredEvent } from '../../src/eventstore/port.ts';
import { saveRefreshToken, tokenStoreKeyFrom } from '../../src/infra/google/token-store.ts';
import { configureAllHours, heldMeeting } from './email-fixtures.ts';
import type { CalendarStandIn } from './google-calendar-standin/index.ts';
import type { SmtpStandIn } from './smtp-server.ts';

/*
 * A mixed workload for the fault scenarios, over both queues: meetings held an hour ago (a thank-you
 * each, due now), meetings booked for next week with Google Calendar connected (a confirmation email
 * with its .ics and a Google event each, plus an .ics file and a prep brief due later), and meetings
 * requested by email (the request, then its nudge a second later). The ledger tells, from the
 * event log, which of the effects due now have their result event, by the ids the protocol derives.
 */

export type Workload = { held: string[]; booked: string[]; requested: string[] };

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');

export async function connectCalendar(ctx: AppContext, dataDir: string, env: Record<string, string>, google: CalendarStandIn) {
  saveRefreshToken(dataDir, tokenStoreKeyFrom(env), ctx.workspaceId, {
    refreshToken: google.issueRefreshToken(),
    scope: 'https://www.googleapis.com/auth/calendar.events',
  });
  await execute(ctx, workspaceAggregate, ctx.workspaceId, ({ state }) =>
    decideWorkspace({ type: 'ConnectCalendar', calendarId: 'primary', now: ctx.clock() }, state),
  );
}

export async function mixedWorkload(ctx: AppContext, size: { held: number; booked: number; requested: number }): Promise<Workload> {
  await configureAllHours(ctx, { dailyLimit: 10_000 });
  const w: Workload = { held: [], booked: [], requested: [] };
  let n = 0;
  for (let i = 0; i < size.held; i++) w.held.push((await heldMeeting(ctx, n++)).meeting);
  for (let i = 0; i < size.booked; i++) {
    const { id: contact } = await addContact(ctx, {
      name: `Booked ${n} Example`,
      email: `booked${n++}@contact.example`,
      org: 'Contoso',
      role: 'Lead',
      timezone: 'Europe/London',
    });
    const { id: meeting } = await requestMeeting(ctx, { contact, minutes: 20, channel: 'phone' });
    await bookMeeting(ctx, { meeting, at: inDays(7), videoUrl: 'https://meet.example/x' });
    w.booked.push(meeting);
  }
  for (let i = 0; i < size.requested; i++) {
    const { id: contact } = await addContact(ctx, {
      name: `Asked ${n} Example`,
      email: `asked${n++}@contact.example`,
      org: 'Fabrikam',
      role: 'Manager',
      timezone: 'Europe/London',
    });
    w.requested.push((await requestMeeting(ctx, { contact, minutes: 20, channel: 'email', via: 'direct' })).id);
  }
  return w;
}

export type Effect = { key: string; kind: EffectKind; meeting: string; resultId: string };

/** What the log says so far: every event id, and the source events the effects derive from. */
export class Ledger {
  private after: bigint | null = null;
  readonly ids = new Set<string>();
  private readonly sources = new Map<string, StoredEvent>();
  constructor(
    private readonly store: EventStore,
    private readonly w: Workload,
  ) {}

  async refresh() {
    for (;;) {
      const batch = await this.store.readAll({ after: this.after, maxCount: 2000 });
      if (batch.length === 0) return this;
      this.after = batch.at(-1)!.position;
      for (const e of batch) {
        this.ids.add(e.id);
        if (['MeetingHeld', 'MeetingBooked', 'MeetingRequested', 'OutreachEmailSent'].includes(e.type)) this.sources.set(`${e.type}|${e.stream}`, e);
      }
    }
  }

  private effect(kind: EffectKind, meeting: string, sourceType: string): Effect {
    const source = this.sources.get(`${sourceType}|meeting-${meeting}`);
    // A nudge's source (the request's result) may not exist yet: then the nudge is not done either.
    const key = effectKey(kind, source?.id ?? `missing-${sourceType}-${meeting}`);
    return { key, kind, meeting, resultId: derivedId(key) };
  }

  /** The effects due now, each with the id its result event gets. */
  due(): Effect[] {
    return [
      ...this.w.held.map((m) => this.effect('thank-you', m, 'MeetingHeld')),
      ...this.w.booked.flatMap((m) => [this.effect('booking-confirmation', m, 'MeetingBooked'), this.effect('google-create', m, 'MeetingBooked')]),
      ...this.w.requested.flatMap((m) => [this.effect('request-email', m, 'MeetingRequested'), this.effect('nudge', m, 'OutreachEmailSent')]),
    ];
  }

  done(): Effect[] {
    return this.due().filter((e) => this.ids.has(e.resultId));
  }
}

/** The result-event id an email's Message-ID was derived from (`<id@domain>`). */
export const resultIdOfMessage = (messageId: string | undefined) => /^<([^@>]+)@/.exec(messageId ?? '')?.[1] ?? '';

/** Deliveries so far: mails taken by the SMTP stand-in and event inserts by the Calendar stand-in. */
export const deliveries = (smtp: SmtpStandIn, google: CalendarStandIn) => smtp.messages.length + google.calls.filter((c) => c.kind === 'insert').length;

/** Message-IDs the SMTP stand-in took more than once. */
export function repeatedMessages(smtp: SmtpStandIn) {
  const per = new Map<string, number>();
  for (const m of smtp.messages) per.set(m.parsed.messageId ?? '', (per.get(m.parsed.messageId ?? '') ?? 0) + 1);
  return [...per.values()].filter((n) => n > 1).length;
}

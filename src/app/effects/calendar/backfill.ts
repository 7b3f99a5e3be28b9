import type { EventStore } from '../../../eventstore/port.ts';
import { meetingAggregate } from '../../aggregates.ts';
import { load, type AppContext } from '../../handle.ts';
import { performCalendarEffect, type CalendarDeps, type CalendarOutcome } from './run.ts';

const PAGE = 1000;

/**
 * The meetings a workspace booked before it connected the calendar, from the log up to the
 * connection (a connection is rare: one read is fine), and when it connected. A meeting booked
 * later has its own calendar job from the reactor.
 */
async function bookedBefore(store: EventStore, workspaceId: string, connectionId: string): Promise<{ ids: string[]; connectedAt: string | null }> {
  const ids = new Set<string>();
  let after: bigint | null = null;
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    for (const e of page) {
      if (e.id === connectionId) return { ids: [...ids], connectedAt: (e.data as { connectedAt: string }).connectedAt };
      if (e.type === 'MeetingBooked' && e.metadata['workspaceId'] === workspaceId) ids.add(e.stream.slice('meeting-'.length));
    }
    if (page.length < PAGE) return { ids: [...ids], connectedAt: null };
    after = page.at(-1)!.position;
  }
}

/**
 * After CalendarConnected: every live future meeting booked before it that Google does not hold as
 * booked gets its event — made when we have no record of one, patched when the seeker changed the
 * time while the calendar was away. Each is one calendar effect keyed by the connection and the
 * meeting, so a retried backfill does again only what is not recorded yet. A refusal that asks for
 * waiting (or a revoked grant) stops it; the job runs again later.
 */
export async function backfillCalendar(input: { workspaceId: string; sourceEventId: string }, deps: CalendarDeps): Promise<CalendarOutcome> {
  const ctx: AppContext = { store: deps.store, clock: deps.clock, workspaceId: input.workspaceId, actor: 'worker:calendar' };
  let made = 0;
  const { ids, connectedAt } = await bookedBefore(deps.store, input.workspaceId, input.sourceEventId);
  for (const meetingId of ids) {
    const { state: m } = await load(ctx, meetingAggregate, meetingId);
    if (m.status !== 'booked' || !m.booking || Date.parse(m.booking.start) <= Date.parse(deps.clock())) continue;
    // Moved by the seeker since the connection: the reactor's job for that move brings it in.
    if (!connectedAt || (m.seekerChangedAt && Date.parse(m.seekerChangedAt) >= Date.parse(connectedAt))) continue;
    const known = m.google;
    if (known && Date.parse(known.start) === Date.parse(m.booking.start) && known.minutes === m.booking.minutes) continue;
    const kind = known ? ('google-update' as const) : ('google-create' as const);
    const key = `${kind}:${input.sourceEventId}:${meetingId}`;
    const r = await performCalendarEffect(
      { key, kind, sourceEventId: input.sourceEventId, workspaceId: input.workspaceId, contactId: m.request!.contactId, meetingId },
      deps,
    );
    if (r.outcome === 'deferred' || r.outcome === 'disconnected') return r;
    if (r.outcome === 'done') made += 1;
  }
  return { outcome: 'done', detail: `${made} meeting(s) brought into the calendar` };
}

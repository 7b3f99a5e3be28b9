import type { Queue } from 'bullmq';
import { workspaceAggregate } from '../src/app/aggregates.ts';
import type { CalendarApi, CalendarFailure } from '../src/app/effects/calendar/api.ts';
import { pollCalendar, type SyncTokens } from '../src/app/effects/calendar/poll.ts';
import type { Clock } from '../src/app/clock.ts';
import { execute, load } from '../src/app/handle.ts';
import { decideWorkspace } from '../src/domain/workspace.ts';
import type { Log } from '../src/app/log.ts';
import type { EventStore } from '../src/eventstore/port.ts';
import { pollSchedulerId } from '../src/infra/queue/scheduler.ts';

export type CalendarPollerDeps = {
  store: EventStore;
  clock: Clock;
  /** The queue whose job scheduler runs the polls (stopped here when the calendar is gone). */
  queue: Queue;
  tokens: SyncTokens;
  /** Google as configured, or absent. */
  google?: { calendarId: string; clientFor: (workspaceId: string) => Promise<CalendarApi | null>; classify: (e: unknown) => CalendarFailure } | undefined;
  log: Log;
};

export const POLL_JOB = 'calendar-poll';

/** One `calendar-poll` job: a workspace's calendar read for edits the seeker made there (src/app/effects/calendar/poll.ts). */
export async function pollJob(workspaceId: string, deps: CalendarPollerDeps) {
  const ctx = { store: deps.store, clock: deps.clock, workspaceId, actor: 'worker:calendar-poller' };
  const connected = (await load(ctx, workspaceAggregate, workspaceId)).state.calendar.connected;
  const client = connected && deps.google ? await deps.google.clientFor(workspaceId) : null;
  if (!client || !deps.google) {
    // Disconnected since the scheduler was made: stop polling until a new CalendarConnected.
    await deps.queue.removeJobScheduler(pollSchedulerId(workspaceId));
    deps.log.info({ workspace: workspaceId, reason: 'no calendar connected' }, 'poll-stopped');
    return { stopped: true };
  }
  let r: Awaited<ReturnType<typeof pollCalendar>>;
  try {
    r = await pollCalendar({
      store: deps.store,
      clock: deps.clock,
      workspaceId,
      client,
      calendarId: deps.google.calendarId,
      tokens: deps.tokens,
      classify: deps.google.classify,
    });
  } catch (e) {
    const failure = deps.google.classify(e);
    if (failure.kind !== 'reauth') throw e;
    // A revoked grant does not come back by asking again: record it once, stop polling, tell the seeker.
    await execute(ctx, workspaceAggregate, workspaceId, ({ state }) =>
      decideWorkspace({ type: 'DisconnectCalendar', reason: 'invalid_grant', now: deps.clock() }, state),
    );
    await deps.queue.removeJobScheduler(pollSchedulerId(workspaceId));
    deps.log.warn({ workspace: workspaceId, reason: `${failure.message}: reconnect with \`outreach google connect\`` }, 'calendar-disconnected');
    return { stopped: true, disconnected: true };
  }
  deps.log.info({ workspace: workspaceId, seen: r.seen, changes: r.changes.length, fullSync: r.fullSync }, 'polled');
  return r;
}

import { isOutreachError } from '../../../domain/errors.ts';
import { decideMeeting, type CalendarVersion } from '../../../domain/meeting.ts';
import { decideWorkspace } from '../../../domain/workspace.ts';
import type { EventStore } from '../../../eventstore/port.ts';
import { meetingAggregate, workspaceAggregate } from '../../aggregates.ts';
import type { Clock } from '../../clock.ts';
import { execute, type AppContext } from '../../handle.ts';
import { derivedId } from '../../ids.ts';
import type { SendUpdates } from './api.ts';
import { settleStale, takeCalendarEdit } from './conflict.ts';
import { decideCalendar, waitAfterRefusal } from './decide.ts';
import { readCalendarFacts, type CalendarEffectData, type CalendarFacts } from './facts.ts';
import type { CalendarExecutor, CalendarIntent } from './intent.ts';

export type { CalendarEffectData } from './facts.ts';

export type CalendarDeps = {
  store: EventStore;
  clock: Clock;
  executor: CalendarExecutor;
  messageDomain?: string | undefined;
  /** The first wait after a rate limit that named no Retry-After, doubled at each wait after (default 1 s). */
  rateLimitWaitMs?: number | undefined;
  /** For the backoff's jitter (Math.random unless a test fixes it). */
  random?: (() => number) | undefined;
  /** Google Calendar as configured, or absent (only the .ics files are written). */
  google?: { calendarId: string; sendUpdates: SendUpdates } | undefined;
};

export type CalendarOutcome =
  | { outcome: 'done'; detail: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'deferred'; until: string; reason: string }
  | { outcome: 'disconnected'; reason: string };

/**
 * One calendar effect: read the facts, decide (pure), let the executor write the file or call
 * Google, then record a Google write with an event id derived from the effect key. A refusal that
 * asks for waiting defers the job; a revoked grant records CalendarDisconnected.
 */
export async function performCalendarEffect(data: CalendarEffectData, deps: CalendarDeps): Promise<CalendarOutcome> {
  const ctx: AppContext = { store: deps.store, clock: deps.clock, workspaceId: data.workspaceId, actor: 'worker:calendar', causationId: data.sourceEventId };
  const facts = await readCalendarFacts(ctx, data);
  const decision = decideCalendar(data, facts, { now: deps.clock(), messageDomain: deps.messageDomain, google: deps.google });
  if (decision.decision === 'skip') return { outcome: 'skipped', reason: decision.reason };
  if (decision.decision === 'defer') return { outcome: 'deferred', until: decision.until, reason: decision.reason };
  const intent = decision.intent;
  let result = await deps.executor.run(intent);
  if (result.outcome === 'stale' && intent.kind === 'google') {
    const settled = await settleStale(ctx, data.meetingId!, intent, result.current, facts, deps.executor);
    if (settled.settled === 'calendar') return { outcome: 'done', detail: settled.detail };
    result = settled.result;
  }
  switch (result.outcome) {
    case 'done':
      if (intent.kind !== 'google') return { outcome: 'done', detail: result.detail };
      // Nothing was there and we have no record of making it: nothing to record as deleted.
      if (result.alreadyGone && !facts.meeting.google) return { outcome: 'done', detail: `nothing to delete: no Google event was made for this meeting` };
      await recordWrite(ctx, data, { ...intent, change: result.change ?? intent.change }, facts, result.version);
      if (result.changedInCalendar) {
        const taken = await takeCalendarEdit(ctx, data.meetingId!, result.changedInCalendar, facts);
        return { outcome: 'done', detail: taken ? `${intent.eventId} ${taken}` : result.detail };
      }
      return { outcome: 'done', detail: result.detail };
    case 'stale':
      throw new Error('a Google write met a newer version of its event');
    case 'no-grant':
      return { outcome: 'skipped', reason: 'no Google grant is stored for this workspace: run `outreach google connect`' };
    case 'reauth':
      await execute(ctx, workspaceAggregate, data.workspaceId, ({ state }) =>
        decideWorkspace({ type: 'DisconnectCalendar', reason: 'invalid_grant', now: deps.clock() }, state),
      );
      return { outcome: 'disconnected', reason: `${result.message}: reconnect with \`outreach google connect\`` };
    default: {
      const backoff = { baseMs: deps.rateLimitWaitMs ?? 1000, deferrals: data.deferrals ?? 0, random: (deps.random ?? Math.random)() };
      const wait = waitAfterRefusal(result, deps.clock(), backoff)!;
      return { outcome: 'deferred', until: wait.until, reason: wait.reason };
    }
  }
}

async function recordWrite(
  ctx: AppContext,
  data: CalendarEffectData,
  intent: Extract<CalendarIntent, { kind: 'google' }>,
  facts: CalendarFacts,
  version: CalendarVersion | undefined,
) {
  try {
    await execute(
      ctx,
      meetingAggregate,
      data.meetingId!,
      ({ state }) =>
        decideMeeting(
          {
            type: 'RecordCalendarEvent',
            change: intent.change,
            provider: 'google',
            calendarEventId: intent.eventId,
            ...(version && intent.change !== 'deleted' ? { version } : {}),
            now: ctx.clock(),
          },
          state,
          { contact: facts.contact },
        ),
      { eventIds: () => derivedId(data.key) },
    );
  } catch (e) {
    if (!isOutreachError(e, 'illegal_state')) throw e;
  }
}

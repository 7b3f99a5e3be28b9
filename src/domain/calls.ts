import { illegal } from './errors.ts';
import type { EventOf, callOutcomes } from './events.ts';
import { nextBusinessDay, type Window } from './scheduling.ts';

export type CallOutcome = (typeof callOutcomes)[number];

/** The telephone side of a request: how many calls were made, how the last ended, and when to try again. */
export type CallState = { attempts: number; lastOutcome?: CallOutcome; nextCallAt?: string };

/** A call with no answer (voicemail, no answer) is tried again at most this many times in all. */
export const MAX_CALL_TRIES = 3;

export type LogCall = {
  type: 'LogCall';
  outcome: CallOutcome;
  /** For a call-back: when they asked to be called. */
  callBackAt?: string | undefined;
  notes?: string | undefined;
  /** The contact's business hours: a next try goes at the start of their next business day. */
  window: Window;
  now: string;
};

/**
 * The CallLogged event of a call: its attempt number and, when another call is due, when. A
 * call-back is due when they said; voicemail and no answer the next business day, three tries in all.
 */
export function loggedCall(command: LogCall, calls: CallState): EventOf<'CallLogged'>['data'] {
  const attempt = calls.attempts + 1;
  let nextCallAt: string | undefined;
  if (command.outcome === 'call-back') {
    if (!command.callBackAt) throw illegal('a call-back needs the time they asked to be called (--at)');
    if (Date.parse(command.callBackAt) <= Date.parse(command.now)) throw illegal('a call-back must be in the future');
    nextCallAt = command.callBackAt;
  } else if ((command.outcome === 'voicemail' || command.outcome === 'no-answer') && attempt < MAX_CALL_TRIES) {
    nextCallAt = nextBusinessDay(command.now, command.window);
  }
  return {
    outcome: command.outcome,
    attempt,
    ...(nextCallAt ? { nextCallAt } : {}),
    ...(command.notes ? { notes: command.notes } : {}),
    calledAt: command.now,
  };
}

export const evolveCalls = (calls: CallState, e: EventOf<'CallLogged'>['data']): CallState => ({
  attempts: e.attempt,
  lastOutcome: e.outcome,
  ...(e.nextCallAt ? { nextCallAt: e.nextCallAt } : {}),
});

/**
 * Two times a caller can offer, in the contact's business hours: the next business day an hour
 * after opening, and the business day after that in the afternoon (an hour before closing at the latest).
 */
export function proposedCallTimes(now: string, w: Window): [string, string] {
  const open = (day: string) => Date.parse(day);
  const [endH, endM] = w.hours.end.split(':').map(Number) as [number, number];
  const [startH, startM] = w.hours.start.split(':').map(Number) as [number, number];
  const span = (endH * 60 + endM - (startH * 60 + startM)) * 60_000;
  const firstDay = nextBusinessDay(now, w);
  const secondDay = nextBusinessDay(firstDay, w);
  const at = (day: string, offsetMs: number) => new Date(open(day) + Math.min(offsetMs, Math.max(0, span - 3_600_000))).toISOString();
  return [at(firstDay, 3_600_000), at(secondDay, Math.max(3_600_000, span / 2 + 1_800_000))];
}

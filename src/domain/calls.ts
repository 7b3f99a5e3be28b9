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

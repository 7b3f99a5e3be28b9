/**
 * What an effect's decision says, from the facts read in the streams and the time: nothing to do
 * (and why), not yet (until when, and why), or this intent, as plain data an executor carries
 * out. Further outcomes (a draft held for review) are new members here; the executors do not change.
 */
export type Skip = { decision: 'skip'; reason: string };
export type Defer = { decision: 'defer'; until: string; reason: string };
export type Perform<I> = { decision: 'perform'; intent: I };
export type Decision<I> = Skip | Defer | Perform<I>;

export const skip = (reason: string): Skip => ({ decision: 'skip', reason });
export const defer = (until: string, reason: string): Defer => ({ decision: 'defer', until, reason });
export const perform = <I>(intent: I): Perform<I> => ({ decision: 'perform', intent });

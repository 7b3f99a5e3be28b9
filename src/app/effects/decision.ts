/**
 * What an effect's decision says, from the facts read in the streams and the time: nothing to do
 * (and why), not yet (until when, and why), do this intent (plain data an executor carries out),
 * or hold it as a draft for the seeker's review. The executors know nothing of review: a draft is
 * rendered and recorded by the runner, and sent later by the same executor.
 */
export type Skip = { decision: 'skip'; reason: string };
export type Defer = { decision: 'defer'; until: string; reason: string };
export type Perform<I> = { decision: 'perform'; intent: I };
/** Held for the seeker's review: the email is drafted, and goes when they approve it. */
export type Draft<I> = { decision: 'draft'; intent: I; reason: string };
export type Decision<I> = Skip | Defer | Perform<I> | Draft<I>;

export const skip = (reason: string): Skip => ({ decision: 'skip', reason });
export const defer = (until: string, reason: string): Defer => ({ decision: 'defer', until, reason });
export const perform = <I>(intent: I): Perform<I> => ({ decision: 'perform', intent });
export const draft = <I>(intent: I, reason: string): Draft<I> => ({ decision: 'draft', intent, reason });

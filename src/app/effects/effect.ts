/**
 * An effect is one visible thing done outside the log (an email, a calendar write) because of one
 * event. Its key `<kind>:<sourceEventId>` is stable: the job id, the Message-ID and the result
 * event's id all derive from it, which is what makes each effect happen once.
 */
export const EMAIL_EFFECTS = [
  'request-email', 'nudge', 'booking-confirmation', 'prep-brief', 'thank-you', 'keep-in-touch', 'calendar-cancel',
] as const;
export type EmailEffect = (typeof EMAIL_EFFECTS)[number];
export type EffectKind = EmailEffect;

export type EffectData = {
  key: string;
  kind: EffectKind;
  sourceEventId: string;
  workspaceId: string;
  contactId: string;
  meetingId?: string;
};

export type EffectJob = {
  queue: 'email' | 'calendar';
  dueAt: string;
  /** Lower runs first when several are due: thank-yous before first requests. */
  priority: number;
  data: EffectData;
};

/** Pending effects to withdraw: all, or some kinds, of one contact's or one meeting's. */
export type Cancellation = { scope: string; kinds: readonly EffectKind[] | 'all'; because: string };

export type Reaction = { schedule: EffectJob[]; cancel: Cancellation[] };

export const effectKey = (kind: EffectKind, sourceEventId: string) => `${kind}:${sourceEventId}`;
export const contactScope = (contactId: string) => `contact:${contactId}`;
export const meetingScope = (meetingId: string) => `meeting:${meetingId}`;

export const PRIORITY: Record<EffectKind, number> = {
  'thank-you': 1,
  'booking-confirmation': 2,
  'calendar-cancel': 2,
  'prep-brief': 3,
  nudge: 5,
  'keep-in-touch': 6,
  'request-email': 10,
};

/** Emails to the seeker (the prep brief) do not count against the daily limit on outreach. */
export const toContact = (kind: EffectKind) => kind !== 'prep-brief';

export interface EffectScheduler {
  schedule(jobs: EffectJob[]): Promise<void>;
  cancel(cancellations: Cancellation[]): Promise<number>;
}

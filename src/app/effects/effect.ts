import type { RetryState } from './retry.ts';
/**
 * An effect is one visible thing done outside the log (an email, a calendar write) because of one
 * event. Its key `<kind>:<sourceEventId>` is stable: the job id, the Message-ID and the result
 * event's id all derive from it, which is what makes each effect happen once.
 */
export const EMAIL_EFFECTS = [
  'request-email',
  'gatekeeper-request',
  'nudge',
  'gatekeeper-nudge',
  'booking-confirmation',
  'prep-brief',
  'thank-you',
  'keep-in-touch',
  'calendar-cancel',
] as const;
export type EmailEffect = (typeof EMAIL_EFFECTS)[number];
/**
 * Sending a draft the seeker approved: the job of the `DraftApproved` event, which sends the drafted
 * email by the rules (and with the Message-ID and result event) of the effect that drafted it.
 */
export const SEND_DRAFT = 'send-draft' as const;
/**
 * Calendar effects: the `.ics` file of a meeting's latest state (always), and the Google Calendar
 * event (only while the workspace has a calendar connected).
 */
export const CALENDAR_EFFECTS = ['calendar-file', 'google-create', 'google-update', 'google-delete'] as const;
export type CalendarEffect = (typeof CALENDAR_EFFECTS)[number];
/**
 * Erasure: after a contact is forgotten, the local copies of mail and invitations about them (the
 * outbox's .eml files, the meetings' .ics files) are deleted. It runs on the email queue, whose
 * worker owns the outbox.
 */
export const ERASE_EFFECT = 'erase-copies' as const;
export type EraseEffect = typeof ERASE_EFFECT;
export type EffectKind = EmailEffect | CalendarEffect | EraseEffect | typeof SEND_DRAFT;
export const isCalendarEffect = (kind: EffectKind): kind is CalendarEffect => (CALENDAR_EFFECTS as readonly string[]).includes(kind);

export type EffectData = {
  key: string;
  kind: EffectKind;
  sourceEventId: string;
  workspaceId: string;
  contactId: string;
  meetingId?: string;
  /** How many times the job was deferred after a refusal that asked for waiting (its backoff grows with it). */
  deferrals?: number;
  /** The retry budget's state (src/app/effects/retry.ts): when the job first failed, and how many failures since did not reach the server. */
  retry?: RetryState;
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

export type Reaction = { schedule: EffectJob[]; cancel: Cancellation[]; polls?: PollChange[] };

export const effectKey = (kind: EffectKind, sourceEventId: string) => `${kind}:${sourceEventId}`;
export const contactScope = (contactId: string) => `contact:${contactId}`;
export const meetingScope = (meetingId: string) => `meeting:${meetingId}`;

export const PRIORITY: Record<EffectKind, number> = {
  'thank-you': 1,
  'booking-confirmation': 2,
  'calendar-cancel': 2,
  'prep-brief': 3,
  nudge: 5,
  'gatekeeper-nudge': 5,
  'keep-in-touch': 6,
  'request-email': 10,
  'gatekeeper-request': 10,
  // The seeker has just approved it: they expect it to go now.
  'send-draft': 2,
  'google-create': 1,
  'google-update': 1,
  'google-delete': 1,
  'calendar-file': 2,
  'erase-copies': 1,
};

/** Emails to the seeker (the prep brief) do not count against the daily limit on outreach. */
export const toContact = (kind: EffectKind) => kind !== 'prep-brief' && kind !== ERASE_EFFECT && kind !== SEND_DRAFT && !isCalendarEffect(kind);

/** A Calendar poll per connected workspace, switched on and off by the reactor. */
/** A workspace's calendar polls started or stopped; a connection also brings its live meetings into the calendar (`backfillFrom`: the CalendarConnected event). */
export type PollChange = { workspaceId: string; on: boolean; backfillFrom?: string | undefined };

export interface EffectScheduler {
  schedule(jobs: EffectJob[]): Promise<void>;
  cancel(cancellations: Cancellation[]): Promise<number>;
  /** Start or stop a workspace's periodic Calendar poll (idempotent). */
  poll(changes: PollChange[]): Promise<void>;
  /**
   * Put the jobs that used up their retries back in line (a replay does, after the cause — a wrong
   * SMTP password, an outage — was fixed): a failed job keeps its id, so deriving it again alone
   * would leave it failed. Those already done or no longer due are skipped when they run.
   */
  retryFailed?(): Promise<number>;
}

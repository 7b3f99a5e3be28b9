/*
 * The next action the contacts read model shows for each person: what the seeker should do now,
 * from the contact's row and its latest meeting. Pure: the time comes in.
 */

/** What the next action is decided from: the contact, and its meetings folded in. */
export type ContactState = {
  status: string;
  /** The name a person would use: the first name. */
  firstName: string;
  timezone: string | null;
  email: string | null;
  bouncedEmail: string | null;
  repliedAt: string | null;
  meetingsHeld: number;
  thankYousPending: number;
  lastTouchAt: string | null;
  updateWritten: boolean;
  draftsWaiting: number;
  /** The latest meeting (one open request per contact, so the only one that can be open). */
  meeting: {
    status: string;
    requestedAt: string;
    start: string | null;
    channel: string | null;
    via: string | null;
    gatekeeperEmailedAt: string | null;
    /** The gatekeeper answered (read in the mailbox): perhaps the introduction, for the seeker to confirm. */
    gatekeeperRepliedAt?: string | null;
    introducedAt: string | null;
    callAttempts: number;
    lastCallOutcome: string | null;
    nextCallAt: string | null;
    /** Changed in Google in a way the meeting cannot take (all-day, too long): what was done there. */
    calendarDecision?: string | null;
  } | null;
};

type Action = { action: string | null; at: string | null };

/** "14:00 on Mon 7 Dec", in the contact's own zone (the seeker calls them at their time). */
const callTime = (iso: string, zone: string | null) => {
  const at = new Date(iso);
  const opts = { timeZone: zone ?? 'UTC' } as const;
  try {
    const time = new Intl.DateTimeFormat('en-GB', { ...opts, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
    const day = new Intl.DateTimeFormat('en-GB', { ...opts, weekday: 'short', day: 'numeric', month: 'short' }).format(at);
    return `${time} on ${day}`;
  } catch {
    return iso;
  }
};

/** What to do about a request by telephone: who to call and when, never "waiting for reply". */
function callAction(c: ContactState, m: NonNullable<ContactState['meeting']>): Action {
  const whom = m.via === 'gatekeeper' && !m.introducedAt ? 'the switchboard' : c.firstName;
  if (m.nextCallAt) return { action: `call ${whom} at ${callTime(m.nextCallAt, c.timezone)}`, at: m.nextCallAt };
  if (m.callAttempts >= 3 && (m.lastCallOutcome === 'voicemail' || m.lastCallOutcome === 'no-answer')) {
    return { action: `no answer after ${m.callAttempts} calls: write to ${c.firstName} or ask someone to introduce you`, at: null };
  }
  if (m.lastCallOutcome === 'gave-name' || (m.introducedAt && m.callAttempts > 0))
    return { action: `call ${c.firstName} (you have the name or direct line)`, at: null };
  return { action: m.via === 'gatekeeper' ? `call the switchboard and ask for ${c.firstName}` : `call ${c.firstName}`, at: null };
}

/** What the seeker should do next about a contact, from its state and the time now. */
export function nextAction(c: ContactState, now: string): Action {
  if (c.status === 'forgotten') return { action: null, at: null };
  if (c.status === 'opted_out') return { action: 'do not contact (opted out)', at: null };
  if (c.draftsWaiting > 0) return { action: `review the draft to ${c.firstName} waiting for your approval`, at: null };
  if (c.thankYousPending > 0) return { action: 'send thank-you', at: null };
  const m = c.meeting;
  if (m?.status === 'booked' && m.calendarDecision)
    return { action: `decide: changed in the calendar (${m.calendarDecision}): reschedule or cancel the meeting`, at: m.start };
  if (m?.status === 'booked' && m.start) {
    return m.start > now ? { action: `meeting on ${callTime(m.start, c.timezone)}`, at: m.start } : { action: 'record how the meeting went', at: m.start };
  }
  if (c.email !== null && c.bouncedEmail === c.email) return { action: 'find a working email address', at: null };
  if (m?.status === 'requested') {
    if (c.repliedAt && c.repliedAt >= m.requestedAt) return { action: 'reply received: book a time', at: c.repliedAt };
    if (m.channel === 'phone') return callAction(c, m);
    if (m.via === 'gatekeeper' && !m.introducedAt && m.gatekeeperRepliedAt)
      return { action: 'answered: introduction? (the gatekeeper replied: confirm with `meeting introduced`)', at: m.gatekeeperRepliedAt };
    if (m.via === 'gatekeeper' && !m.introducedAt) return { action: 'waiting for the gatekeeper to introduce you', at: m.gatekeeperEmailedAt ?? m.requestedAt };
    return { action: 'waiting for reply', at: m.requestedAt };
  }
  if (c.meetingsHeld > 0) {
    return c.updateWritten
      ? { action: 'keep in touch: your update goes with the next note', at: c.lastTouchAt }
      : { action: `write ${c.firstName} an update for your next keep-in-touch note`, at: c.lastTouchAt };
  }
  return { action: 'request a meeting', at: null };
}

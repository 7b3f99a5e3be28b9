import type { EventOf, EventType } from '../../../../src/domain/events.ts';
import type { StoredEvent } from '../../../../src/eventstore/port.ts';

/** Ids that read well in failures: the last group says what they are. */
export const id = (n: number, kind: 'c' | 'm' = 'c') => `01900000-0000-7000-8000-${kind === 'c' ? '0c' : '0e'}${String(n).padStart(10, '0')}`;

/**
 * A log written the way the store would: streams named by aggregate, positions growing from 1,
 * every event with its workspace in the metadata.
 */
export function eventLog(defaultWorkspace = 'ws-a') {
  const events: StoredEvent[] = [];
  const revisions = new Map<string, number>();
  let position = 0n;
  const push = <K extends EventType>(stream: string, type: K, data: EventOf<K>['data'], workspaceId = defaultWorkspace) => {
    const revision = (revisions.get(stream) ?? -1) + 1;
    revisions.set(stream, revision);
    position += 1n;
    const event: StoredEvent = {
      id: `01900000-0000-7000-9000-${position.toString().padStart(12, '0')}`,
      stream,
      revision,
      position,
      type,
      data,
      metadata: { workspaceId, correlationId: 'c', causationId: 'c', actor: 'test', schemaVersion: 1 },
      createdAt: '2026-11-30T12:00:00.000Z',
    };
    events.push(event);
    return event;
  };
  return {
    events,
    workspace: <K extends EventType>(type: K, data: EventOf<K>['data'], ws = defaultWorkspace) => push(`workspace-${ws}`, type, data, ws),
    contact: <K extends EventType>(contactId: string, type: K, data: EventOf<K>['data'], ws = defaultWorkspace) => push(`contact-${contactId}`, type, data, ws),
    meeting: <K extends EventType>(meetingId: string, type: K, data: EventOf<K>['data'], ws = defaultWorkspace) => push(`meeting-${meetingId}`, type, data, ws),
  };
}
export type EventLog = ReturnType<typeof eventLog>;

export const workspaceConfigured = (over: Partial<EventOf<'WorkspaceConfigured'>['data']> = {}): EventOf<'WorkspaceConfigured'>['data'] => ({
  ownerName: 'Sam Seeker',
  ownerEmail: 'sam@example.com',
  objective: 'Learn how data teams hire',
  timezone: 'Europe/London',
  businessHours: { start: '09:00', end: '17:30', days: [1, 2, 3, 4, 5] },
  thankYouDelay: 'PT2H',
  thankYouDeadline: 'PT24H',
  keepInTouchCadence: 'P6W',
  nudgeAfter: 'P5D',
  dailySendLimit: 50,
  configuredAt: '2026-11-01T09:00:00Z',
  ...over,
});

export const contactAdded = (n: number, over: Partial<EventOf<'ContactAdded'>['data']> = {}): EventOf<'ContactAdded'>['data'] => ({
  contactId: id(n),
  name: `Ada Person${n}`,
  email: `ada${n}@example.org`,
  phone: `+44 20 7946 ${String(n).padStart(4, '0')}`,
  organisation: 'Northwind Analytics',
  role: 'Head of Data',
  level: 'senior',
  industry: 'software',
  timezone: 'Europe/London',
  tags: ['warm'],
  source: 'friend',
  addedAt: '2026-11-02T10:00:00Z',
  ...over,
});

export const meetingRequested = (m: number, c: number, over: Partial<EventOf<'MeetingRequested'>['data']> = {}): EventOf<'MeetingRequested'>['data'] => ({
  meetingId: id(m, 'm'),
  contactId: id(c),
  channel: 'email',
  via: 'direct',
  minutes: 20,
  requestedAt: '2026-11-02T11:00:00Z',
  ...over,
});

/** A contact taken from being added to a held meeting (Monday 23 Nov 2026, 10:00 London) and, optionally, thanked. */
export function heldMeeting(
  log: EventLog,
  c: number,
  m: number,
  opts: {
    ws?: string;
    heldAt?: string;
    actualMinutes?: number;
    referralsAsked?: number;
    bookedMinutes?: number;
    thankYouAt?: string | null;
    contact?: Partial<EventOf<'ContactAdded'>['data']>;
  } = {},
) {
  const ws = opts.ws;
  log.contact(id(c), 'ContactAdded', contactAdded(c, opts.contact), ws);
  log.contact(id(c), 'MeetingLinked', { meetingId: id(m, 'm'), linkedAt: '2026-11-02T11:00:00Z' }, ws);
  log.meeting(id(m, 'm'), 'MeetingRequested', meetingRequested(m, c), ws);
  log.meeting(id(m, 'm'), 'OutreachEmailSent', { messageId: `<r${m}@outreach>`, sentAt: '2026-11-02T11:01:00Z' }, ws);
  log.meeting(
    id(m, 'm'),
    'MeetingBooked',
    { start: '2026-11-23T10:00:00Z', minutes: opts.bookedMinutes ?? 20, timezone: 'Europe/London', bookedAt: '2026-11-03T09:00:00Z' },
    ws,
  );
  log.meeting(
    id(m, 'm'),
    'MeetingHeld',
    {
      heldAt: opts.heldAt ?? '2026-11-23T10:20:00Z',
      actualMinutes: opts.actualMinutes ?? 20,
      referralsAsked: opts.referralsAsked ?? 2,
      businessCards: 1,
      notes: 'Talked about the hiring freeze',
      insights: 'Portfolio beats certificates',
    },
    ws,
  );
  if (opts.thankYouAt !== null) {
    log.meeting(id(m, 'm'), 'ThankYouSent', { messageId: `<t${m}@outreach>`, sentAt: opts.thankYouAt ?? '2026-11-23T12:20:00Z' }, ws);
  }
}

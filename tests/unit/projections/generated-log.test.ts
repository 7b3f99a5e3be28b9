import { describe, expect, it } from 'vitest';
import { eventMetadata, eventSchemas } from '../../../src/domain/events.ts';
import { generateLog, type GeneratedEvent } from './support/generated-log.ts';

const log = [...generateLog({ seed: 7, events: 20_000, workspaces: 12, concurrency: 100 })];

describe('the generated event log', () => {
  it('has exactly the number of events asked for, the same ones for the same seed', () => {
    expect(log).toHaveLength(20_000);
    const again = [...generateLog({ seed: 7, events: 20_000, workspaces: 12, concurrency: 100 })];
    expect(again.map((e) => e.id)).toEqual(log.map((e) => e.id));
    expect([...generateLog({ seed: 8, events: 100, workspaces: 12 })].map((e) => e.id)).not.toEqual(log.slice(0, 100).map((e) => e.id));
  });

  it('every event passes its schema and carries valid metadata', () => {
    for (const e of log) {
      const parsed = eventSchemas[e.type].safeParse(e.data);
      expect(parsed.success, `${e.type} ${JSON.stringify(e.data)}: ${parsed.error?.message}`).toBe(true);
      expect(eventMetadata.safeParse(e.metadata).success).toBe(true);
    }
  });

  it('revisions run 0, 1, 2… in each stream and event ids are unique', () => {
    const last = new Map<string, number>();
    for (const e of log) {
      expect(e.revision).toBe((last.get(e.stream) ?? -1) + 1);
      last.set(e.stream, e.revision);
    }
    expect(new Set(log.map((e) => e.id)).size).toBe(log.length);
  });

  it('causes come before effects: configured workspace, added contact, requested and held meetings, the referrer', () => {
    const seen = new Set<string>();
    const fact = (e: GeneratedEvent) => `${e.stream}:${e.type}`;
    for (const e of log) {
      const d = e.data as Record<string, unknown>;
      if (e.stream.startsWith('contact-') || e.stream.startsWith('meeting-'))
        expect(seen.has(`workspace-${e.metadata.workspaceId}:WorkspaceConfigured`)).toBe(true);
      if (e.type === 'MeetingRequested') expect(seen.has(`contact-${d['contactId'] as string}:ContactAdded`)).toBe(true);
      if (e.stream.startsWith('meeting-') && e.type !== 'MeetingRequested') expect(seen.has(`${e.stream}:MeetingRequested`)).toBe(true);
      if (e.type === 'ThankYouSent') expect(seen.has(`${e.stream}:MeetingHeld`)).toBe(true);
      if (e.type === 'MeetingHeld') expect(seen.has(`${e.stream}:MeetingBooked`)).toBe(true);
      const ref = d['referredBy'] as { contactId: string; meetingId?: string } | undefined;
      if (ref) expect(seen.has(`contact-${ref.contactId}:ContactAdded`)).toBe(true);
      if (ref?.meetingId) expect(seen.has(`meeting-${ref.meetingId}:MeetingHeld`)).toBe(true);
      if (e.stream.startsWith('contact-')) expect(seen.has(`${e.stream}:ContactForgotten`)).toBe(false);
      seen.add(fact(e));
    }
  });

  it('covers the whole story: every event type the read models use appears', () => {
    const types = new Set(log.map((e) => e.type));
    for (const t of [
      'WorkspaceConfigured',
      'CalendarConnected',
      'ContactAdded',
      'ContactDetailsChanged',
      'ReplyReceived',
      'ContactOptedOut',
      'KeepInTouchSent',
      'JobLeadReported',
      'ContactForgotten',
      'EmailBounced',
      'MeetingRequested',
      'OutreachEmailSent',
      'NudgeSent',
      'MeetingBooked',
      'MeetingRescheduled',
      'MeetingCancelled',
      'MeetingHeld',
      'MeetingNoShow',
      'ThankYouSent',
    ] as const) {
      expect(types, t).toContain(t);
    }
  });

  it('interleaves streams: consecutive events are mostly of different streams', () => {
    const same = log.slice(1).filter((e, i) => e.stream === log[i]!.stream).length;
    expect(same / log.length).toBeLessThan(0.05);
  });
});

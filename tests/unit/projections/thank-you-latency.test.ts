import { describe, expect, it } from 'vitest';
import { eventLog, heldMeeting, id } from './support/log.ts';
import { project } from './support/harness.ts';

/** Meetings held at 10:00 on 23 Nov and thanked `hours` later. */
const latencies = (...hours: (number | null)[]) => {
  const log = eventLog();
  hours.forEach((h, i) =>
    heldMeeting(log, i + 1, i + 1, {
      heldAt: '2026-11-23T10:00:00Z',
      thankYouAt: h === null ? null : new Date(Date.parse('2026-11-23T10:00:00Z') + h * 3_600_000).toISOString(),
    }),
  );
  return project(log.events);
};

describe('thank-you latency read model', () => {
  it('latency runs from MeetingHeld.heldAt to ThankYouSent.sentAt, per meeting', () => {
    expect(latencies(2.5).rows('thank-you-latency')).toEqual([
      {
        meetingId: id(1, 'm'),
        workspaceId: 'ws-a',
        heldAt: '2026-11-23T10:00:00.000Z',
        thankYouSentAt: '2026-11-23T12:30:00.000Z',
        latencyHours: 2.5,
        within24h: true,
      },
    ]);
  });

  it('a thank-you not sent yet has no latency and is left out of the figures', () => {
    const r = latencies(null);
    expect(r.rows('thank-you-latency')[0]).toMatchObject({ thankYouSentAt: null, latencyHours: null, within24h: null });
    expect(r.dashboard().thankYouLatency).toEqual({ p50Hours: null, p90Hours: null, within24hShare: null, count: 0 });
  });

  it('p50 and p90 are nearest-rank percentiles', () => {
    // Ten latencies 1..10 h: rank ceil(0.5·10) = 5 → 5 h, rank ceil(0.9·10) = 9 → 9 h.
    expect(latencies(7, 1, 10, 3, 2, 9, 4, 8, 6, 5).dashboard().thankYouLatency).toMatchObject({ p50Hours: 5, p90Hours: 9, count: 10 });
  });

  it('the share within 24 h counts a thank-you at exactly 24 h as within', () => {
    expect(latencies(1, 24, 25, 48).dashboard().thankYouLatency.within24hShare).toBe(0.5);
  });

  it('only the first thank-you of a meeting counts', () => {
    const log = eventLog();
    heldMeeting(log, 1, 1, { heldAt: '2026-11-23T10:00:00Z', thankYouAt: '2026-11-23T12:00:00Z' });
    log.meeting(id(1, 'm'), 'ThankYouSent', { messageId: '<again@outreach>', sentAt: '2026-11-25T12:00:00Z' });
    expect(project(log.events).rows('thank-you-latency')[0]).toMatchObject({ latencyHours: 2 });
  });
});

import { describe, expect, it } from 'vitest';
import { DateTime, Duration } from 'luxon';
import { durationFloorMs, isoWeek, utc } from '../../../src/read-models/projections/support/time.ts';

describe('time helpers of the read models', () => {
  it('stores any offset as UTC with milliseconds', () => {
    expect(utc('2026-11-25T10:25:00-05:00')).toBe('2026-11-25T15:25:00.000Z');
    expect(utc('2026-11-25T10:25:00+0100')).toBe('2026-11-25T09:25:00.000Z');
  });

  it('names ISO weeks as luxon does, across year ends', () => {
    for (let day = 0; day < 3 * 366; day++) {
      const d = DateTime.fromISO('2025-12-20T12:00:00Z', { zone: 'utc' }).plus({ days: day });
      expect(isoWeek(d.toISO()!)).toBe(`${d.weekYear}-W${String(d.weekNumber).padStart(2, '0')}`);
    }
  });

  it('a duration floor is never more than the calendar sum', () => {
    for (const iso of ['PT2H', 'P5D', 'P6W', 'P1M', 'P1Y', 'P1M2DT3H']) {
      for (const start of ['2026-01-31T10:00:00Z', '2026-02-01T10:00:00Z', '2028-02-29T10:00:00Z']) {
        const exact = DateTime.fromISO(start, { setZone: true }).plus(Duration.fromISO(iso)).toMillis() - Date.parse(start);
        expect(durationFloorMs(iso)).toBeLessThanOrEqual(exact);
      }
    }
  });
});

describe('utc', () => {
  it('agrees with Date for every form an instant may take', () => {
    const forms = [
      '2026-11-25T10:25:00Z',
      '2026-11-25T10:25:00.123Z',
      '2026-11-25T10:25:00+01:00',
      '2026-11-25T10:25:00.5-05:30',
      '2026-11-25T10:25:00.123456789Z',
      '2026-11-25T10:25Z',
      '2026-11-25T10:25:00+0100',
      '2026-03-29T01:30:00+14:00',
      '2024-02-29T23:59:59.999-12:00',
    ];
    for (const iso of forms) expect(utc(iso), iso).toBe(new Date(iso).toISOString());
  });
});

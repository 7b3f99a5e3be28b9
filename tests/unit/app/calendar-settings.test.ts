import { describe, expect, it } from 'vitest';
import { pollEveryMsFrom, rateLimitWaitMsFrom } from '../../../src/main/calendar-settings.ts';

describe('calendar settings from the environment', () => {
  it('unset, the poll interval is 5 minutes and the first rate-limit wait 1 second', () => {
    expect([pollEveryMsFrom({}), rateLimitWaitMsFrom({})]).toEqual([300_000, 1000]);
  });

  it('a whole number of milliseconds is taken as it is', () => {
    expect([pollEveryMsFrom({ OUTREACH_CALENDAR_POLL_MS: '60000' }), rateLimitWaitMsFrom({ OUTREACH_RATE_LIMIT_WAIT_MS: '250' })]).toEqual([60_000, 250]);
  });

  it.each(['5m', '1e3', '-1', '0', '12.5', '90000000', 'abc'])('refuses OUTREACH_CALENDAR_POLL_MS=%s with one error naming it', (raw) => {
    expect(() => pollEveryMsFrom({ OUTREACH_CALENDAR_POLL_MS: raw })).toThrow(/^OUTREACH_CALENDAR_POLL_MS: must be a whole number of milliseconds/);
  });

  it('refuses a first rate-limit wait beyond the 64-second cap', () => {
    expect(() => rateLimitWaitMsFrom({ OUTREACH_RATE_LIMIT_WAIT_MS: '100000' })).toThrow(/^OUTREACH_RATE_LIMIT_WAIT_MS: /);
  });
});

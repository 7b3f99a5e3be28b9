import { describe, expect, it } from 'vitest';
import { workerHealth, type Heartbeat } from '../../../src/app/worker-health.ts';

const NOW = '2026-12-04T12:00:00.000Z';
const beat = (secondsAgo: number, workers: string[]): Heartbeat => ({
  workers,
  pid: 1,
  host: 'h',
  at: new Date(Date.parse(NOW) - secondsAgo * 1000).toISOString(),
});

describe('worker health', () => {
  it('emails are being sent when an email worker answered within the last minute', () => {
    expect(workerHealth([beat(20, ['reactor', 'email'])], NOW)).toMatchObject({ sending: true, running: ['email', 'reactor'], warning: null });
  });

  it('a worker silent for more than a minute counts as not running, and the warning says when it was last seen', () => {
    const h = workerHealth([beat(61, ['email'])], NOW);
    expect(h).toMatchObject({ sending: false, running: [], lastSeenAt: beat(61, []).at });
    expect(h.warning).toMatch(/^emails are not being sent: no worker running \(last seen 2026-12-04T11:58:59/);
  });

  it('workers running without an email worker still mean emails are not being sent', () => {
    expect(workerHealth([beat(5, ['calendar'])], NOW)).toMatchObject({ sending: false, running: ['calendar'] });
  });

  it('with no heartbeat at all, no last-seen time is claimed', () => {
    expect(workerHealth([], NOW)).toMatchObject({ sending: false, lastSeenAt: null, warning: expect.stringMatching(/no worker running; start one/) });
  });
});

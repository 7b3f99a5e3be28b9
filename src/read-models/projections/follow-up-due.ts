import { keepInTouchDue, nudgeDue, thankYouDue, type Window } from '../../domain/scheduling.ts';
import { utc } from './support/time.ts';
import { memoized } from './support/memo.ts';

type DueInputs = { kind: 'thank-you' | 'nudge' | 'keep-in-touch'; since: string; delay: string; deadline: string | null; zone: string; hours: string };

function computeDue(r: DueInputs): string {
  const w: Window = { zone: r.zone, hours: JSON.parse(r.hours) as Window['hours'] };
  switch (r.kind) {
    case 'thank-you':
      return utc(thankYouDue({ heldAt: r.since, delay: r.delay, deadline: r.deadline!, ...w }));
    case 'nudge':
      return utc(nudgeDue({ requestSentAt: r.since, after: r.delay, ...w }));
    case 'keep-in-touch':
      return utc(keepInTouchDue({ lastTouchAt: r.since, cadence: r.delay, ...w }));
  }
}

/**
 * The due time by the same rules the reactor scheduled it with. It depends on the row alone, and the
 * business-hours arithmetic (luxon: zones, working days, ~25–100 µs a call) cost a dashboard request
 * more than its SQL: remembered.
 */
export const dueAt = memoized(computeDue, (r) => [r.kind, r.since, r.delay, r.deadline ?? '', r.zone, r.hours].join('\u0000'));

import { keepInTouchDue, nudgeDue, thankYouDue, type Window } from '../../domain/scheduling.ts';
import { utc } from './support/time.ts';

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
 * Due times already worked out. The business-hours rules cost ~25–100 µs a call (luxon) and a
 * dashboard polled by many asks for the same rows again and again; the answer depends only on the
 * row's inputs, so it can be kept. Bounded: emptied when full, so memory stays flat.
 */
const known = new Map<string, string>();
const KEEP = 20_000;

/** The due time by the same rules the reactor scheduled it with. */
export function dueAt(r: DueInputs): string {
  const key = `${r.kind}\u0000${r.since}\u0000${r.delay}\u0000${r.deadline ?? ''}\u0000${r.zone}\u0000${r.hours}`;
  let due = known.get(key);
  if (due === undefined) {
    due = computeDue(r);
    if (known.size >= KEEP) known.clear();
    known.set(key, due);
  }
  return due;
}

import { invalid } from '../domain/errors.ts';

/** Workers that must run once: they keep a position in the log (reactor, projector) or a mailbox's. */
const SINGLE = new Set(['reactor', 'projector', 'mailbox']);
export const MAX_PROCESSES = 16;

/**
 * Which workers each of `processes` processes runs. The first runs every single worker and a
 * calendar worker; the others run the email workers (sending is where the CPU goes), and from
 * three processes on the last also takes a second calendar worker. BullMQ hands each job to one
 * worker, whichever process it is in, so email and calendar workers may run several times.
 */
export function planProcesses(only: readonly string[], processes: number): string[][] {
  if (!Number.isInteger(processes) || processes < 1 || processes > MAX_PROCESSES)
    throw invalid('processes', `must be a whole number from 1 to ${MAX_PROCESSES}`);
  if (processes === 1) return [[...only]];
  const first = only.filter((w) => SINGLE.has(w) || w === 'calendar' || (w === 'email' && !only.some((o) => SINGLE.has(o) || o === 'calendar')));
  const shared = only.filter((w) => w === 'email' || (w === 'calendar' && !only.includes('email')));
  const plan = [first];
  for (let i = 1; i < processes; i++) {
    const extraCalendar = processes >= 3 && i === processes - 1 && only.includes('calendar') && only.includes('email');
    plan.push([...shared, ...(extraCalendar ? ['calendar'] : [])]);
  }
  return plan.filter((p) => p.length > 0);
}

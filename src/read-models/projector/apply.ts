import type { Database } from 'better-sqlite3';
import type { StoredEvent } from '../../eventstore/port.ts';
import { ensureProjections, readCheckpoints, saveCheckpoint } from './checkpoints.ts';
import type { Projection } from '../projections/support/projection.ts';

export type Projector = {
  /**
   * Applies a batch, read from the log right after `after`, in one transaction with the
   * checkpoints. Returns how many projections took part.
   */
  apply(events: readonly StoredEvent[], after: bigint | null): number;
  /** Where reading must resume: the lowest checkpoint (null = from the start). */
  lowest(): bigint | null;
  /** Projections found new or at another version when the projector was created, and reset. */
  readonly reset: readonly string[];
};

/** Whether a batch starting after `after` follows on from a projection's checkpoint without a gap. */
const continues = (checkpoint: bigint | null, after: bigint | null) => after === null || (checkpoint !== null && checkpoint >= after);

/**
 * The checkpoints are read inside the write transaction, never cached: another process (a
 * rebuild, a second worker) may have moved them. A projection whose checkpoint is behind the
 * batch's start sits the batch out; `lowest()` then tells the caller to read again from there.
 * Events at or before a projection's checkpoint are skipped, which is what makes processing a
 * batch twice change nothing.
 */
export function createProjector(db: Database, projections: readonly Projection[]): Projector {
  const reset = ensureProjections(db, projections);
  const applyBatch = db.transaction((events: readonly StoredEvent[], after: bigint | null) => {
    const checkpoints = readCheckpoints(db);
    const last = events[events.length - 1]!.position;
    const work: { p: Projection; from: number }[] = [];
    for (const p of projections) {
      const at = checkpoints.get(p.name)?.position ?? null;
      if (!continues(at, after) || (at !== null && at >= last)) continue;
      let from = 0;
      if (at !== null) while (events[from]!.position <= at) from += 1;
      work.push({ p, from });
    }
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      for (const w of work) if (i >= w.from) w.p.apply(db, event);
    }
    for (const w of work) saveCheckpoint(db, w.p.name, last);
    return work.length;
  });

  return {
    reset,
    apply(events, after) {
      return events.length === 0 ? 0 : applyBatch.immediate(events, after);
    },
    lowest() {
      const checkpoints = readCheckpoints(db);
      let low: bigint | undefined;
      for (const p of projections) {
        const at = checkpoints.get(p.name)?.position ?? null;
        if (at === null) return null;
        if (low === undefined || at < low) low = at;
      }
      return low ?? null;
    },
  };
}

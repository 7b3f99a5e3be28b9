// Meeting commands raced against one meeting through the app layer, in this process or in
// tests/support/command-runner.ts (a child process with its own store connections).
import { cancelMeeting, holdMeeting, rescheduleMeeting } from '../../src/app/meeting-commands.ts';
import { isOutreachError } from '../../src/domain/errors.ts';
import type { AppContext } from '../../src/app/handle.ts';

export type RacedCommand = (
  | { id: string; kind: 'reschedule'; meeting: string; at: string }
  | { id: string; kind: 'cancel'; meeting: string }
  | { id: string; kind: 'hold'; meeting: string; at: string }
) & {
  /** Issued this long after the start, so that it lands in the middle of the race rather than first. */
  afterMs?: number;
};

export type RacedResult = { id: string; ok: true; events: string[]; ids: string[] } | { id: string; ok: false; code: string; message: string };

/** One command with its id as the correlation id of whatever it appends, so the log says which command wrote what. */
export async function runRaced(base: AppContext, cmd: RacedCommand): Promise<RacedResult> {
  const ctx: AppContext = { ...base, correlationId: cmd.id };
  if (cmd.afterMs) await new Promise((r) => setTimeout(r, cmd.afterMs));
  try {
    const r =
      cmd.kind === 'reschedule'
        ? await rescheduleMeeting(ctx, { meeting: cmd.meeting, at: cmd.at, past: true })
        : cmd.kind === 'cancel'
          ? await cancelMeeting(ctx, { meeting: cmd.meeting, reason: `raced ${cmd.id}` })
          : await holdMeeting(ctx, { meeting: cmd.meeting, at: cmd.at, minutes: 20, referrals: 2 });
    return { id: cmd.id, ok: true, events: r.events, ids: r.ids };
  } catch (e) {
    // An OutreachError carries its code; anything else (SQLITE_BUSY, a bug) is not a clear refusal.
    return {
      id: cmd.id,
      ok: false,
      code: isOutreachError(e) ? e.code : `unexpected:${(e as { code?: string }).code ?? (e as Error).name}`,
      message: (e as Error).message,
    };
  }
}

/**
 * The Calendar v3 stand-in of the calendar benchmark (tests/support/google-calendar-standin), run in
 * a worker thread (see calendar-standin.ts): Google is another machine, so the stand-in's request
 * handling should not take turns with the pipeline's work on the main event loop. Both sides of the
 * benchmark, the pipeline and the raw client, talk to this one server over loopback HTTP.
 *
 * It answers three requests: a refresh token (as if a consent had happened), `take` (a summary of
 * the calls since the last take, with the bodies of the first inserts when asked) and `stop`.
 */
import { parentPort } from 'node:worker_threads';
import { startCalendarStandIn, type StandInEvent } from '../tests/support/google-calendar-standin/index.ts';

export type StandInRequest = { id: number; type: 'token' } | { id: number; type: 'take'; bodies: number } | { id: number; type: 'stop' };

/** An answered events.insert: `at` is Date.now() in the thread when the request arrived (the stand-in's own stamp). */
export type InsertCall = { at: number; status: number };
export type Taken = {
  inserts: InsertCall[];
  /** The JSON bodies of the first `bodies` successful inserts, as the client sent them. */
  bodies: StandInEvent[];
  /** Every other call by kind and status, e.g. "token 200", "get 404". */
  others: Record<string, number>;
};

export type StandInReply =
  | { type: 'ready'; url: string; env: Record<string, string> }
  | { id: number; type: 'token'; refreshToken: string }
  | { id: number; type: 'taken'; taken: Taken }
  | { id: number; type: 'stopped' };

const port = parentPort!;
// List pages of 250 (the client's default maxResults), not the tests' 2: nothing here lists, but a stray poll would not crawl.
const google = await startCalendarStandIn({ pageSize: 250 });

port.on('message', (m: StandInRequest) => {
  if (m.type === 'token') {
    port.postMessage({ id: m.id, type: 'token', refreshToken: google.issueRefreshToken() } satisfies StandInReply);
  } else if (m.type === 'take') {
    // The stand-in keeps every call; taking them also keeps its memory flat across runs.
    const calls = google.calls.splice(0);
    const taken: Taken = { inserts: [], bodies: [], others: {} };
    for (const c of calls) {
      if (c.kind === 'insert') {
        taken.inserts.push({ at: c.at, status: c.status });
        if (c.status === 200 && taken.bodies.length < m.bodies) taken.bodies.push(c.body as StandInEvent);
      } else {
        const k = `${c.kind} ${c.status}`;
        taken.others[k] = (taken.others[k] ?? 0) + 1;
      }
    }
    port.postMessage({ id: m.id, type: 'taken', taken } satisfies StandInReply);
  } else {
    void google.stop().then(() => {
      port.postMessage({ id: m.id, type: 'stopped' } satisfies StandInReply);
      port.close();
    });
  }
});

port.postMessage({ type: 'ready', url: google.url, env: google.env() } satisfies StandInReply);

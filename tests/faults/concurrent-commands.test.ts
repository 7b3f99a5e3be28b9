import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { appSandbox } from '../support/app.ts';
import { faultScale, reportScenario } from '../support/faults.ts';
import { runRaced, type RacedCommand, type RacedResult } from '../support/contended-commands.ts';
import { addContact } from '../../src/app/contact-commands.ts';
import { bookMeeting, requestMeeting } from '../../src/app/meeting-commands.ts';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { systemClock } from '../../src/app/clock.ts';
import type { AppContext } from '../../src/app/handle.ts';
import type { EventStore } from '../../src/eventstore/port.ts';

/*
 * 50 conflicting commands against ONE meeting at once: reschedules to 47 different times, two
 * cancels and a "held", through the app layer (load → decide → append with the revision read,
 * re-decided on conflict). Three child processes with two store connections each and this process
 * with two more share one SQLite file, so SQLite's write lock and the expected revisions really
 * contend. Each command either appended its event (found in the log under its correlation id) or
 * was refused with a clear conflict / illegal-state error; none is silently lost or doubled, and
 * the meeting's revisions stay gapless with nothing after its terminal event.
 */

const COMMANDS = 50;
const CHILDREN = 3;
const CONNECTIONS_PER_PROCESS = 2;
const CLEAR_REFUSALS = new Set(['conflict', 'illegal_state']);
const TERMINAL = new Set(['MeetingCancelled', 'MeetingHeld']);

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function shuffled<T>(list: T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A runner process behind a start barrier; resolves with its results, one per command. */
function runner(file: string, workspaceId: string, commands: RacedCommand[], go: Promise<void>) {
  let ready!: () => void;
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/support/command-runner.ts', file, workspaceId, String(CONNECTIONS_PER_PROCESS), JSON.stringify(commands)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
    if (err.includes('ready\n')) ready();
  });
  void go.then(() => child.stdin.write('go\n'));
  const done = new Promise<RacedResult[]>((resolve) => {
    // A runner that died reports what it printed; the rest count as lost.
    child.on('exit', (code) => {
      if (code !== 0) console.error(`command runner exited ${code}: ${err}`);
      resolve(
        out
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as RacedResult),
      );
    });
  });
  return { isReady, done };
}

describe('fault: concurrent conflicting commands on one meeting', () => {
  it(
    'exactly one command wins each revision; every other is refused with a clear error, none lost or doubled',
    async () => {
      const s = await appSandbox();
      const extra: EventStore[] = [];
      cleanup = async () => {
        for (const st of extra) await st.close();
        await s.cleanup();
      };
      const file = join(s.dir, 'events.db');
      const started = Date.now();

      const { id: contact } = await addContact(s.ctx, { name: 'Ada Lovelace', email: 'ada@example.org', timezone: 'Europe/London' });
      const { id: meeting } = await requestMeeting(s.ctx, { contact, minutes: 20, channel: 'phone' });
      const now = Date.now();
      await bookMeeting(s.ctx, { meeting, at: iso(now - 3 * 3_600_000), past: true });
      const stream = `meeting-${meeting}`;
      const setupRevision = (await s.store.readStream(stream)).at(-1)!.revision;

      // Reschedules all in the past (so "held now" stays legal whichever of them wins), each to its own time.
      const commands: RacedCommand[] = shuffled([
        ...Array.from(
          { length: COMMANDS - 3 },
          (_, k): RacedCommand => ({ id: randomUUID(), kind: 'reschedule', meeting, at: iso(now - 2 * 3_600_000 + k * 60_000) }),
        ),
        // Issued a little later, so the reschedules win some revisions first and these land mid-race.
        { id: randomUUID(), kind: 'cancel', meeting, afterMs: 60 + Math.random() * 200 },
        { id: randomUUID(), kind: 'cancel', meeting, afterMs: 60 + Math.random() * 200 },
        { id: randomUUID(), kind: 'hold', meeting, at: iso(now - 60_000), afterMs: 60 + Math.random() * 200 },
      ]);
      const perProcess = Math.ceil(COMMANDS / (CHILDREN + 1));
      const shares = Array.from({ length: CHILDREN + 1 }, (_, i) => commands.slice(i * perProcess, (i + 1) * perProcess));

      let go!: () => void;
      const barrier = new Promise<void>((r) => {
        go = r;
      });
      const runners = shares.slice(1).map((share) => runner(file, s.ctx.workspaceId, share, barrier));
      const local: AppContext[] = Array.from({ length: CONNECTIONS_PER_PROCESS }, (_, i) => {
        const store = openSqliteEventStore(file);
        extra.push(store);
        return { store, clock: systemClock, workspaceId: s.ctx.workspaceId, actor: `test:${i}` };
      });
      await Promise.race([Promise.all(runners.map((r) => r.isReady)), Promise.all(runners.map((r) => r.done))]);
      go();
      const localResults = Promise.all(shares[0]!.map((c, i) => runRaced(local[i % local.length]!, c)));
      const results = new Map<string, RacedResult>();
      for (const r of [...(await localResults), ...(await Promise.all(runners.map((r) => r.done))).flat()]) results.set(r.id, r);

      const events = await s.store.readStream(stream);
      const raced = events.filter((e) => e.revision > setupRevision);
      const byCommand = new Map<string, typeof raced>();
      for (const e of raced) {
        const c = String(e.metadata['correlationId']);
        byCommand.set(c, [...(byCommand.get(c) ?? []), e]);
      }
      const final = events.at(-1)!.type;

      let accepted = 0;
      let refused = 0;
      let noop = 0;
      let twice = 0;
      const lostOnes: string[] = [];
      for (const cmd of commands) {
        const r = results.get(cmd.id);
        const written = byCommand.get(cmd.id) ?? [];
        if (written.length > 0 && new Set(written.map((e) => e.type)).size < written.length) twice += 1;
        if (!r) lostOnes.push(`${cmd.kind} ${cmd.id}: no answer`);
        else if (r.ok && r.ids.length > 0 && r.ids.every((id) => written.some((e) => e.id === id)) && written.length >= r.ids.length) accepted += 1;
        // A cancel of a meeting another command cancelled already is a success with nothing to append.
        else if (r.ok && r.ids.length === 0 && written.length === 0 && cmd.kind === 'cancel' && final === 'MeetingCancelled') noop += 1;
        else if (!r.ok && CLEAR_REFUSALS.has(r.code) && written.length === 0) refused += 1;
        else lostOnes.push(`${cmd.kind} ${cmd.id}: ${JSON.stringify(r)}, ${written.length} events in the log`);
      }
      // Events no command claims would have been appended behind someone's back.
      const unclaimed = raced.filter((e) => !results.has(String(e.metadata['correlationId']))).length;
      twice += unclaimed;
      const lost = lostOnes.length;
      const codes = [...results.values()].reduce<Record<string, number>>((m, r) => {
        const k = r.ok ? (r.ids.length ? 'appended' : 'no-op') : r.code;
        m[k] = (m[k] ?? 0) + 1;
        return m;
      }, {});

      reportScenario({
        name: 'concurrent-commands-one-meeting',
        due: COMMANDS,
        done: accepted + refused + noop,
        lost,
        twice,
        note: `${Object.entries(codes)
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ', ',
          )}; ${CHILDREN} processes x ${CONNECTIONS_PER_PROCESS} connections + ${CONNECTIONS_PER_PROCESS} here; ${raced.length} revisions won, ends ${final}; ${Date.now() - started} ms`,
      });
      if (lostOnes.length) console.error(lostOnes.join('\n'));
      expect(lost).toBe(0);
      expect(twice).toBe(0);
      // One winner per revision: gapless, no revision claimed twice, each appended command at its own.
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
      expect(new Set(events.map((e) => e.position)).size).toBe(events.length);
      expect(raced.length).toBe([...results.values()].reduce((n, r) => n + (r.ok ? r.ids.length : 0), 0));
      // The decider saw every winner's state: nothing follows the terminal event, and only one terminal event.
      const terminal = raced.findIndex((e) => TERMINAL.has(e.type));
      expect(terminal).toBeGreaterThanOrEqual(0);
      expect(raced.slice(terminal + 1)).toEqual([]);
    },
    faultScale(30_000, 60_000),
  );
});

/**
 * What the calendar benchmark is built from: a workspace with Google Calendar connected (the grant
 * stored encrypted, CalendarConnected appended) on a fresh SQLite file with its own Redis key
 * prefix, meetings requested by phone and then booked, the reactor and the calendar worker started
 * as `outreach worker --only reactor,calendar` starts them, and the raw Calendar client of the baseline.
 *
 * Every stage leaves a mark on one clock (epochMs: Date.now()'s clock with sub-millisecond steps,
 * which the stand-in's thread stamps its calls with too): the reactor scheduling a booking's
 * google-create job, the worker's events.insert call starting and returning, the worker logging a
 * job done, and the CalendarEventCreated event stored.
 */
import { join } from 'node:path';
import { arrivals } from './arrivals.ts';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/app/clock.ts';
import { addContact } from '../src/app/contact-commands.ts';
import { workspaceAggregate } from '../src/app/aggregates.ts';
import { execute, type AppContext } from '../src/app/handle.ts';
import { bookMeeting, requestMeeting } from '../src/app/meeting-commands.ts';
import { REACTOR_CONSUMER } from '../src/app/reactor/runner.ts';
import type { CalendarApi, CalendarEvent } from '../src/app/effects/calendar/api.ts';
import type { EffectJob } from '../src/app/effects/effect.ts';
import type { Log } from '../src/app/log.ts';
import { callbackLog } from '../tests/support/tally-log.ts';
import { decideWorkspace } from '../src/domain/workspace.ts';
import type { EventStore, NewEvent } from '../src/eventstore/port.ts';
import { openSqliteEventStore } from '../src/eventstore/sqlite/store.ts';
import { sealedStore } from './sealed-store.ts';
import { calendarWiringFrom } from '../src/main/calendar.ts';
import { createCalendarClient, googleEventIdFor, type CalendarClient, type CalendarEvent as GoogleEvent } from '../src/infra/google/calendar-client.ts';
import { googleConfigFrom } from '../src/infra/google/config.ts';
import { GoogleApiError } from '../src/infra/google/errors.ts';
import { CALENDAR_EVENTS_SCOPE } from '../src/infra/google/oauth.ts';
import { saveRefreshToken, tokenStoreKeyFrom } from '../src/infra/google/token-store.ts';
import type { Runtime } from '../src/main/runtime.ts';
import { calendarWorker, reactorWorker } from '../src/main/workers.ts';
import { configureAllHours } from '../tests/support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, testRuntime } from '../tests/support/pipeline.ts';
import { benchPrefix } from './email-pipeline.ts';
import type { StandInThread } from './calendar-standin.ts';

export const WORKSPACE = 'bench';
/** Not used: no email worker runs (the booking's email jobs wait in Redis), but the configuration wants an SMTP URL. */
const UNUSED_SMTP = 'smtp://127.0.0.1:9';

/** Milliseconds on Date.now()'s clock, with sub-millisecond steps. */
export const epochMs = () => performance.timeOrigin + performance.now();

/**
 * Marks of one meeting's trip through the pipeline (epochMs). `scheduled` is when the reactor's
 * schedule call that held its google-create job returned: a worker may start the job before that.
 */
export type Trip = { scheduled?: number; insertStart?: number; insertEnd?: number; stored?: number };

/** Counts calls in flight and the most there were at once. */
export class InFlight {
  now = 0;
  max = 0;
  enter() {
    this.now += 1;
    if (this.now > this.max) this.max = this.now;
  }
  leave() {
    this.now -= 1;
  }
}

/** A CalendarApi that notes when each insert starts and returns, by meeting id, and how many are in flight. */
export function watchedClient<C extends CalendarApi | CalendarClient>(client: C, trips: Map<string, Trip>, inFlight: InFlight): C {
  return {
    ...client,
    async insertEvent(calendarId: string, event: CalendarEvent, opts: Parameters<CalendarApi['insertEvent']>[2]) {
      const meetingId = event.extendedProperties?.private?.['meetingId'];
      const trip = meetingId ? trips.get(meetingId) : undefined;
      if (trip) trip.insertStart = epochMs();
      inFlight.enter();
      try {
        return await client.insertEvent(calendarId, event as never, opts);
      } finally {
        inFlight.leave();
        if (trip) trip.insertEnd = epochMs();
      }
    },
  } as C;
}

/** One call that fetches the client's access token (a get of an id that does not exist: 404). */
export async function warmClient(client: CalendarApi | CalendarClient) {
  try {
    await client.getEvent('primary', 'warmup0000000000000000000000');
  } catch (e) {
    if (!(e instanceof GoogleApiError && e.status === 404)) throw e;
  }
}

/**
 * A workspace (business hours all day) with Google Calendar connected on a fresh SQLite file, and
 * the runtime over it with a Redis prefix of its own. The runtime sees the store through
 * `observed`, which marks each CalendarEventCreated stored; the benchmark's commands go through
 * `ctx` (the store itself). The reactor's scheduler is wrapped to mark each google-create job;
 * for a diagnosis only, it can drop the jobs of some kinds (`dropKinds`) instead of scheduling them.
 */
export async function openCalendarSandbox(dir: string, google: StandInThread, opts: { dropKinds?: readonly string[] } = {}) {
  // Sealed as the workers run it: the attendee's name and address are opened for every insert.
  const store = sealedStore(openSqliteEventStore(join(dir, 'events.db')), join(dir, 'keys.db'));
  const ctx: AppContext = { store, clock: systemClock, workspaceId: WORKSPACE, actor: 'bench' };
  const prefix = benchPrefix();
  const env = { ...pipelineEnv(prefix, dir, UNUSED_SMTP), ...google.env };
  const trips = new Map<string, Trip>();
  const created = arrivals('CalendarEventCreated events');
  let rt: Runtime;
  try {
    await configureAllHours(ctx);
    saveRefreshToken(dir, tokenStoreKeyFrom(env), WORKSPACE, { refreshToken: await google.issueRefreshToken(), scope: CALENDAR_EVENTS_SCOPE });
    await execute(ctx, workspaceAggregate, WORKSPACE, ({ state }) =>
      decideWorkspace({ type: 'ConnectCalendar', calendarId: 'primary', now: ctx.clock() }, state),
    );
    const observed: EventStore = {
      ...store,
      async append(stream, events, opts) {
        const result = await store.append(stream, events, opts);
        if (result.position !== null && events.some((e: NewEvent) => e.type === 'CalendarEventCreated')) {
          const at = epochMs();
          const trip = trips.get(stream.slice('meeting-'.length));
          if (trip) trip.stored = at;
          created.record(at);
        }
        return result;
      },
    };
    rt = await testRuntime(observed, dir, env);
  } catch (e) {
    await store.close();
    await deleteKeys(prefix);
    throw e;
  }
  const scheduler = rt.scheduler;
  rt.scheduler = {
    ...scheduler,
    // The list as the reactor hands it over (it may batch many events' jobs into one call), marked when the call returns.
    async schedule(all: EffectJob[]) {
      const jobs = opts.dropKinds ? all.filter((j) => !opts.dropKinds!.includes(j.data.kind)) : all;
      await scheduler.schedule(jobs);
      const at = epochMs();
      for (const j of jobs) {
        const trip = j.data.kind === 'google-create' && j.data.meetingId ? trips.get(j.data.meetingId) : undefined;
        if (trip) trip.scheduled = at;
      }
    },
  };
  return {
    store,
    ctx,
    prefix,
    rt,
    env,
    /** Per booked meeting, the marks of its trip. */
    trips,
    /** epochMs of each CalendarEventCreated stored, in order. */
    created: created.times,
    /** Resolves when `count` CalendarEventCreated events in all are stored; rejects after timeoutMs. */
    createdStored: created.reached,
    async close() {
      try {
        await rt.close();
        await store.close();
      } finally {
        await deleteKeys(prefix);
      }
    },
  };
}

export type CalendarSandbox = Awaited<ReturnType<typeof openCalendarSandbox>>;

/**
 * Contacts with a meeting requested by phone (so no request email). The reactor's checkpoint is
 * then moved past them and past the workspace's setup (CalendarConnected included, so no poll
 * schedule runs during the benchmark): the bookings that follow are all the reactor sees.
 */
export async function requestedMeetings(box: CalendarSandbox, count: number): Promise<string[]> {
  const meetings: string[] = [];
  for (let n = 0; n < count; n++) {
    const { id: contact } = await addContact(box.ctx, {
      name: `Person ${n} Example`,
      email: `person${n}@contact.example`,
      org: 'Northwind',
      role: 'Analyst',
      timezone: 'Europe/London',
    });
    const { id: meeting } = await requestMeeting(box.ctx, { contact, minutes: 20, channel: 'phone' });
    meetings.push(meeting);
  }
  const head = await box.ctx.store.headPosition();
  if (head !== null) await box.ctx.store.saveCheckpoint(REACTOR_CONSUMER, head);
  return meetings;
}

/** Books each meeting for a weekday morning a few days ahead, with a video link; each gets a trip to mark. */
export async function bookAll(box: CalendarSandbox, meetings: string[]) {
  const day = new Date(Date.now() + 3 * 86_400_000);
  day.setUTCHours(9, 0, 0, 0);
  for (const [i, meeting] of meetings.entries()) {
    const at = new Date(day.getTime() + (i % 16) * 30 * 60_000).toISOString().replace('.000Z', 'Z');
    await bookMeeting(box.ctx, { meeting, at, minutes: 20, videoUrl: `https://meet.example/${meeting.slice(0, 8)}` });
    box.trips.set(meeting, {});
  }
}

/** Each job the calendar worker logs as done, by effect kind: when (epochMs). */
export function jobLog() {
  const done: Record<string, number[]> = {};
  const other: Record<string, number> = {};
  const log: Log = callbackLog((event, fields) => {
    if (event === 'synced' && typeof fields['effect'] === 'string') {
      const kind = fields['effect'].split(':')[0]!;
      (done[kind] ??= []).push(epochMs());
    } else if (!['started', 'stopping', 'stopped'].includes(event)) {
      other[event] = (other[event] ?? 0) + 1;
    }
  });
  return { done, other, log };
}

/**
 * The calendar worker with the deps `outreach worker` builds, its Google client fetched and warmed
 * (an access token held) and the worker connected to Redis, so that none of that is timed.
 */
export async function startWarmCalendarWorker(box: CalendarSandbox, opts: { concurrency: number; log: Log; inFlight: InFlight }) {
  const deps = calendarWiringFrom(box.rt.config, box.rt.env);
  const google = deps.google!;
  const clientFor = google.clientFor;
  const watched = new Map<object, CalendarApi>();
  google.clientFor = async (ws) => {
    const client = await clientFor(ws);
    if (!client) return client;
    let w = watched.get(client);
    if (!w) watched.set(client, (w = watchedClient(client, box.trips, opts.inFlight)));
    return w;
  };
  await warmClient((await google.clientFor(WORKSPACE))!);
  const calendar = calendarWorker(box.rt, { wiring: deps, log: opts.log, concurrency: opts.concurrency });
  await calendar.waitUntilReady();
  return calendar;
}

/**
 * The pipeline: the warm calendar worker, then the reactor. `startedAt` is taken just before the
 * reactor starts: the clock of the measured run starts there.
 */
export async function startCalendarPipeline(box: CalendarSandbox, opts: { concurrency: number; log: Log; inFlight: InFlight }) {
  const calendar = await startWarmCalendarWorker(box, opts);
  const elu = performance.eventLoopUtilization();
  const startedAt = epochMs();
  const reactor = await reactorWorker(box.rt, opts.log);
  return {
    startedAt,
    /** The main thread's busy share since the start. */
    busy: () => performance.eventLoopUtilization(elu).utilization,
    async stop() {
      await reactor.stop();
      await calendar.close();
    },
  };
}

/** Resolves once `done()` holds, checking every few milliseconds; rejects after timeoutMs. */
export async function until(done: () => boolean, timeoutMs: number, what: string) {
  const t0 = Date.now();
  while (!done()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not done after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The raw side: Google's client made as the product makes it, for the same stand-in, with a grant of its own and its access token fetched. */
export async function rawClient(google: StandInThread): Promise<CalendarClient> {
  const client = createCalendarClient({ config: googleConfigFrom(google.env), refreshToken: await google.issueRefreshToken() });
  await warmClient(client);
  return client;
}

/** Copies of the bodies the worker sent, each under a fresh event id of the same length (a meeting id's), so the raw inserts make new events. */
export function rawBodies(sent: GoogleEvent[], count: number, fresh: () => string): GoogleEvent[] {
  if (sent.length === 0) throw new Error('the worker sent no events to copy');
  return Array.from({ length: count }, (_, i) => {
    const body = structuredClone(sent[i % sent.length]!);
    body.id = googleEventIdFor(fresh());
    return body;
  });
}

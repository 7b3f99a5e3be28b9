import type { Config } from './config.ts';
import { systemClock, type Clock } from '../app/clock.ts';
import { openReadModels } from '../read-models/queries.ts';
import type { Log } from '../app/log.ts';
import type { EventStore } from '../eventstore/port.ts';
import { openEventStore } from './event-store.ts';
import { secretKeyOrKeyFile } from '../infra/crypto/key-file.ts';
import { verifyUnsubscribeToken } from '../infra/crypto/unsubscribe-token.ts';
import { snapshot } from '../infra/queue/idle.ts';
import { readHeartbeats } from '../infra/queue/heartbeat.ts';
import { silentLogger } from './logger.ts';
import { queuePrefixFrom } from '../infra/queue/names.ts';
import { createQueues } from '../infra/queue/scheduler.ts';
import { createRedis, redactUrl, redisUrlFrom } from '../infra/redis.ts';
import { resolveApiToken } from '../api/auth.ts';
import { openAccess } from './access.ts';
import { httpSettingsFrom } from './http-settings.ts';
import type { ApiDeps } from '../api/context.ts';
import { buildServer, type ApiServer } from '../api/server.ts';

export type StartApiOptions = {
  config: Config;
  env?: NodeJS.ProcessEnv;
  host?: string;
  port?: number;
  /** An event store already open (closed by the caller); else one is opened from the configuration. */
  store?: EventStore;
  /** Run the projector in this process so the read models follow the log (default true). */
  projector?: boolean;
  clock?: Clock;
  log?: Log;
};

export type RunningApi = {
  app: ApiServer;
  url: string;
  /** The URL that logs a browser in (the page makes a session from the token in it): print it, it holds the token. */
  loginUrl: string;
  token: string;
  tokenGenerated: boolean;
  redisUrl: string;
  close(): Promise<void>;
};

/**
 * Opens what the API needs (event store, read models, Redis and the queues, the unsubscribe key),
 * optionally runs the projector, and listens. Redis being down does not stop the server: /readyz
 * says so and the queue views answer 503 until it is back (the connection keeps retrying).
 */
const CLOSE_GRACE_MS = 3000;

/** Checks an unsubscribe link's signature with the key it was signed with. */
export const unsubscribeVerifier = (key: Buffer | string) => (token: string) => verifyUnsubscribeToken(token, key);

export async function startApi(opts: StartApiOptions): Promise<RunningApi> {
  const env = opts.env ?? process.env;
  const host = opts.host ?? '127.0.0.1';
  const log: Log = opts.log ?? silentLogger();
  const { token, generated } = resolveApiToken(env, host);
  const http = httpSettingsFrom(env);
  const store = opts.store ?? (await openEventStore(opts.config, env));
  const closers: (() => Promise<void> | void)[] = [];
  if (!opts.store) closers.push(() => store.close());
  try {
    const readModels = openReadModels(opts.config.dataDir);
    closers.push(() => readModels.close());
    const access = openAccess(opts.config);
    closers.push(() => access.close());
    let projectorPosition: (() => bigint | null) | undefined;
    if (opts.projector !== false) {
      const { startProjectorWorker } = await import('../../workers/projector.ts');
      const projector = startProjectorWorker({ store, dataDir: opts.config.dataDir, log: log.child({ worker: 'projector' }) });
      projectorPosition = () => projector.position();
      closers.push(() => projector.stop());
    }
    const redisUrl = redisUrlFrom(env);
    const redis = createRedis(redisUrl, 'producer', { retryStrategy: (n) => Math.min(250 * n, 5000) });
    redis.connect().catch(() => undefined);
    const prefix = env['OUTREACH_QUEUE_PREFIX'] || queuePrefixFrom(env);
    const queues = createQueues(redis, prefix);
    // While Redis is away the queues report errors; /readyz and the queue views say so instead.
    for (const q of Object.values(queues)) q.on('error', () => undefined);
    closers.push(async () => {
      await Promise.all(Object.values(queues).map((q) => q.close().catch(() => undefined)));
      redis.disconnect();
    });
    const deps: ApiDeps = {
      store,
      readModels,
      clock: opts.clock ?? systemClock,
      defaultWorkspace: opts.config.workspaceId,
      verifyUnsubscribe: unsubscribeVerifier(secretKeyOrKeyFile(env, opts.config.dataDir).key),
      redis,
      queues,
      queueSnapshots: () => Promise.all(Object.values(queues).map((q) => snapshot(q))),
      heartbeats: () => readHeartbeats(redis, prefix),
      ...(projectorPosition ? { projectorPosition } : {}),
      access,
    };
    const app = await buildServer(deps, { token, log: (line) => log.error({ reason: line }, 'error'), ...http });
    closers.push(async () => {
      // Idle keep-alive connections close at once; a client that stopped reading a response (its
      // socket full) would hold the close for as long as its own timeout: cut those after a grace.
      const grace = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearTimeout(grace);
      }
    });
    await app.listen({ host, port: opts.port ?? 3000 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (opts.port ?? 3000);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
    return {
      app,
      url,
      // In the fragment: the browser never sends it to a server, so it reaches no log or Referer;
      // the page trades it for a session and drops it from the address bar.
      loginUrl: `${url}#token=${encodeURIComponent(token)}`,
      token,
      tokenGenerated: generated,
      redisUrl: redactUrl(redisUrl),
      async close() {
        // The server first (no new requests), then what it used, in reverse order of opening.
        for (const c of closers.reverse()) await c();
      },
    };
  } catch (e) {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => undefined);
    throw e;
  }
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { OutreachError } from '../domain/errors.ts';

const answers = (port: number, host = '127.0.0.1') =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * The Redis the demo uses: REDIS_URL when set, else the usual local one, else a private
 * redis-server on a free loopback port (kept in memory and stopped at the end).
 */
export async function demoRedis(env: NodeJS.ProcessEnv): Promise<{ url: string; private: boolean; stop(): Promise<void> }> {
  if (env['REDIS_URL']) return { url: env['REDIS_URL'], private: false, stop: async () => undefined };
  if (await answers(6379)) return { url: 'redis://127.0.0.1:6379', private: false, stop: async () => undefined };
  const which = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (which.error || which.status !== 0) {
    throw new OutreachError(
      'unavailable',
      "REDIS_URL: no Redis answers on 127.0.0.1:6379 and no redis-server is installed. Start one with `docker compose up -d redis`, or install your system's redis-server package, or set REDIS_URL.",
      { field: 'REDIS_URL' },
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  const until = Date.now() + 5000;
  while (!(await answers(port))) {
    if (Date.now() > until || child.exitCode !== null)
      throw new OutreachError('unavailable', `REDIS_URL: the private redis-server on port ${port} did not start`, { field: 'REDIS_URL' });
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    private: true,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

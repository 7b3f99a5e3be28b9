import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A browser the browser tests can launch: its path, where it came from, what its process needs in its environment. */
export type Chromium = { path: string; source: string; env: Record<string, string> };
export type ChromiumSearch = { chromium: Chromium; reason?: undefined } | { chromium?: undefined; reason: string };

export const HOW_TO_GET_ONE =
  "install Debian's chromium (`apt-get install chromium`), or run `npm ci` (it brings @sparticuz/chromium), or point CHROMIUM_PATH at a Chromium";

const DEBIAN = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * The Chromium for the browser tests, the first found of:
 * - CHROMIUM_PATH, when set: a Chromium's path, or `bundled` for the one below only;
 * - Debian's chromium (the machine's package; nothing to unpack);
 * - the one `npm ci` brings: @sparticuz/chromium ships a headless Chromium (unpacked to the temp folder
 *   on first use, ~10 s) with its own NSS libraries, so it runs on a machine with Node alone.
 * When none is found, the reason says what was tried and how to get one.
 */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumSearch> {
  const asked = env['CHROMIUM_PATH'];
  if (asked && asked !== 'bundled') {
    return existsSync(asked) ? { chromium: { path: asked, source: 'CHROMIUM_PATH', env: {} } } : { reason: `CHROMIUM_PATH=${asked} does not exist` };
  }
  const debian = asked === 'bundled' ? undefined : DEBIAN.find((p) => existsSync(p));
  if (debian) return { chromium: { path: debian, source: "Debian's chromium", env: {} } };
  try {
    return { chromium: await bundledChromium() };
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    const tried = asked === 'bundled' ? 'CHROMIUM_PATH=bundled' : `no ${DEBIAN.join(' or ')}`;
    return { reason: `${tried}, and @sparticuz/chromium could not be used (${why}): ${HOW_TO_GET_ONE}` };
  }
}

/** Held in a variable so that type-checking does not need the package installed (it is only a fallback). */
const BUNDLED: string = '@sparticuz/chromium';
type SparticuzChromium = { default: { executablePath(binDir: string): Promise<string> }; inflate(file: string): Promise<string> };

async function bundledChromium(): Promise<Chromium> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(BUNDLED);
  } catch {
    throw new Error('it is not installed');
  }
  const { default: chromium, inflate } = (await import(BUNDLED)) as SparticuzChromium;
  const bin = join(dirname(entry), '..', 'bin');
  // Unpacking writes to fixed paths in the temp folder: one process at a time, so no one launches a half-written file.
  const path = await exclusively(join(tmpdir(), 'outreach-chromium-unpack.lock'), async () => {
    const exe = await chromium.executablePath(bin);
    const libs = await inflate(join(bin, 'al2023.tar.br'));
    return { exe, libs };
  });
  return {
    path: path.exe,
    source: '@sparticuz/chromium',
    // Its own NSS (absent from a machine without a browser) and fonts, as on the platform it is built for.
    env: { LD_LIBRARY_PATH: join(path.libs, 'lib'), FONTCONFIG_PATH: join(tmpdir(), 'fonts') },
  };
}

async function exclusively<T>(lock: string, work: () => Promise<T>): Promise<T> {
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock left by a process that died while unpacking is old: take it over.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && (Date.now() - held.mtimeMs > 120_000 || Date.now() > until)) {
        rmdirSync(lock);
        continue;
      }
      await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    rmdirSync(lock);
  }
}

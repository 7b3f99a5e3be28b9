import { existsSync } from 'node:fs';

/** A browser the browser tests can launch: its path, where it came from, what its process needs in its environment. */
export type Chromium = { path: string; source: string; env: Record<string, string> };
export type ChromiumSearch = { chromium: Chromium; reason?: undefined } | { chromium?: undefined; reason: string };

export const HOW_TO_GET_ONE = "install Debian's chromium (`apt-get install chromium`; .ci/run does), or point CHROMIUM_PATH at a Chromium";

const DEBIAN = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * The Chromium for the browser tests: CHROMIUM_PATH when set, else Debian's chromium.
 * No browser is downloaded by npm: the bundled builds we tried declare Node ≥ 22, and this project supports Node 20.
 * When none is found, the reason says what was tried and how to get one.
 */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumSearch> {
  const asked = env['CHROMIUM_PATH'];
  if (asked) {
    return existsSync(asked) ? { chromium: { path: asked, source: 'CHROMIUM_PATH', env: {} } } : { reason: `CHROMIUM_PATH=${asked} does not exist` };
  }
  const debian = DEBIAN.find((p) => existsSync(p));
  if (debian) return { chromium: { path: debian, source: "Debian's chromium", env: {} } };
  return { reason: `no ${DEBIAN.join(' or ')}: ${HOW_TO_GET_ONE}` };
}

// Which code a command runs: the build in dist/ when it was made from the sources as they are now,
// else the TypeScript sources through tsx. A developer who edits src/ never runs stale code, and
// `npm ci` (whose `prepare` step builds) is still the whole set-up.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** What the build is made from: the bundled folders, the package files (versions, bundled libraries) and the recipe. */
const INPUT_DIRS = ['src', 'workers'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'scripts/build.mjs'];

/**
 * The newest modification time among the build's inputs and how many there are. An edit changes a
 * file's time; an added, removed or renamed file changes its folder's time and the count. Walking
 * the ~190 inputs costs about 5 ms (a hand-made walk: readdirSync's `recursive` costs 3 times as
 * much), against ~700 ms for going through tsx.
 */
export function sourcesFingerprint(root = ROOT) {
  let newest = 0;
  let count = 0;
  const see = (path) => {
    const m = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    if (m > newest) newest = m;
    count++;
  };
  const walk = (dir) => {
    see(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(`${dir}/${entry.name}`);
      else see(`${dir}/${entry.name}`);
    }
  };
  for (const dir of INPUT_DIRS) if (existsSync(root + dir)) walk(root + dir);
  for (const file of INPUT_FILES) see(root + file);
  return { newest, count };
}

/** The stamp the build writes last: dist/ is used only when it matches the sources now. */
export const STAMP = 'dist/build.json';

function buildIsCurrent(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(root + STAMP, 'utf8'));
  } catch {
    return false;
  }
  const now = sourcesFingerprint(root);
  return stamp.sources?.newest === now.newest && stamp.sources?.count === now.count;
}

/** The module `name` ('cli' or 'demo'): dist/<name>.js when current, else src/<name>/main.ts through tsx. */
export async function loadEntry(name) {
  if (buildIsCurrent(ROOT)) return import(`../dist/${name}.js`);
  const { register } = await import('tsx/esm/api');
  register();
  return import(`../src/${name}/main.ts`);
}

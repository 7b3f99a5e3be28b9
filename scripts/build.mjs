#!/usr/bin/env node
/*
 * `npm run build` (also the `prepare` step of `npm ci` and `npm install`, and `pretest`): compiles the
 * CLI and the demo to dist/ so a command starts in ~0.3 s instead of ~1 s through tsx.
 *
 * - Split bundles (one chunk per group of modules, dynamic imports kept dynamic): a command loads only
 *   what it imports; the heavy libraries stay behind the `await import(...)` of the commands that use them.
 * - The libraries every command loads on start (zod, commander, luxon, uuid, csv-parse) are bundled:
 *   loading zod's ~95 files one by one costs more than the whole bundle. Every other package stays
 *   external and loads from node_modules exactly as it does from the sources (native modules such as
 *   better-sqlite3, and packages that read their own files, such as @fastify/swagger-ui).
 * - zod's translations of its error messages are left out (only English is kept): nothing here selects
 *   another locale, and they are a quarter of zod.
 * - `import.meta.url` in a source file is replaced by the URL that file has in the sources, so paths
 *   computed from it (the dashboard's folder, the templates, package.json) mean what they mean there.
 *   For that every output file sits directly in dist/.
 *
 * The build goes to a temporary folder that then replaces dist/, with dist/build.json written last: it
 * records the sources' fingerprint taken before bundling, and bin/entry.js runs dist/ only when that
 * still matches (so a file edited during the build makes the build stale, never the other way round).
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { ROOT, STAMP, sourcesFingerprint } from '../bin/entry.js';

const BUNDLED = new Set(['zod', 'commander', 'luxon', 'uuid', 'csv-parse']);
const packageName = (spec) => spec.split('/', spec.startsWith('@') ? 2 : 1).join('/');
const quiet = process.argv.includes('--quiet');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // Installed without devDependencies: the CLI runs its sources through tsx (a dependency), only slower.
  console.warn('outreach build: esbuild is not installed (devDependencies omitted?); the CLI will run its TypeScript sources through tsx');
  process.exit(0);
}

const sources = sourcesFingerprint(ROOT);
const out = `${ROOT}dist.${process.pid}.tmp`;
rmSync(out, { recursive: true, force: true });

const inSources = (path) => !path.includes(`${sep}node_modules${sep}`) && path.startsWith(ROOT);

/** @type {import('esbuild').Plugin} */
const packages = {
  name: 'outreach-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      if (!inSources(args.importer)) return undefined;
      return BUNDLED.has(packageName(args.path)) ? undefined : { external: true };
    });
    build.onResolve({ filter: /\/locales\/index\.js$/ }, async (args) => {
      if (!args.importer.includes(`${sep}zod${sep}`)) return undefined;
      const found = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind });
      return { path: found.path, namespace: 'zod-locales' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/** @type {import('esbuild').Plugin} */
const sourceUrls = {
  name: 'outreach-source-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!inSources(args.path)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      // dist/<file>.js + ../<path in the sources> = the file's URL in the sources.
      const url = `new URL(${JSON.stringify(`../${relative(ROOT, args.path).split(sep).join('/')}`)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { cli: 'src/cli/main.ts', demo: 'src/demo/main.ts' },
  outdir: out,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Less to parse at every start; names are kept so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  // The bundled CommonJS packages (commander) call require() for Node's modules.
  banner: { js: "import{createRequire as __outreachRequire}from'node:module';const require=__outreachRequire(import.meta.url);" },
  plugins: [packages, sourceUrls],
  metafile: true,
  logLevel: 'warning',
});

const files = Object.keys(result.metafile.outputs).map((f) => relative(out, `${ROOT}${f}`));
const nested = files.filter((f) => f.includes(sep));
if (nested.length > 0)
  throw new Error(`outreach build: every output must sit directly in dist/ (import.meta.url rewriting relies on it): ${nested.join(', ')}`);

writeFileSync(`${out}/build.json`, `${JSON.stringify({ sources, esbuild: esbuild.version, node: process.version, files: files.length }, null, 2)}\n`);
const dist = `${ROOT}dist`;
const old = `${ROOT}dist.${process.pid}.old`;
if (existsSync(dist)) renameSync(dist, old);
renameSync(out, dist);
rmSync(old, { recursive: true, force: true });
if (!quiet) console.log(`outreach build: ${files.length} files in dist/ (${relative(ROOT, `${ROOT}${STAMP}`)})`);

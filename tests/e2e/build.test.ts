import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The CLI runs dist/ (built by `npm ci`'s prepare step) when it was built from the sources as they
 * are, and the sources through tsx otherwise. Each case works on its own copy of the package (the
 * real dist/ is never rebuilt under the other tests' feet), with node_modules linked.
 */

const REPO = resolve('.');
const COPIED = ['bin', 'src', 'workers', 'scripts', 'templates', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** A time in the past, whole seconds, so a file can be given back exactly the time it had. */
const EARLIER = new Date(Date.now() - 3_600_000 - (Date.now() % 1000));

let pkg: string;
let data: string;

const outreach = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(pkg, 'bin/outreach.js'), ...args], {
    env: { ...process.env, OUTREACH_DATA_DIR: data, OUTREACH_WORKSPACE: 'default' },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const build = () => {
  const r = spawnSync(process.execPath, [join(pkg, 'scripts/build.mjs'), '--quiet'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
};

/** Replaces a source file's text and gives it back the time it had: to the build's check, nothing changed. */
const rewriteBehindItsBack = (file: string, text: string) => {
  writeFileSync(join(pkg, file), text);
  utimesSync(join(pkg, file), EARLIER, EARLIER);
};

/** The edit a developer makes: a new text and a new time. */
const edit = (file: string, text: string) => {
  writeFileSync(join(pkg, file), text);
  const now = new Date();
  utimesSync(join(pkg, file), now, now);
};

const version = () => (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
const MAIN = 'src/cli/main.ts';
const EDITED_MAIN = "export async function main(): Promise<number> {\n  process.stdout.write('the edited sources ran\\n');\n  return 0;\n}\n";

beforeAll(() => {
  pkg = mkdtempSync(join(tmpdir(), 'outreach-build-'));
  data = mkdtempSync(join(tmpdir(), 'outreach-build-data-'));
  for (const entry of COPIED) cpSync(join(REPO, entry), join(pkg, entry), { recursive: true });
  symlinkSync(realpathSync(join(REPO, 'node_modules')), join(pkg, 'node_modules'));
  for (const file of [MAIN, 'package.json']) utimesSync(join(pkg, file), EARLIER, EARLIER);
});
afterAll(() => {
  rmSync(pkg, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

describe('the built CLI', () => {
  it('prints what the sources print, for --version and for events --json on the same data folder', () => {
    expect(existsSync(join(pkg, 'dist'))).toBe(false);
    const configure = outreach([
      'workspace',
      'configure',
      '--owner-name',
      'Sam Seeker',
      '--owner-email',
      'sam@example.com',
      '--timezone',
      'Europe/London',
      '--objective',
      'Learn how data teams hire',
    ]);
    expect(configure.stderr).toBe('');
    const added = outreach(['contact', 'add', '--name', 'Ada Lovelace', '--email', 'ada@example.org', '--json']);
    expect(added.code).toBe(0);
    const fromSources = [outreach(['--version']), outreach(['--version', '--json']), outreach(['events', '--json'])];
    expect(fromSources.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(fromSources[0]!.stdout).toBe(`${version()}\n`);
    expect(JSON.parse(fromSources[1]!.stdout)).toEqual({ version: version() });
    expect(
      fromSources[2]!.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toEqual(['WorkspaceConfigured', 'ContactAdded']);

    build();
    expect(existsSync(join(pkg, 'dist/cli.js'))).toBe(true);
    const fromBuild = [outreach(['--version']), outreach(['--version', '--json']), outreach(['events', '--json'])];
    expect(fromBuild).toEqual(fromSources);
  });

  it('is what runs while the sources are as it was built from', () => {
    rewriteBehindItsBack(MAIN, EDITED_MAIN);
    expect(outreach(['--version'])).toMatchObject({ code: 0, stdout: `${version()}\n` });
  });

  it('is not used once a source file was edited: the edited sources run', () => {
    edit(MAIN, EDITED_MAIN);
    expect(outreach(['--version']).stdout).toBe('the edited sources ran\n');
  });

  it('is not used while package.json differs from what it was built with', () => {
    rewriteBehindItsBack(MAIN, EDITED_MAIN);
    expect(outreach(['--version']).stdout).toBe(`${version()}\n`);
    const original = readFileSync(join(pkg, 'package.json'), 'utf8');
    edit('package.json', original.replace(/"version": "[^"]+"/, '"version": "9.9.9"'));
    expect(outreach(['--version']).stdout).toBe('the edited sources ran\n');
    rewriteBehindItsBack('package.json', original);
    expect(outreach(['--version']).stdout).toBe(`${version()}\n`);
  });

  it('is not used once a source file was added', () => {
    writeFileSync(join(pkg, 'src/cli/notes.txt'), 'a file the build has not seen\n');
    expect(outreach(['--version']).stdout).toBe('the edited sources ran\n');
  });
});

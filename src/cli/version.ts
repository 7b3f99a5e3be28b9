import { readFileSync } from 'node:fs';
import type { Command } from 'commander';

/** The package's version, read when asked (the build keeps this file's URL, so the path holds there too). */
export const packageVersion = (): string => (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `outreach --version` in the help; with `--json` too it is answered by versionRequest before commander parses. */
export function versionOption(program: Command): void {
  program.version(packageVersion(), '-V, --version', 'print the version (with --json: {"version": …})');
}

/** `outreach --version [--json]` (or -V), nothing else: what to print, else undefined. */
export function versionRequest(argv: readonly string[]): string | undefined {
  const rest = argv.filter((a) => a !== '--json');
  if (rest.length !== 1 || (rest[0] !== '--version' && rest[0] !== '-V')) return undefined;
  return argv.includes('--json') ? `${JSON.stringify({ version: packageVersion() })}\n` : `${packageVersion()}\n`;
}

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const BIN = resolve('bin/outreach.js');

export type CliResult = { code: number; stdout: string; stderr: string; json: () => any };

/** The real `outreach` command in a child process, with its own data folder. */
export function cliSandbox(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'outreach-cli-'));
  const run = (args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> =>
    new Promise<CliResult>((res, rej) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { ...process.env, OUTREACH_DATA_DIR: dataDir, OUTREACH_WORKSPACE: 'default', ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', rej);
      child.on('exit', (code) => res({ code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout) }));
    });
  const eventCount = () => {
    const db = new Database(join(dataDir, 'events.db'), { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  return { dataDir, run, eventCount, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

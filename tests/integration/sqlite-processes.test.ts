import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import type { StoredEvent } from '../../src/eventstore/port.ts';

const writer = (file: string, count: number, name: string) =>
  new Promise<string[]>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/sqlite-writer.ts', file, String(count), name], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`writer ${name} exited ${code}: ${err}`))));
  });

describe('two processes on one SQLite file', () => {
  it("lose no acknowledged append, keep revisions gapless, and a third process's subscription sees them all live", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outreach-procs-'));
    const file = join(dir, 'events.db');
    const store = openSqliteEventStore(file, { pollIntervalMs: 20 });
    const seen: StoredEvent[] = [];
    const sub = store.subscribeAll({
      onEvent: (e) => {
        seen.push(e);
      },
    });
    try {
      const [a, b] = await Promise.all([writer(file, 200, 'alpha'), writer(file, 200, 'beta')]);
      const acknowledged = new Set([...a, ...b]);
      expect(acknowledged.size).toBe(800);
      const all: StoredEvent[] = [];
      for (let after: bigint | null = null; ; ) {
        const batch = await store.readAll({ after, maxCount: 500 });
        if (batch.length === 0) break;
        all.push(...batch);
        after = batch.at(-1)!.position;
      }
      expect(all.length).toBe(800);
      for (const id of acknowledged) expect(all.some((e) => e.id === id)).toBe(true);
      const shared = await store.readStream('shared-stream');
      expect(shared.map((e) => e.revision)).toEqual(Array.from({ length: 400 }, (_, i) => i));
      const until = Date.now() + 5000;
      while (seen.length < 800 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(seen.map((e) => e.position)).toEqual(all.map((e) => e.position));
    } finally {
      await sub.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

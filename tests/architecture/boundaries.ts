import { cycles, filesUnder, importGraph, layerOf, type Edge } from './import-graph.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Which layers each layer may import. The composition root (src/main) is the only one that opens
 * stores, Redis, transports and clients; the app reaches infrastructure only through ports it owns.
 */
export const ALLOWED: Record<string, readonly string[]> = {
  'src/domain': [],
  'src/sqlite': [],
  'src/eventstore': ['src/sqlite'],
  'src/app': ['src/domain', 'src/eventstore'],
  'src/read-models': ['src/domain', 'src/eventstore', 'src/sqlite'],
  'src/infra': ['src/domain', 'src/eventstore', 'src/sqlite', 'src/app'],
  workers: ['src/domain', 'src/eventstore', 'src/app', 'src/read-models', 'src/infra'],
  'src/api': ['src/domain', 'src/eventstore', 'src/app', 'src/read-models'],
  'src/cli': ['src/domain', 'src/eventstore', 'src/app', 'src/read-models', 'src/main'],
  'src/main': ['src/domain', 'src/eventstore', 'src/sqlite', 'src/app', 'src/read-models', 'src/infra', 'src/api', 'workers'],
  'src/demo': ['src/domain', 'src/app', 'src/read-models', 'src/main', 'src/cli'],
  bin: ['src/cli', 'src/demo'],
};

/** Packages a layer may import (node: built-ins included); unlisted layers may import any. */
const PACKAGES: Record<string, (name: string) => boolean> = {
  'src/domain': (p) => p === 'zod' || p === 'luxon',
  // The app decides; the libraries that do I/O are infrastructure's.
  'src/app': (p) =>
    !/^(bullmq|ioredis|nodemailer|better-sqlite3|fastify|@fastify\/|@googleapis\/|google-auth-library|imapflow|mailparser|pino|@eventstore\/|node:fs|node:net|node:http)/.test(
      p,
    ),
};

export const SCANNED = ['src', 'workers', 'bin'];

export type Violation = { file: string; line: number; message: string };

export function boundaryViolations(root: string): Violation[] {
  const edges = importGraph(root, SCANNED);
  const out: Violation[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (from === to) continue;
    const allowed = ALLOWED[from];
    if (!allowed) out.push({ file: e.from, line: e.line, message: `${from} is not a known layer (add it to ALLOWED)` });
    else if (!allowed.includes(to)) out.push({ file: e.from, line: e.line, message: `${from} must not import ${to} (${e.to})` });
  }
  for (const [layer, ok] of Object.entries(PACKAGES)) {
    for (const file of filesUnder(root, layer)) {
      const text = readFileSync(resolve(root, file), 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\(\s*|import\s+)['"]([^'".][^'"]*)['"]/g)) {
        if (!ok(m[1]!)) out.push({ file, line: text.slice(0, m.index).split('\n').length, message: `${layer} must not import the package ${m[1]}` });
      }
    }
  }
  for (const group of folderCycles(edges)) out.push({ file: group[0]!, line: 0, message: `folder cycle: ${group.join(' <-> ')}` });
  return out;
}

/**
 * Folders (each file's own folder) that import each other, directly or round a loop. A folder and
 * one inside it may use each other (a server and its routes); folders side by side may not.
 */
export function folderCycles(edges: readonly Edge[]): string[][] {
  const dir = (f: string) => f.slice(0, f.lastIndexOf('/'));
  const nested = (a: string, b: string) => a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
  const pairs = edges.map((e) => [dir(e.from), dir(e.to)] as [string, string]).filter(([a, b]) => !nested(a, b));
  return cycles(new Set(pairs.flat()), pairs);
}

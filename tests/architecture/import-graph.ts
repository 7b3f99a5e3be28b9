import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import of a project file by another, as written in the source. */
export type Edge = { from: string; to: string; line: number; typeOnly: boolean };

const SOURCE = /\.(ts|js|mjs)$/;
// Static imports and re-exports (also `import type`), dynamic import(), side-effect imports.
const IMPORT = /(?:^|\n)[ \t]*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function filesUnder(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(relative(root, p));
    }
  };
  if (existsSync(resolve(root, dir))) walk(resolve(root, dir));
  return out;
}

/** Every relative import between the files of the given folders (paths relative to root). */
export function importGraph(root: string, dirs: readonly string[]): Edge[] {
  const edges: Edge[] = [];
  for (const file of dirs.flatMap((d) => filesUnder(root, d))) {
    const text = readFileSync(resolve(root, file), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[3] ?? m[4]!;
      if (!spec.startsWith('.')) continue;
      const line = text.slice(0, m.index).split('\n').length + (text[m.index] === '\n' ? 1 : 0);
      edges.push({ from: file, to: relative(root, resolve(root, dirname(file), spec)), line, typeOnly: Boolean(m[2]) });
    }
  }
  return edges;
}

/** The layer a file belongs to: `src/<layer>` or a top-level folder (workers, bench, tests …). */
export const layerOf = (file: string) => {
  const parts = file.split('/');
  return parts[0] === 'src' ? `src/${parts[1]}` : parts[0]!;
};

/** Strongly connected groups of more than one node (Tarjan): each is a cycle. */
export function cycles(nodes: Iterable<string>, edges: readonly [string, string][]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const n of nodes) next.set(n, new Set());
  for (const [a, b] of edges) if (a !== b) next.get(a)?.add(b);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const n of next.keys()) if (!idx.has(n)) visit(n);
  return found;
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { filesUnder } from './import-graph.ts';

export type Oversized = { file: string; line: number; name: string; lines: number };

/** Every function (declarations, methods, arrows, function expressions) longer than `max` lines, in the files under `dirs`. */
export function longFunctions(root: string, dirs: readonly string[], max: number): Oversized[] {
  const found: Oversized[] = [];
  for (const file of dirs.flatMap((d) => filesUnder(root, d))) {
    const text = readFileSync(resolve(root, file), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = end - start + 1;
        if (lines > max) {
          const named = (node as { name?: ts.Node }).name;
          const parent = node.parent;
          const name = named
            ? named.getText(source)
            : ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)
              ? parent.name.getText(source)
              : '(anonymous)';
          found.push({ file, line: start + 1, name, lines });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** Files with more than `max` lines. */
export function longFiles(root: string, dirs: readonly string[], max: number): { file: string; lines: number }[] {
  return dirs
    .flatMap((d) => filesUnder(root, d))
    .map((file) => ({ file, lines: readFileSync(resolve(root, file), 'utf8').split('\n').length - 1 }))
    .filter((f) => f.lines > max);
}

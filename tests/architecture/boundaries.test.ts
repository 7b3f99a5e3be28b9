import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundaryViolations } from './boundaries.ts';

const tree = (files: Record<string, string>) => {
  const root = mkdtempSync(join(tmpdir(), 'outreach-boundaries-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
};

describe('architecture boundaries', () => {
  it('the project keeps every boundary (layers, packages per layer, no folder cycles)', () => {
    const found = boundaryViolations(process.cwd()).map((v) => `${v.file}:${v.line} ${v.message}`);
    expect(found).toEqual([]);
  });

  it('a domain file importing infrastructure is reported', () => {
    const root = tree({
      'src/domain/a.ts': "import { x } from '../infra/b.ts';\n",
      'src/infra/b.ts': 'export const x = 1;\n',
      'workers/w.ts': '',
      'bin/b.js': '',
    });
    try {
      expect(boundaryViolations(root).map((v) => v.message)).toEqual(['src/domain must not import src/infra (src/infra/b.ts)']);
    } finally {
      rmSync(root, { recursive: true });
    }
  });

  it('a domain file importing a package other than zod and luxon is reported', () => {
    const root = tree({ 'src/domain/a.ts': "import { readFileSync } from 'node:fs';\nimport { z } from 'zod';\n", 'workers/w.ts': '', 'bin/b.js': '' });
    try {
      expect(boundaryViolations(root).map((v) => v.message)).toEqual(['src/domain must not import the package node:fs']);
    } finally {
      rmSync(root, { recursive: true });
    }
  });

  it('the app importing an I/O library is reported', () => {
    const root = tree({ 'src/app/a.ts': "import { Queue } from 'bullmq';\n", 'workers/w.ts': '', 'bin/b.js': '' });
    try {
      expect(boundaryViolations(root).map((v) => v.message)).toEqual(['src/app must not import the package bullmq']);
    } finally {
      rmSync(root, { recursive: true });
    }
  });

  it('two folders importing each other are a cycle', () => {
    const root = tree({
      'src/app/x/a.ts': "import { b } from '../y/b.ts';\nexport const a = 1;\n",
      'src/app/y/b.ts': "import { a } from '../x/a.ts';\nexport const b = a;\n",
      'workers/w.ts': '',
      'bin/b.js': '',
    });
    try {
      expect(boundaryViolations(root).map((v) => v.message)).toEqual(['folder cycle: src/app/x <-> src/app/y']);
    } finally {
      rmSync(root, { recursive: true });
    }
  });
});

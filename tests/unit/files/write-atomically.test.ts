import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../../src/infra/files/write-atomically.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('writing a file atomically', () => {
  it('writes at the same moment to one file all succeed, and the file holds one of them whole', async () => {
    dir = mkdtempSync(join(tmpdir(), 'outreach-atomic-'));
    const file = join(dir, 'meeting.ics');
    const contents = Array.from({ length: 20 }, (_, i) => `BEGIN:VCALENDAR\nSEQUENCE:${i}\n${'x'.repeat(10_000)}\nEND:VCALENDAR\n`);
    await Promise.all(contents.map((c) => writeAtomically(file, c)));
    expect(contents).toContain(readFileSync(file, 'utf8'));
    expect(readdirSync(dir)).toEqual(['meeting.ics']);
  });
});

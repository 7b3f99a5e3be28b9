import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, pathOf } from '../../../src/cli/examples.ts';
import { buildProgram } from '../../../src/cli/main.ts';

const leaves = (c: Command): Command[] => (c.commands.length ? c.commands.flatMap(leaves) : [c]);
const program = buildProgram();
const commands = new Map(leaves(program).map((c) => [pathOf(c), c]));

/** Splits an example the way a shell would (double quotes group words). */
const words = (line: string) => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);

describe('the help', () => {
  it('every command shows at least one example', () => {
    const without = [...commands.keys()].filter((path) => !EXAMPLES[path]?.length);
    expect(without).toEqual([]);
  });

  it('every example names a command that exists', () => {
    expect(Object.keys(EXAMPLES).filter((path) => !commands.has(path))).toEqual([]);
  });

  it("every example's options are options of its command", () => {
    const wrong: string[] = [];
    for (const [path, examples] of Object.entries(EXAMPLES)) {
      const command = commands.get(path);
      if (!command) continue;
      const longs = new Set(command.options.flatMap((o) => [o.long, o.negate ? o.long : undefined]));
      for (const example of examples) {
        for (const flag of words(example).filter((w) => w.startsWith('--'))) if (!longs.has(flag)) wrong.push(`${example}: ${flag}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the top-level help lists the steps of the method in order, each with its command', () => {
    const help = captureHelp(program);
    const steps = ['workspace configure', 'contact add', 'meeting request', 'meeting book', 'meeting held', 'contact update'].map((c) =>
      help.indexOf(`outreach ${c}`),
    );
    expect(steps.every((at) => at > 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(help).toContain('outreach today');
  });

  it("a command's help ends with its examples", () => {
    const help = captureHelp(commands.get('meeting book')!);
    expect(help).toMatch(/Examples:\n {2}\$ outreach meeting book priya --at /);
  });
});

function captureHelp(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

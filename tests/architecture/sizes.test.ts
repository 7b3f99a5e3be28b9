import { describe, expect, it } from 'vitest';
import { longFiles, longFunctions } from './sizes.ts';

describe('sizes a reader can hold in mind', () => {
  it('no function of the effects, the reactor, the projector or the workers is over 60 lines', () => {
    const found = longFunctions(process.cwd(), ['src/app/effects', 'src/app/reactor', 'src/read-models/projector', 'workers'], 60);
    expect(found.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`)).toEqual([]);
  });

  it('no file in src/ is over 300 lines', () => {
    expect(longFiles(process.cwd(), ['src'], 300).map((f) => `${f.file} (${f.lines} lines)`)).toEqual([]);
  });
});

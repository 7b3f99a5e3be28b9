import { describe, expect, it } from 'vitest';
import { durationFromWords, durationInWords } from '../../../src/domain/duration-words.ts';

describe('durations in words', () => {
  it('an ISO 8601 duration reads as words, each unit counted in the singular or plural', () => {
    expect(['PT2H', 'P6W', 'P1DT12H', 'PT1M', 'P5D'].map(durationInWords)).toEqual(['2 hours', '6 weeks', '1 day 12 hours', '1 minute', '5 days']);
  });

  it('words typed by a person become ISO 8601, short forms and commas included', () => {
    expect(['2 hours', '2h', '6 weeks', '1 day, 12 hours', '90 min', '1 week and 2 days'].map(durationFromWords)).toEqual([
      'PT2H',
      'PT2H',
      'P6W',
      'P1DT12H',
      'PT90M',
      'P1W2D',
    ]);
  });

  it('text that is not a duration in words comes back unchanged, for the schema to refuse', () => {
    expect(['PT2H', '3 fortnights', 'soon', '2 hours later'].map(durationFromWords)).toEqual(['PT2H', '3 fortnights', 'soon', '2 hours later']);
  });
});

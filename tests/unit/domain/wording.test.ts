import { describe, expect, it } from 'vitest';
import { cardsInWords, firstNameOf, insightPhrase, namesInWords, objectiveSentence } from '../../../src/domain/wording.ts';

describe("the objective as a sentence of the seeker's own", () => {
  const cases: [string, string][] = [
    ['Learn how analytics teams hire people moving over from teaching', 'I am hoping to learn how analytics teams hire people moving over from teaching.'],
    ['Learn how analytics teams hire career changers.', 'I am hoping to learn how analytics teams hire career changers.'],
    ['To learn what a day in UX research looks like', 'I am hoping to learn what a day in UX research looks like.'],
    ['I want to understand how product managers grow into leadership roles', 'I want to understand how product managers grow into leadership roles.'],
    ["I'm exploring a move from nursing into health-care product management.", "I'm exploring a move from nursing into health-care product management."],
    ['Exploring careers in renewable energy policy', 'I am exploring careers in renewable energy policy.'],
    ['A move from teaching into data analytics', 'I am exploring a move from teaching into data analytics.'],
    ['Understand which skills matter most for junior data engineers', 'I am hoping to understand which skills matter most for junior data engineers.'],
    ['My goal is to find out how museums hire digital curators', 'My goal is to find out how museums hire digital curators.'],
    ['Find out whether an MBA is worth it for a move into consulting?', 'I am hoping to find out whether an MBA is worth it for a move into consulting?'],
    ['Switching from law to software engineering', 'I am switching from law to software engineering.'],
    ['  learn how   NGOs   hire   ', 'I am hoping to learn how NGOs hire.'],
  ];
  for (const [objective, sentence] of cases) {
    it(`"${objective.trim()}" reads as "${sentence}"`, () => expect(objectiveSentence(objective)).toBe(sentence));
  }
});

describe('the first name a greeting uses', () => {
  it('is the first given name', () => expect(firstNameOf('Priya Natarajan')).toBe('Priya'));
  it('leaves out a title', () => expect(firstNameOf('Dr. Grace Okafor')).toBe('Grace'));
  it('leaves out quotes and trailing punctuation', () => expect(firstNameOf('"Ünïcödé, Jr."')).toBe('Ünïcödé'));
  it('keeps hyphens and apostrophes inside a name', () => expect(firstNameOf("Jean-Luc O'Neill")).toBe('Jean-Luc'));
  it('a single name is the whole name', () => expect(firstNameOf('Madonna')).toBe('Madonna'));
});

describe('the words around a quoted insight and the referrals', () => {
  it('an insight follows "your point about" without its full stop or quotes', () => {
    expect(insightPhrase('"Portfolio work beats certificates when you change careers."')).toBe('portfolio work beats certificates when you change careers');
  });
  it('an insight starting with an acronym keeps its capitals', () => expect(insightPhrase('SQL first, Python second.')).toBe('SQL first, Python second'));
  it('two names are joined with "and", three with a comma first', () => {
    expect(namesInWords(['Dan Lee', 'Erin Shaw'])).toBe('Dan Lee and Erin Shaw');
    expect(namesInWords(['Dan', 'Erin', 'Farah'])).toBe('Dan, Erin and Farah');
  });
  it('business cards in words', () => {
    expect(cardsInWords(0)).toBe('');
    expect(cardsInWords(1)).toBe('your business card');
    expect(cardsInWords(3)).toBe('the 3 business cards');
  });
});

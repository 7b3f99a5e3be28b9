/**
 * How the seeker's own words are fitted into an email so that it reads as correct English, whatever
 * form they were typed in. Pure string work: no I/O, no time.
 */

const HONORIFICS = new Set(['dr', 'mr', 'mrs', 'ms', 'mx', 'miss', 'prof', 'sir', 'dame', 'rev']);

/** The name a greeting uses: the first given name, without titles, quotes or trailing punctuation ("Dr. Priya Natarajan" → "Priya"). */
export function firstNameOf(name: string): string {
  const words = name
    .replace(/["“”„«»]/g, ' ')
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter(Boolean);
  const given = words.find((w) => !HONORIFICS.has(w.toLowerCase()));
  return given ?? name.trim();
}

const endsSentence = (s: string) => /[.!?…]["')\]]?$/.test(s);
const withFullStop = (s: string) => (endsSentence(s) ? s : `${s}.`);
/** The first letter lowered, unless the first word is "I" or an acronym ("UX", "NGOs"). */
const lowerFirst = (s: string) => {
  const word = s.split(/\s/)[0] ?? '';
  return word === 'I' || /^[A-Z]{2,}/.test(word) ? s : s.charAt(0).toLowerCase() + s.slice(1);
};

/** Sentence openings that are already the seeker speaking: kept as they are. */
const FIRST_PERSON = /^(i|i'm|i’m|i've|i’ve|i'd|i’d|my|we|we're|we’re|our|having|after|as|since|with|currently|for)\b/i;
/** Verbs a bare objective often starts with ("Learn how…", "Explore…"): made "I am hoping to learn how…". */
const BARE_VERB = /^(learn|understand|explore|find out|discover|get|hear|meet|talk|speak|move|switch|transition|break|gain|build|see|know|figure out)\b/i;
/** "Learning how…", "Exploring…": made "I am learning how…". */
const GERUND = /^[a-z]+ing\b/i;

/**
 * The objective as one sentence of the seeker's own ("Learn how analytics teams hire" → "I am hoping
 * to learn how analytics teams hire."; "To learn…" likewise; "I want to…" kept; a noun phrase such as
 * "A move from teaching into data" → "I am exploring a move from teaching into data."). Always ends
 * with a full stop or the seeker's own mark.
 */
export function objectiveSentence(objective: string): string {
  const text = objective.trim().replace(/\s+/g, ' ');
  if (!text) return '';
  if (FIRST_PERSON.test(text)) return withFullStop(text[0]!.toUpperCase() + text.slice(1));
  const toVerb = /^to\s+/i.exec(text);
  if (toVerb) return withFullStop(`I am hoping ${lowerFirst(text)}`);
  if (BARE_VERB.test(text)) return withFullStop(`I am hoping to ${lowerFirst(text)}`);
  if (GERUND.test(text)) return withFullStop(`I am ${lowerFirst(text)}`);
  return withFullStop(`I am exploring ${lowerFirst(text)}`);
}

/**
 * A line from the meeting worth quoting, as it follows "your point about …": no closing full stop,
 * no wrapping quotes, the first letter lowered unless it starts a name or "I".
 */
export function insightPhrase(insight: string): string {
  const line = insight
    .trim()
    .split(/\r?\n/)[0]!
    .replace(/^["“'‘]+|["”'’]+$/g, '')
    .replace(/[.;:,]+$/, '')
    .trim();
  return lowerFirst(line);
}

/** "Dan", "Dan and Erin", "Dan, Erin and Farah". */
export function namesInWords(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** What the seeker was given at the meeting, in words: "your business card", "the 3 business cards". */
export function cardsInWords(count: number): string {
  if (count <= 0) return '';
  return count === 1 ? 'your business card' : `the ${count} business cards`;
}

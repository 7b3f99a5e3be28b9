/**
 * A realistic LinkedIn "Connections.csv": three lines of notes, a blank line, the header, then rows
 * with mostly hidden emails, quoted fields holding commas (and a quote), a few missing companies and
 * positions, and a few exact duplicate rows. Deterministic for a seed.
 */

const FIRST = [
  'Alex',
  'Maria',
  'Jean-Luc',
  'Aoife',
  'Sven',
  'Priya',
  'Mateus',
  'Chloé',
  'Oluwaseun',
  'Hiroshi',
  'Zoë',
  'Fatima',
  'Liam',
  'Sofía',
  'Dmitri',
  'Grace',
  'Kwame',
  'Ingrid',
  'Rahul',
  'Emma',
  'Noah',
  'Yuki',
  'Ana',
  'Tomás',
];
const LAST = [
  'Smith',
  "O'Brien",
  'García',
  'Nguyen',
  'Müller',
  'Kowalski',
  'Okafor',
  'Tanaka',
  'Johansson',
  'Rossi',
  'Dubois',
  'Patel',
  'van der Berg',
  'Smith, PhD',
  'Murphy',
  'Silva',
  'Kim',
  'Andersen',
  'Hernández',
  'Chen, CPA',
];
const COMPANIES = [
  'Northwind Traders',
  'Acme, Inc.',
  'Globex Corporation',
  'Initech',
  'Umbrella Health',
  'Smith & Sons',
  'Contoso Ltd',
  'Hooli',
  'Wayne Enterprises',
  'Stark Industries, LLC',
  'Tyrell Corp',
  'Soylent',
  'Vandelay Industries',
  'Cyberdyne Systems',
  'Massive Dynamic',
  'The "Good" Company',
];
const POSITIONS = [
  'Software Engineer',
  'Senior Product Manager',
  'VP, Engineering',
  'Head of People',
  'Data Scientist',
  'Director, Business Development',
  'Recruiter',
  'Founder & CEO',
  'Staff Engineer',
  'Marketing Lead',
  'UX Researcher',
  'Chief of Staff',
  'Account Executive, EMEA',
  'Partner',
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DOMAINS = ['gmail.com', 'outlook.com', 'example.com', 'proton.me', 'yahoo.co.uk'];

const NOTES = [
  'Notes:',
  '"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address using this setting https://www.linkedin.com/psettings/privacy/email."',
  '"You can learn more here https://www.linkedin.com/help/linkedin/answer/261"',
];
export const LINKEDIN_HEADER = 'First Name,Last Name,URL,Email Address,Company,Position,Connected On';

/** mulberry32 */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export type LinkedinCsv = { text: string; rows: number; duplicates: number };

export function linkedinConnectionsCsv(rows: number, seed = 1): LinkedinCsv {
  const rnd = random(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const lines: string[] = [];
  let duplicates = 0;
  for (let i = 0; i < rows; i++) {
    // About one row in a hundred repeats an earlier row exactly (the same person exported twice).
    if (lines.length > 10 && rnd() < 0.01) {
      lines.push(lines[Math.floor(rnd() * lines.length)]!);
      duplicates += 1;
      continue;
    }
    const first = pick(FIRST);
    const last = pick(LAST);
    const hex = Math.floor(rnd() * 0xffffff)
      .toString(16)
      .padStart(6, '0');
    const url = `https://www.linkedin.com/in/${slug(`${first}-${last}`)}-${hex}${i}`;
    const email = rnd() < 0.35 ? `${slug(first)}.${slug(last.split(',')[0]!)}.${i}@${pick(DOMAINS)}` : '';
    const company = rnd() < 0.05 ? '' : pick(COMPANIES);
    const position = rnd() < 0.05 ? '' : pick(POSITIONS);
    const connected = `${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')} ${pick(MONTHS)} ${2012 + Math.floor(rnd() * 13)}`;
    lines.push([first, last, url, email, company, position, connected].map(cell).join(','));
  }
  return { text: `${[...NOTES, '', LINKEDIN_HEADER, ...lines].join('\n')}\n`, rows, duplicates };
}

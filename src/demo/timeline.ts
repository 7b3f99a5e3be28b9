/**
 * A seeker's first month, step by step: who is added, asked, met and thanked, on which weekday at
 * what time (Europe/London, the seeker's zone). Week 1 starts on the Monday four weeks before the
 * current week, so every step is in the past whatever day the demo runs; two meetings booked in
 * the last week fall a few business days after today.
 */
export type Held = { minutes: number; referrals: number; sentiment: 'positive' | 'neutral' | 'negative'; insight: string };

export type Step =
  | { at: When; do: 'configure' }
  | { at: When; do: 'add'; people: string[] }
  | { at: When; do: 'request'; with: string; minutes: 15 | 20 | 30; channel?: 'phone'; via?: 'gatekeeper'; gatekeeper?: string; referral?: string }
  | { at: When; do: 'approve-drafts' }
  | { at: When; do: 'reply'; from: string; summary: string }
  | { at: When; do: 'book'; with: string; start: When | Ahead; minutes: 15 | 20 | 30 }
  | { at: When; do: 'call'; with: string; outcome: 'booked' | 'no-answer'; start?: When; minutes?: 15 | 20 | 30 }
  | { at: When; do: 'held'; with: string; held: Held }
  | { at: When; do: 'lead'; from: string; description: string; org: string }
  | { at: When; do: 'update'; for: string; text: string };

/** Week 1–4, Monday = 1, a time in the seeker's zone. */
export type When = { week: number; day: number; time: string };
/** A number of business days after today, at a time in the contact's zone. */
export type Ahead = { businessDaysAfterToday: number; time: string };

const w = (week: number, day: number, time: string): When => ({ week, day, time });

export const TARGETS = ['Data analysis', 'Risk analytics', 'Product management'];

/** Who is listed under which career target (people without one are general contacts). */
export const TARGET_OF: Record<string, string> = {
  priya: 'Data analysis',
  tom: 'Data analysis',
  ken: 'Data analysis',
  marcus: 'Data analysis',
  lena: 'Data analysis',
  aisha: 'Data analysis',
  grace: 'Risk analytics',
  omar: 'Risk analytics',
  hannah: 'Risk analytics',
  sofia: 'Product management',
  diego: 'Product management',
};

export const timeline: Step[] = [
  { at: w(1, 1, '09:00'), do: 'configure' },
  { at: w(1, 1, '09:15'), do: 'add', people: ['priya', 'tom', 'grace', 'sofia', 'ken', 'ruth'] },
  { at: w(1, 1, '09:40'), do: 'request', with: 'priya', minutes: 20 },
  { at: w(1, 1, '09:45'), do: 'request', with: 'tom', minutes: 20 },
  { at: w(1, 1, '09:50'), do: 'request', with: 'grace', minutes: 15, channel: 'phone', via: 'gatekeeper' },
  { at: w(1, 1, '12:30'), do: 'approve-drafts' },
  { at: w(1, 2, '11:05'), do: 'reply', from: 'priya', summary: 'Happy to talk on Thursday morning' },
  { at: w(1, 2, '11:20'), do: 'book', with: 'priya', start: w(1, 4, '10:00'), minutes: 20 },
  { at: w(1, 2, '14:10'), do: 'call', with: 'grace', outcome: 'booked', start: w(2, 1, '10:00'), minutes: 15 },
  {
    at: w(1, 4, '10:26'),
    do: 'held',
    with: 'priya',
    held: { minutes: 26, referrals: 2, sentiment: 'positive', insight: 'portfolio projects with real data counting for more than certificates' },
  },
  // The names given at a meeting go into the list straight after it, so that its thank-you can name them.
  { at: w(1, 4, '10:40'), do: 'add', people: ['marcus', 'lena'] },
  { at: w(1, 4, '16:10'), do: 'request', with: 'marcus', minutes: 20, referral: 'priya' },
  { at: w(1, 4, '16:15'), do: 'request', with: 'lena', minutes: 20, referral: 'priya' },
  { at: w(1, 5, '09:10'), do: 'approve-drafts' },
  {
    at: w(2, 1, '10:15'),
    do: 'held',
    with: 'grace',
    held: {
      minutes: 15,
      referrals: 2,
      sentiment: 'positive',
      insight: 'how much a risk team values someone who can explain numbers to people who are not analysts',
    },
  },
  { at: w(2, 1, '10:30'), do: 'add', people: ['hannah', 'omar'] },
  { at: w(2, 1, '14:10'), do: 'request', with: 'hannah', minutes: 15, referral: 'grace' },
  { at: w(2, 1, '16:45'), do: 'approve-drafts' },
  { at: w(2, 2, '15:30'), do: 'reply', from: 'marcus', summary: 'Thursday afternoon works, 10am my time' },
  { at: w(2, 2, '15:40'), do: 'book', with: 'marcus', start: w(2, 4, '15:00'), minutes: 20 },
  { at: w(2, 3, '09:30'), do: 'reply', from: 'tom', summary: 'Sorry for the delay, next Tuesday?' },
  { at: w(2, 3, '09:40'), do: 'book', with: 'tom', start: w(3, 2, '09:00'), minutes: 20 },
  {
    at: w(2, 4, '15:31'),
    do: 'held',
    with: 'marcus',
    held: { minutes: 31, referrals: 2, sentiment: 'neutral', insight: 'learning SQL first, then one BI tool, and Python only after that' },
  },
  { at: w(2, 4, '15:50'), do: 'add', people: ['aisha', 'diego', 'maya'] },
  {
    at: w(2, 4, '16:00'),
    do: 'lead',
    from: 'marcus',
    description: 'A junior product analyst opening in the growth team, not yet advertised',
    org: 'Northwind Analytics',
  },

  { at: w(2, 5, '10:00'), do: 'reply', from: 'lena', summary: 'Yes, after my holiday' },
  { at: w(2, 5, '10:10'), do: 'book', with: 'lena', start: { businessDaysAfterToday: 2, time: '11:00' }, minutes: 20 },
  { at: w(3, 1, '10:00'), do: 'request', with: 'diego', minutes: 15, via: 'gatekeeper', gatekeeper: 'maya', referral: 'marcus' },
  { at: w(3, 1, '17:45'), do: 'approve-drafts' },
  {
    at: w(3, 2, '09:18'),
    do: 'held',
    with: 'tom',
    held: { minutes: 18, referrals: 1, sentiment: 'positive', insight: "volunteering on a charity's data being the quickest way to show real work" },
  },
  { at: w(3, 3, '12:00'), do: 'reply', from: 'hannah', summary: 'Busy until the end of the month, then yes' },
  { at: w(3, 3, '12:10'), do: 'book', with: 'hannah', start: { businessDaysAfterToday: 4, time: '14:00' }, minutes: 15 },
  { at: w(4, 1, '10:00'), do: 'request', with: 'aisha', minutes: 20, channel: 'phone', referral: 'marcus' },
  { at: w(4, 2, '11:00'), do: 'call', with: 'aisha', outcome: 'no-answer' },
  {
    at: w(4, 3, '10:00'),
    do: 'update',
    for: 'priya',
    text: 'I finished the SQL course you recommended and have started a small project on school attendance data.',
  },
  { at: w(4, 4, '10:00'), do: 'request', with: 'omar', minutes: 20, referral: 'grace' },
];

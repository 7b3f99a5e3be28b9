import type { Command } from 'commander';

/**
 * One or more examples per command, shown under its --help. Kept together so that they read as one
 * day with the tool (the same people throughout) and so that a command without one fails a test.
 */
export const EXAMPLES: Record<string, readonly string[]> = {
  start: ['start', 'start --port 8080'],
  today: ['today', 'today --json'],
  contacts: ['contacts', 'contacts --search northwind', 'contacts --level senior --tag analytics --limit 20', 'contacts --target "UX research"'],
  meetings: ['meetings --upcoming', 'meetings --past --json'],
  'workspace configure': [
    'workspace configure --owner-name "Sam Rivera" --owner-email sam@example.com --timezone Europe/London --objective "how analytics teams in retail hire their first data analyst"',
    'workspace configure --thank-you-delay "2 hours" --keep-in-touch "6 weeks" --review all',
  ],
  'workspace show': ['workspace show'],
  'workspace target add': ['workspace target add "UX research"', 'workspace target add "Data analytics"'],
  'workspace target remove': ['workspace target remove "UX research"'],
  'contact add': [
    'contact add --name "Priya Natarajan" --email priya@example.com --org Northwind --role "Analytics Manager" --level senior',
    'contact add --name "Grace Okafor" --email grace@example.org --referred-by priya --target "Data analytics"',
  ],
  'contact import': ['contact import ~/Downloads/Connections.csv', 'contact import contacts.csv --json'],
  'contact show': ['contact show priya', 'contact show priya@example.com --json'],
  'contact change': ['contact change priya --role "Head of Analytics" --level executive', 'contact change grace --email grace.okafor@example.org'],
  'contact note': ['contact note priya --text "Wrote about portfolio projects on her team blog"'],
  'contact questions': ['contact questions priya --question "What does a first analyst do in month one?" --question "Which skills were hardest to hire for?"'],
  'contact reply': ['contact reply priya --summary "Happy to talk next week"'],
  'contact update': ['contact update priya --text "I finished the SQL course you recommended"'],
  'contact opt-out': ['contact opt-out grace'],
  'contact forget': ['contact forget grace', 'contact forget grace --yes'],
  'contact lead': ['contact lead priya --description "Junior analyst opening on her team" --org Northwind'],
  'meeting request': [
    'meeting request priya --minutes 20 --referral grace',
    'meeting request diego --minutes 15 --via gatekeeper --gatekeeper maya',
    'meeting request aisha --minutes 20 --channel phone',
  ],
  'meeting book': [
    'meeting book priya --at 2026-12-08T10:00:00+00:00 --video-url https://meet.example/priya',
    'meeting book grace --at 2026-11-20T15:00:00Z --past',
  ],
  'meeting reschedule': ['meeting reschedule priya --at 2026-12-09T11:00:00+00:00'],
  'meeting cancel': ['meeting cancel priya --reason "she is travelling"', 'meeting cancel grace --by contact'],
  'meeting no-show': ['meeting no-show diego'],
  'meeting held': ['meeting held priya --at 2026-12-08T10:24:00+00:00 --minutes 24 --referrals 2 --cards 1 --insights "how portfolio work beats certificates"'],
  'meeting introduced': ['meeting introduced diego'],
  'meeting call': [
    'meeting call aisha --outcome call-back --at 2026-12-08T14:00:00+00:00',
    'meeting call aisha --outcome booked --at 2026-12-10T10:00:00+00:00 --minutes 20',
  ],
  'meeting show': ['meeting show priya', 'meeting show 3f9c2a1b --json'],
  events: ['events', 'events --type MeetingHeld', 'events --stream contact-<id> --json'],
  worker: ['worker', 'worker --until-idle', 'worker --only email,calendar', 'worker --only mailbox', 'worker --processes 2'],
  'mailbox status': ['mailbox status', 'mailbox status --json'],
  jobs: ['jobs'],
  'reactor replay': ['reactor replay --from 0'],
  outbox: ['outbox', 'outbox --limit 5 --json'],
  'google connect': ['google connect', 'google connect --gmail', 'google connect --port 8765', 'google connect --timeout 600'],
  'google disconnect': ['google disconnect'],
  'google status': ['google status'],
  'token create': [
    'token create --role seeker --workspace sam --name "Sam\'s laptop" --expires P90D',
    'token create --role coach --all-workspaces --name "Career centre"',
  ],
  'token list': ['token list', 'token list --json'],
  'token revoke': ['token revoke 4f2a9c01'],
  serve: ['serve', 'serve --port 8080 --no-projector'],
  'projections rebuild': ['projections rebuild', 'projections rebuild --name funnel'],
  'projections status': ['projections status'],
  call: ['call aisha', 'call diego --json'],
  drafts: ['drafts', 'drafts --all'],
  'draft show': ['draft show 7c1e90aa'],
  'draft approve': ['draft approve 7c1e90aa'],
  'draft discard': ['draft discard 7c1e90aa'],
  'draft edit': ['draft edit 7c1e90aa', 'draft edit 7c1e90aa --subject "Twenty minutes on analytics hiring?" --body-file request.txt'],
};

/** The method, step by step, with the command for each: the top-level help ends with it. */
export const METHOD_STEPS = `
The method, in order:
  1. Say what you want to learn     outreach workspace configure --objective "…"
  2. List the people you know       outreach contact add … / outreach contact import Connections.csv
  3. Ask each for 15–20 minutes     outreach meeting request <person> --minutes 20
  4. Book the time agreed           outreach meeting book <person> --at <time>
  5. Meet, ask for two referrals    outreach meeting held <person> --referrals 2 --insights "…"
  6. Thank them the same day        (sent for you within 24 hours of the meeting)
  7. Add the people they named      outreach contact add … --referred-by <person>
  8. Keep in touch every few weeks  outreach contact update <person> --text "…"
Every day: \`outreach today\` says what is next. Run it all: \`outreach start\`, then open the dashboard.
A person or a meeting is named by name, email, or the first characters of its id.
`;

/** The path of a command below the program, e.g. "contact add". */
export const pathOf = (c: Command): string => (c.parent?.parent ? `${pathOf(c.parent)} ${c.name()}` : c.name());

/** Adds the examples under each command's help; a command without examples is left as is (a test finds it). */
export function addExamples(program: Command): void {
  program.addHelpText('after', METHOD_STEPS);
  const walk = (c: Command) => {
    const examples = EXAMPLES[pathOf(c)];
    if (examples && !c.commands.length) {
      c.addHelpText('after', `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  $ outreach ${e}`).join('\n')}`);
    }
    c.commands.forEach(walk);
  };
  program.commands.forEach(walk);
}

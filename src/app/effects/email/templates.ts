/**
 * The contract between the email decisions and the templates that render them: the kinds of
 * email (and of call script), the variables each may use, and what rendering gives. The files and
 * the renderer live in src/infra/mail/templates.ts; a template using a variable not listed here
 * fails when it loads.
 */
export const emailKinds = [
  'meeting-request-direct',
  'meeting-request-gatekeeper',
  'nudge',
  'gatekeeper-nudge',
  'booking-confirmation',
  'prep-brief',
  'thank-you',
  'keep-in-touch',
  'meeting-cancelled',
  // Not an email: the summary (subject) and description (text) of the calendar event; its html is unused.
  'calendar-event',
] as const;
export type EmailKind = (typeof emailKinds)[number];

/** Telephone scripts: text only, printed by `outreach call`; overridable like the emails. */
export const scriptKinds = ['call-direct', 'call-receptionist'] as const;
export type ScriptKind = (typeof scriptKinds)[number];
export type TemplateKind = EmailKind | ScriptKind;

const seeker = ['ownerName', 'ownerEmail'] as const;
const person = ['contactName', 'contactFirstName', 'organisation', 'role'] as const;
const why = ['objective', 'objectiveSentence', 'referralName'] as const;

/**
 * The variables each kind may use. `required` must be non-empty when rendering; `optional` may be
 * empty, and a template wraps what depends on them in {{#name}}…{{/name}} (or {{^name}}…{{/name}}
 * for the text to show when it is empty). A template using a name listed nowhere here fails at load.
 */
export const templateVariables = {
  'meeting-request-direct': {
    required: [...seeker, 'contactFirstName', 'objectiveSentence', 'minutes'],
    optional: ['contactName', 'organisation', 'role', 'objective', 'referralName', 'introducedByName', 'unsubscribeUrl'],
  },
  'meeting-request-gatekeeper': {
    required: [...seeker, 'contactName', 'objectiveSentence', 'minutes'],
    optional: ['contactFirstName', 'gatekeeperName', 'gatekeeperFirstName', 'organisation', 'role', 'objective', 'referralName', 'unsubscribeUrl'],
  },
  nudge: {
    required: [...seeker, 'contactFirstName', 'minutes'],
    optional: ['contactName', 'organisation', ...why, 'originalSubject', 'unsubscribeUrl'],
  },
  'gatekeeper-nudge': {
    required: [...seeker, 'contactName', 'minutes'],
    optional: ['contactFirstName', 'gatekeeperName', 'gatekeeperFirstName', 'organisation', ...why, 'originalSubject', 'unsubscribeUrl'],
  },
  'booking-confirmation': {
    required: [...seeker, 'contactFirstName', 'meetingStart', 'meetingTimezone', 'minutes'],
    optional: ['contactName', 'organisation', 'objective', 'location', 'videoUrl', 'invitationFrom', 'unsubscribeUrl'],
  },
  'prep-brief': {
    required: ['ownerName', 'contactName', 'meetingStart', 'meetingTimezone', 'minutes'],
    optional: [
      'ownerEmail',
      'contactFirstName',
      'organisation',
      'role',
      'objective',
      'location',
      'videoUrl',
      'researchNotes',
      'questions',
      'referredByName',
      'referralName',
      'meetingStartForSeeker',
      'ownerFirstName',
    ],
  },
  'thank-you': {
    required: [...seeker, 'contactFirstName'],
    optional: [
      'contactName',
      'organisation',
      'objective',
      'minutes',
      'insight',
      'referralNames',
      'namesGiven',
      'askForNames',
      'cards',
      'originalSubject',
      'unsubscribeUrl',
    ],
  },
  'keep-in-touch': {
    required: [...seeker, 'contactFirstName', 'update'],
    optional: ['contactName', 'organisation', 'objective', 'unsubscribeUrl'],
  },
  'calendar-event': {
    required: ['ownerName', 'contactName', 'minutes'],
    optional: ['ownerEmail', 'contactFirstName', 'organisation', 'role', 'objective', 'objectiveSentence', 'referralName', 'videoUrl', 'location'],
  },
  'meeting-cancelled': {
    required: [...seeker, 'contactFirstName', 'meetingStart'],
    optional: ['contactName', 'organisation', 'meetingTimezone', 'minutes', 'location', 'videoUrl', 'reason', 'unsubscribeUrl'],
  },
  'call-direct': {
    required: ['ownerName', 'ownerEmail', ...person.slice(0, 2), 'objectiveSentence', 'minutes', 'proposedTimes'],
    optional: ['organisation', 'role', 'objective', 'referralName', 'introducedByName', 'contactPhone', 'attempt', 'lastOutcome', 'meetingId'],
  },
  'call-receptionist': {
    required: ['ownerName', 'contactName', 'objectiveSentence', 'minutes'],
    optional: [
      'contactFirstName',
      'organisation',
      'role',
      'objective',
      'referralName',
      'gatekeeperName',
      'gatekeeperPhone',
      'contactPhone',
      'attempt',
      'lastOutcome',
      'meetingId',
    ],
  },
} as const satisfies Record<TemplateKind, { required: readonly string[]; optional: readonly string[] }>;

type Decl = typeof templateVariables;
export type VarValue = string | number;
/** Per kind: required names must be there, optional ones may be; keys no template reads are ignored. */
export type TemplateVars<K extends TemplateKind> = K extends TemplateKind
  ? { [N in Decl[K]['required'][number]]: VarValue } & { [N in Decl[K]['optional'][number]]?: VarValue | undefined }
  : never;
export type RenderedEmail = { subject: string; text: string; html: string };
export type TemplatePart = 'subject' | 'text' | 'html';

export interface Templates {
  render<K extends EmailKind>(kind: K, vars: TemplateVars<K>): RenderedEmail;
  /** A call script: text only. */
  script<K extends ScriptKind>(kind: K, vars: TemplateVars<K>): string;
  /** The file each part was read from, to say at start-up which overrides are in force. */
  files(kind: TemplateKind): Partial<Record<TemplatePart, string>>;
}

/**
 * The contract between the email decisions and the templates that render them: the kinds of
 * email, the variables each may use, and what rendering gives. The files and the renderer live in
 * src/infra/mail/templates.ts; a template using a variable not listed here fails when it loads.
 */
export const emailKinds = [
  'meeting-request-direct',
  'meeting-request-gatekeeper',
  'nudge',
  'booking-confirmation',
  'prep-brief',
  'thank-you',
  'keep-in-touch',
  'meeting-cancelled',
  // Not an email: the summary (subject) and description (text) of the calendar event; its html is unused.
  'calendar-event',
] as const;
export type EmailKind = (typeof emailKinds)[number];

/**
 * The variables each kind may use. `required` must be non-empty when rendering; `optional` may be
 * empty, and a template wraps what depends on them in {{#name}}…{{/name}} (or {{^name}}…{{/name}}
 * for the text to show when it is empty). A template using a name listed nowhere here fails at load.
 */
export const templateVariables = {
  'meeting-request-direct': {
    required: ['ownerName', 'ownerEmail', 'contactFirstName', 'objective', 'minutes'],
    optional: ['contactName', 'organisation', 'role', 'referralName', 'unsubscribeUrl'],
  },
  'meeting-request-gatekeeper': {
    required: ['ownerName', 'ownerEmail', 'contactName', 'objective', 'minutes'],
    optional: ['contactFirstName', 'gatekeeperName', 'organisation', 'role', 'referralName', 'unsubscribeUrl'],
  },
  nudge: {
    required: ['ownerName', 'ownerEmail', 'contactFirstName', 'minutes'],
    optional: ['contactName', 'organisation', 'objective', 'referralName', 'originalSubject', 'unsubscribeUrl'],
  },
  'booking-confirmation': {
    required: ['ownerName', 'ownerEmail', 'contactFirstName', 'meetingStart', 'meetingTimezone', 'minutes'],
    optional: ['contactName', 'organisation', 'objective', 'location', 'videoUrl', 'unsubscribeUrl'],
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
    ],
  },
  'thank-you': {
    required: ['ownerName', 'ownerEmail', 'contactFirstName'],
    optional: ['contactName', 'organisation', 'objective', 'minutes', 'referralNames', 'originalSubject', 'unsubscribeUrl'],
  },
  'keep-in-touch': {
    required: ['ownerName', 'ownerEmail', 'contactFirstName'],
    optional: ['contactName', 'organisation', 'objective', 'update', 'unsubscribeUrl'],
  },
  'calendar-event': {
    required: ['ownerName', 'contactName', 'minutes'],
    optional: ['ownerEmail', 'contactFirstName', 'organisation', 'role', 'objective', 'referralName', 'videoUrl', 'location'],
  },
  'meeting-cancelled': {
    required: ['ownerName', 'ownerEmail', 'contactFirstName', 'meetingStart'],
    optional: ['contactName', 'organisation', 'meetingTimezone', 'minutes', 'location', 'videoUrl', 'reason', 'unsubscribeUrl'],
  },
} as const satisfies Record<EmailKind, { required: readonly string[]; optional: readonly string[] }>;

type Decl = typeof templateVariables;
export type VarValue = string | number;
/** Per kind: required names must be there, optional ones may be; keys no template reads are ignored. */
export type TemplateVars<K extends EmailKind> = K extends EmailKind
  ? { [N in Decl[K]['required'][number]]: VarValue } & { [N in Decl[K]['optional'][number]]?: VarValue | undefined }
  : never;
export type RenderedEmail = { subject: string; text: string; html: string };
export type TemplatePart = 'subject' | 'text' | 'html';

export interface Templates {
  render<K extends EmailKind>(kind: K, vars: TemplateVars<K>): RenderedEmail;
  /** The file each part was read from, to say at start-up which overrides are in force. */
  files(kind: EmailKind): Record<TemplatePart, string>;
}

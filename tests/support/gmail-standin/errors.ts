/**
 * Gmail's error bodies and scope rules, from Google's Gmail API docs ("Resolve errors", each
 * method's "Authorization scopes", the Format enum). The body shape is Google's
 * `{ error: { code, message, errors: [{ message, domain, reason }], status } }`, built with the
 * Calendar stand-in's apiErrorBody.
 */
import { apiErrorBody, type ApiFault } from '../google-calendar-standin/google-error.ts';

export const SCOPES = {
  full: 'https://mail.google.com/',
  modify: 'https://www.googleapis.com/auth/gmail.modify',
  compose: 'https://www.googleapis.com/auth/gmail.compose',
  send: 'https://www.googleapis.com/auth/gmail.send',
  readonly: 'https://www.googleapis.com/auth/gmail.readonly',
  metadata: 'https://www.googleapis.com/auth/gmail.metadata',
  insert: 'https://www.googleapis.com/auth/gmail.insert',
  labels: 'https://www.googleapis.com/auth/gmail.labels',
} as const;

/** Gmail's own OAuth scopes only: the stand-in's default grant is what the product asks for. */
export const GMAIL_SEND_SCOPE = SCOPES.send;
export const GMAIL_READONLY_SCOPE = SCOPES.readonly;

export type Method = 'send' | 'get' | 'list' | 'history' | 'profile' | 'attachment';

/** "Requires one of the following OAuth scopes" for each method (add-on scopes left out). */
export const METHOD_SCOPES: Record<Method, string[]> = {
  send: [SCOPES.full, SCOPES.modify, SCOPES.compose, SCOPES.send],
  get: [SCOPES.full, SCOPES.modify, SCOPES.readonly, SCOPES.metadata],
  list: [SCOPES.full, SCOPES.modify, SCOPES.readonly, SCOPES.metadata],
  history: [SCOPES.full, SCOPES.modify, SCOPES.readonly, SCOPES.metadata],
  profile: [SCOPES.full, SCOPES.modify, SCOPES.compose, SCOPES.readonly, SCOPES.metadata],
  attachment: [SCOPES.full, SCOPES.modify, SCOPES.readonly],
};

export const granted = (scope: string) => new Set(scope.split(/\s+/).filter(Boolean));
export const allows = (scope: string, method: Method) => METHOD_SCOPES[method].some((s) => granted(scope).has(s));
/** Only gmail.metadata among the method's scopes: no bodies, no q. */
export const metadataOnly = (scope: string, method: Method) => {
  const g = granted(scope);
  return g.has(SCOPES.metadata) && !METHOD_SCOPES[method].some((s) => s !== SCOPES.metadata && g.has(s));
};

/** What Gmail says for each reason, when the test gives no message of its own. */
const DEFAULTS: Record<string, { message: string; domain: string }> = {
  rateLimitExceeded: { message: 'Rate Limit Exceeded', domain: 'usageLimits' },
  userRateLimitExceeded: { message: 'User Rate Limit Exceeded', domain: 'usageLimits' },
  dailyLimitExceeded: { message: 'Daily Limit Exceeded', domain: 'usageLimits' },
  domainPolicy: { message: 'The domain administrators have disabled Gmail apps.', domain: 'global' },
  authError: { message: 'Invalid Credentials', domain: 'global' },
  insufficientPermissions: { message: 'Insufficient Permission', domain: 'global' },
  forbidden: { message: 'Forbidden', domain: 'global' },
  backendError: { message: 'Backend Error', domain: 'global' },
  notFound: { message: 'Requested entity was not found.', domain: 'global' },
  invalidArgument: { message: 'Invalid argument', domain: 'global' },
  failedPrecondition: { message: 'Precondition check failed.', domain: 'global' },
  badRequest: { message: 'Bad Request', domain: 'global' },
  invalid: { message: 'Invalid Value', domain: 'global' },
  parseError: { message: 'Parse Error', domain: 'global' },
};

export function defaultReason(status: number): string {
  if (status === 400) return 'invalidArgument';
  if (status === 401) return 'authError';
  if (status === 403) return 'rateLimitExceeded';
  if (status === 404) return 'notFound';
  if (status === 412) return 'failedPrecondition';
  // "Too many concurrent requests for user" and the mail-sending limit are 429 rateLimitExceeded.
  if (status === 429) return 'rateLimitExceeded';
  if (status >= 500) return 'backendError';
  return 'badRequest';
}

/** A Gmail fault; a 429 says "Too many concurrent requests for user" unless told otherwise. */
export function gmailFault(status: number, reason = defaultReason(status), message?: string): ApiFault {
  const known = DEFAULTS[reason];
  const fallback = status === 429 && reason === 'rateLimitExceeded' ? 'Too many concurrent requests for user' : (known?.message ?? reason);
  return { status, reason, message: message ?? fallback, domain: status === 429 ? 'global' : (known?.domain ?? 'global') };
}

export function gmailErrorBody(f: ApiFault) {
  const body = apiErrorBody(f);
  if (f.reason === 'insufficientPermissions') {
    // The top-level message differs from errors[0].message here, as Google sends it.
    return {
      error: {
        ...body.error,
        message: 'Request had insufficient authentication scopes.',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
            domain: 'googleapis.com',
            metadata: { service: 'gmail.googleapis.com' },
          },
        ],
      },
    };
  }
  return body;
}

export class GmailError extends Error {
  constructor(readonly fault: ApiFault) {
    super(fault.message);
  }
}

/** Throws a Gmail error the request handler turns into Google's body. */
export const fail = (status: number, reason?: string, message?: string): never => {
  throw new GmailError(gmailFault(status, reason, message));
};

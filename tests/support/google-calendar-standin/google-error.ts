/** Google's JSON error shapes, so the real client and our classifier see what Google sends. */

export type ApiFault = { status: number; reason: string; message: string; domain?: string };

const STATUS_NAME: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** What Google says for each reason the tests script, when the script gives no message of its own. */
const DEFAULTS: Record<string, { message: string; domain: string }> = {
  rateLimitExceeded: { message: 'Rate Limit Exceeded', domain: 'usageLimits' },
  userRateLimitExceeded: { message: 'User Rate Limit Exceeded', domain: 'usageLimits' },
  quotaExceeded: { message: 'Calendar usage limits exceeded.', domain: 'usageLimits' },
  dailyLimitExceeded: { message: 'Daily Limit Exceeded', domain: 'usageLimits' },
  authError: { message: 'Invalid Credentials', domain: 'global' },
  insufficientPermissions: { message: 'Request had insufficient authentication scopes.', domain: 'global' },
  backendError: { message: 'Backend Error', domain: 'global' },
  notFound: { message: 'Not Found', domain: 'global' },
  duplicate: { message: 'The requested identifier already exists.', domain: 'global' },
  conditionNotMet: { message: 'Precondition Failed', domain: 'global' },
  deleted: { message: 'Resource has been deleted', domain: 'global' },
  fullSyncRequired: { message: 'Sync token is no longer valid, a full sync is required.', domain: 'calendar' },
  forbidden: { message: 'Forbidden', domain: 'global' },
  invalid: { message: 'Invalid Value', domain: 'global' },
  required: { message: 'Required', domain: 'global' },
  timeRangeEmpty: { message: 'The specified time range is empty.', domain: 'calendar' },
};

export function defaultReason(status: number): string {
  if (status === 401) return 'authError';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'notFound';
  if (status === 409) return 'duplicate';
  if (status === 410) return 'deleted';
  if (status === 412) return 'conditionNotMet';
  if (status === 429) return 'rateLimitExceeded';
  if (status >= 500) return 'backendError';
  return 'invalid';
}

export function fault(status: number, reason = defaultReason(status), message?: string): ApiFault {
  const known = DEFAULTS[reason];
  return { status, reason, message: message ?? known?.message ?? reason, domain: known?.domain ?? 'global' };
}

/** `{ error: { code, message, errors: [{ domain, reason, message }], status } }` (410s carry no status name, as in Google's docs). */
export function apiErrorBody(f: ApiFault) {
  const status = STATUS_NAME[f.status];
  return {
    error: {
      code: f.status,
      message: f.message,
      errors: [{ domain: f.domain ?? 'global', reason: f.reason, message: f.message, ...(f.status === 401 ? { locationType: 'header', location: 'Authorization' } : {}) }],
      ...(status ? { status } : {}),
    },
  };
}

/** The OAuth endpoints answer in RFC 6749 §5.2 form instead. */
export const oauthErrorBody = (error: string, description: string) => ({ error, error_description: description });

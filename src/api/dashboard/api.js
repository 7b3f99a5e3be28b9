// Talking to the Outreach API from the page.

export class Unauthorized extends Error {}

// The page keeps no token: logging in makes a server-side session whose id is in an HttpOnly cookie.
// Writes carry JSON or X-Requested-With, which a form on another site cannot send.
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json', 'x-requested-with': 'outreach-dashboard' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, credentials: 'same-origin', cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 401) throw new Unauthorized();
  if (res.status === 204) return {};
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer?.error?.message ?? `${path}: HTTP ${res.status}`);
  return answer;
}

/** A query string from the parameters that have a value. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

import type { Database, Statement } from 'better-sqlite3';

/**
 * Statements prepared once per connection. A projection's `apply` runs for every event of a
 * rebuild, so preparing its SQL each time would cost more than running it.
 */
export function preparedFor<T>(make: (db: Database) => T): (db: Database) => T {
  const cache = new WeakMap<Database, T>();
  return (db) => {
    let prepared = cache.get(db);
    if (prepared === undefined) {
      prepared = make(db);
      cache.set(db, prepared);
    }
    return prepared;
  };
}

const byText = new WeakMap<Database, Map<string, Statement>>();

/** A read query prepared once per connection and text (the workspace filter makes two texts of one query). */
export function stmt(db: Database, text: string): Statement {
  let statements = byText.get(db);
  if (!statements) byText.set(db, (statements = new Map()));
  let s = statements.get(text);
  if (!s) statements.set(text, (s = db.prepare(text)));
  return s;
}

const rawByText = new WeakMap<Database, Map<string, { s: Statement; columns: string[] }>>();

/**
 * The rows of a read query as plain objects, built here from the statement's arrays: better-sqlite3
 * setting each property from C++ cost ~40% of reading a dashboard list (same keys, same order, the
 * last of two equal column names winning as it does there).
 */
export function rowsOf(db: Database, text: string, params: object = {}): Record<string, unknown>[] {
  let statements = rawByText.get(db);
  if (!statements) rawByText.set(db, (statements = new Map()));
  let r = statements.get(text);
  if (!r) {
    const s = db.prepare(text).raw(true);
    statements.set(text, (r = { s, columns: s.columns().map((c) => c.name) }));
  }
  const { columns } = r;
  return (r.s.all(params) as unknown[][]).map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
    return row;
  });
}

/**
 * The workspace condition of a read query: one seeker's rows, or every workspace for a coach.
 * Two statement texts rather than `(@workspaceId IS NULL OR …)`, which keeps SQLite off the index.
 */
export const inWorkspace = (workspaceId: string | undefined, column = 'workspace_id') => (workspaceId === undefined ? '1' : `${column} = @workspaceId`);

/**
 * A page's bounds as expressions, not bare parameters: SQLite (3.53) reads a bare bound LIMIT or
 * OFFSET while planning and so prepares the statement again each time it is bound, which cost a
 * dashboard list 20–70 µs a call. `+ 0` keeps the value a run-time one.
 */
export const PAGE = 'LIMIT @limit + 0 OFFSET @offset + 0';

export type Page = { workspaceId?: string | undefined; limit: number; offset: number; now: string };
export type Rows = { rows: Record<string, unknown>[]; total: number };

/** The bound parameters every paged query takes. */
export const pageParams = (q: Page) => ({ workspaceId: q.workspaceId ?? null, limit: q.limit, offset: q.offset, now: q.now });

export const countOf = (db: Database, text: string, params: object): number => (stmt(db, text).get(params) as { n: number }).n;

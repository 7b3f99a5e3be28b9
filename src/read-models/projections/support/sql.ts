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

/**
 * The workspace condition of a read query: one seeker's rows, or every workspace for a coach.
 * Two statement texts rather than `(@workspaceId IS NULL OR …)`, which keeps SQLite off the index.
 */
export const inWorkspace = (workspaceId: string | undefined, column = 'workspace_id') => (workspaceId === undefined ? '1' : `${column} = @workspaceId`);

export type Page = { workspaceId?: string | undefined; limit: number; offset: number; now: string };
export type Rows = { rows: Record<string, unknown>[]; total: number };

/** The bound parameters every paged query takes. */
export const pageParams = (q: Page) => ({ workspaceId: q.workspaceId ?? null, limit: q.limit, offset: q.offset, now: q.now });

export const countOf = (db: Database, text: string, params: object): number => (stmt(db, text).get(params) as { n: number }).n;

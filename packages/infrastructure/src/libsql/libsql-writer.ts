import type { InValue, Transaction } from '@libsql/client';
import Database from 'libsql';

/** A row as the store reads it: by column position only. */
export type SqlRow = ArrayLike<unknown>;
export type Query = (sql: string, args: readonly InValue[]) => Promise<SqlRow[]>;

/** Statements on the writer, inside a transaction the caller holds (or autocommit). */
export type Connection = {
  /** Rows of a statement that returns rows; [] for one that does not. */
  readonly query: Query;
  /** Runs a statement that returns no rows; resolves to the rowid of its last insert. */
  readonly run: (sql: string, args: readonly InValue[]) => Promise<number>;
};

/** Statements kept prepared; the store's SQL is a fixed set, so this is never reached in use. */
const MAX_STATEMENTS = 128;

type Prepared = { readonly statement: Database.Statement; readonly reader: boolean };

/**
 * The writer on a local file: one `libsql` connection (the driver @libsql/client runs local
 * files on) whose statements are prepared once and kept for its life. @libsql/client prepares
 * every statement on every call and builds a row object per row; here rows come back as plain
 * arrays. Every call is synchronous underneath, as it is inside @libsql/client.
 */
export const openNativeWriter = (path: string) => {
  const db = new Database(path);
  const statements = new Map<string, Prepared>();
  const prepared = (sql: string): Prepared => {
    let entry = statements.get(sql);
    if (entry === undefined) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      const statement = db.prepare(sql);
      const reader = statement.reader;
      if (reader) statement.raw(true);
      entry = { statement, reader };
      statements.set(sql, entry);
    }
    return entry;
  };
  const connection: Connection = {
    query: (sql, args) => {
      const { statement, reader } = prepared(sql);
      if (!reader) {
        statement.run(args);
        return Promise.resolve([]);
      }
      return Promise.resolve(statement.all(args) as SqlRow[]);
    },
    run: (sql, args) => Promise.resolve(Number(prepared(sql).statement.run(args).lastInsertRowid)),
  };
  return {
    connection,
    begin: () => db.exec('BEGIN IMMEDIATE'),
    commit: () => db.exec('COMMIT'),
    /** Rolls back whatever is open; harmless when nothing is. */
    rollback: () => {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
    /** Runs SQL that returns nothing worth reading (a PRAGMA that sets). */
    exec: (sql: string) => void db.exec(sql),
    /** The first value of a PRAGMA that reads. */
    read: (pragma: string) =>
      (db.prepare(`PRAGMA ${pragma}`).raw(true).get([]) as unknown[] | undefined)?.[0],
    close: () => {
      statements.clear();
      db.close();
    },
  };
};

/** The same statements over a @libsql/client transaction (a libSQL server: no native driver). */
export const clientConnection = (tx: Pick<Transaction, 'execute'>): Connection => ({
  query: async (sql, args) => (await tx.execute({ sql, args: [...args] })).rows,
  run: async (sql, args) =>
    Number((await tx.execute({ sql, args: [...args] })).lastInsertRowid ?? 0),
});

/**
 * The file path in a `file:` URL, as @libsql/client reads it: `file:relative/path`,
 * `file:/absolute`, `file:///absolute` (or `file://localhost/...`), percent-decoded; a query
 * string is left out (none of ours carries one).
 */
export const filePathOf = (url: string): string => {
  let rest = url.slice('file:'.length).split(/[?#]/, 1)[0] ?? '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const host = rest.slice(2, slash < 0 ? undefined : slash).toLowerCase();
    if (host !== '' && host !== 'localhost') throw new Error(`invalid host in file URL: ${host}`);
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  return decodeURIComponent(rest);
};

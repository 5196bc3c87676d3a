import type { ProcessStore } from '@ironstar/application';
import type { InValue } from '@libsql/client';
import { createSqlProcessStore, Refuse, type SqlQuery } from '../sql-process-store';
import type { createAppender } from './libsql-append';
import type { LibsqlDatabase } from './libsql-database';
import { toUnavailable } from './libsql-errors';
import type { Query } from './libsql-writer';

const onLibsql =
  (query: Query): SqlQuery =>
  (sql, args) =>
    query(sql, args as InValue[]);

/**
 * The process store on libSQL (sql-process-store.ts): each write on the writer queue, in one
 * transaction; a failed one (not a refusal) leaves the writer to be recovered.
 */
export const createLibsqlProcessStore = (
  db: LibsqlDatabase,
  appender: ReturnType<typeof createAppender>,
  clock: () => string,
): ProcessStore =>
  createSqlProcessStore({
    dialect: 'sqlite',
    write: (work) =>
      db
        .transaction((connection) =>
          work({
            q: onLibsql(connection.query),
            append: (request) => appender.appendOne(connection, request),
            // One writer at a time: nothing to lock.
            lockForSteps: async () => {},
          }),
        )
        .catch(async (error: unknown) => {
          if (!(error instanceof Refuse)) await db.recover();
          throw error;
        }),
    read: onLibsql(appender.read(db.readerClient)),
    // JSON columns are text in SQLite.
    json: (value) => JSON.parse(String(value)) as unknown,
    toUnavailable,
    clock,
  });

import type { ProcessStore } from '@ironstar/application';
import { createSqlProcessStore } from '../sql-process-store';
import { appendOne, lockHead, txOf } from './postgres-append';
import type { PostgresDatabase } from './postgres-database';
import { toUnavailable } from './postgres-errors';

/**
 * The process store on PostgreSQL (sql-process-store.ts): a batch of steps takes the event
 * store's sequence lock first, so its duplicate checks see every committed step.
 */
export const createPostgresProcessStore = (
  db: PostgresDatabase,
  clock: () => string,
): ProcessStore =>
  createSqlProcessStore({
    dialect: 'postgres',
    write: (work) =>
      db.transaction((q) => {
        const tx = txOf(q);
        return work({
          q,
          append: (request) => appendOne(tx, request, clock),
          lockForSteps: async () => {
            await lockHead(tx);
          },
        });
      }),
    read: db.query,
    // pg parses json columns.
    json: (value) => value,
    toUnavailable,
    clock,
  });

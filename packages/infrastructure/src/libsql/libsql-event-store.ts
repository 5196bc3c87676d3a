import type {
  AppendError,
  AppendRequest,
  AppendResult,
  ConcurrencyError,
} from '@ironstar/application';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { DurableEventStore } from '../durable-event-store';
import { createGroupCommit } from './group-commit';
import { Abort, createAppender, fromRow, SELECT_EVENTS } from './libsql-append';
import { type LibsqlDatabaseOptions, openLibsqlDatabase } from './libsql-database';
import { isUniqueViolation, toUnavailable } from './libsql-errors';
import { createLibsqlProcessStore } from './libsql-process-store';
import { createLibsqlProjectionSnapshots } from './libsql-projection-snapshots';
import { createLibsqlSnapshotStore } from './libsql-snapshot-store';

export type LibsqlEventStoreOptions = LibsqlDatabaseOptions & {
  readonly clock?: () => string;
};

/** Appends committed together at most. */
const MAX_BATCH = 256;

/**
 * The libSQL event store. The expected-version check, the inserts and the command record
 * happen in one write transaction (BEGIN IMMEDIATE), so no other writer, in this process or
 * another, can slip in between.
 */
export const getLibsqlEventStore = async (
  options: LibsqlEventStoreOptions,
): Promise<DurableEventStore> => {
  const db = await openLibsqlDatabase(options);
  const clock = options.clock ?? (() => new Date().toISOString());

  const appender = createAppender(clock);
  const { read, streamVersion, findCommand, appendAll } = appender;

  const conflictOf = (request: AppendRequest, actual: number): ConcurrencyError => ({
    type: 'ConcurrencyError',
    aggregateType: request.aggregateType,
    aggregateId: request.aggregateId,
    expected: request.expectedVersion,
    actual,
  });

  const refusal = (request: AppendRequest, abort: Abort): Result<never, AppendError> =>
    typeof abort.error === 'number'
      ? err(conflictOf(request, abort.error))
      : err({ type: 'DuplicateCommand', recorded: abort.error });

  // A refused request is refused before its inserts, so it writes nothing and never fails
  // the other requests of its batch.
  const groupCommit = createGroupCommit<AppendRequest, Result<AppendResult, AppendError>>({
    maxBatch: MAX_BATCH,
    runBatch: (requests) =>
      db.transaction(async (connection) =>
        (await appendAll(connection, requests)).map((outcome, i) =>
          outcome instanceof Abort ? refusal(requests[i] as AppendRequest, outcome) : ok(outcome),
        ),
      ),
    onFailure: async (request, error) => {
      // A writer that skipped our lock (another process, on a server without IMMEDIATE) won.
      if (isUniqueViolation(error)) {
        const q = read(db.readerClient);
        const recorded = request.command ? await findCommand(q, request.command.id) : null;
        if (recorded) return err({ type: 'DuplicateCommand', recorded });
        const actual = await streamVersion(q, request.aggregateType, request.aggregateId);
        return err(conflictOf(request, actual));
      }
      await db.recover();
      return err(toUnavailable(error));
    },
  });

  const append = (request: AppendRequest): ResultAsync<AppendResult, AppendError> =>
    new ResultAsync(groupCommit.submit(request));

  const attempt = <T>(query: () => Promise<T>) => ResultAsync.fromPromise(query(), toUnavailable);

  return {
    settings: db.settings,
    stats: {
      get appends() {
        return groupCommit.stats.requests;
      },
      get transactions() {
        return groupCommit.stats.batches;
      },
    },
    snapshots: createLibsqlSnapshotStore(db),
    projectionSnapshots: createLibsqlProjectionSnapshots(db),
    processes: createLibsqlProcessStore(db, appender, clock),
    append,
    // Hot read paths use fixed SQL text: the query builder cost ~40% of replay time.
    readStream: (aggregateType, aggregateId, options = {}) =>
      attempt(() =>
        db.readerClient.execute({
          // LIMIT -1 is SQLite's "no limit".
          sql: `${SELECT_EVENTS} WHERE aggregate_type = ? AND aggregate_id = ? AND aggregate_sequence > ? ORDER BY aggregate_sequence LIMIT ?`,
          args: [aggregateType, aggregateId, options.afterVersion ?? 0, options.limit ?? -1],
        }),
      ).map((result) => result.rows.map(fromRow)),
    readAll: ({ after, limit }) =>
      attempt(() =>
        db.readerClient.execute({
          sql: `${SELECT_EVENTS} WHERE global_sequence > ? ORDER BY global_sequence LIMIT ?`,
          args: [after, limit],
        }),
      ).map((result) => result.rows.map(fromRow)),
    head: () =>
      attempt(() =>
        db.readerClient.execute('SELECT coalesce(max(global_sequence), 0) FROM events'),
      ).map((result) => Number(result.rows[0]?.[0] ?? 0)),
    findCommand: (id) => attempt(() => findCommand(read(db.readerClient), id)),
    close: () => db.close(),
  };
};
